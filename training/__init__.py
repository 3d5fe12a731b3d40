"""Training: self-play RL of language models on the arena's games.

``training.train(training.SelfPlayConfig(...))`` runs the whole loop (rollouts through the
arena runner, role-conditioned advantages, the policy-gradient learner, evaluation,
checkpoints); ``training.train_iteration(training.open_run(config))`` runs one iteration
of it; ``arena train`` is the same from the command line.
"""

from training.config import SelfPlayConfig, parse_game_weights
from training.loop import open_run, train, train_iteration

__all__ = ["SelfPlayConfig", "parse_game_weights", "train", "train_iteration", "open_run"]
