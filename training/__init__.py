"""Training: self-play RL of language models on the arena's games.

``training.train(training.SelfPlayConfig(...))`` runs the whole loop (rollouts through the
arena runner, role-conditioned advantages, the policy-gradient learner, evaluation,
checkpoints); ``arena train`` is the same from the command line.
"""

from training.config import SelfPlayConfig, parse_game_weights
from training.loop import train

__all__ = ["SelfPlayConfig", "parse_game_weights", "train"]
