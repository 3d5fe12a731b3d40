"""Training: self-play RL (rollouts, RAE, step preferences, losses, the learner)."""
