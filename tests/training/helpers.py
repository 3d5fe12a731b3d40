"""The smoke configuration, shared by the fixtures and the tests that run it again."""

SMOKE = dict(games=["kuhn_poker"], mode="choice", iterations=2, matches_per_iteration=32,
             lr=1e-2, lr_schedule="constant", minibatch=256, entropy_coef=0.0, kl_coef=0.05, eval_every=2, eval_games=0, checkpoint_every=1,
             ladder_games=1, seed=0)
"""A short seeded Kuhn Poker run: two iterations, a checkpoint after each, a rating ladder
at each checkpoint, the exact evaluation at iterations 0 and 2."""

SMOKE_ARGS = ["--game", "kuhn_poker", "--mode", "choice", "--iterations", "2", "--matches", "32",
              "--lr", "1e-2", "--lr-schedule", "constant", "--minibatch", "256",
              "--entropy-coef", "0", "--kl-coef", "0.05", "--eval-every", "2", "--eval-games", "0",
              "--checkpoint-every", "1", "--ladder-games", "1", "--seed", "0"]
"""The same configuration as ``arena train`` arguments (test_config checks they agree)."""
