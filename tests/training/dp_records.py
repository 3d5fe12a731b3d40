"""Launched in every process by tests/training/test_processes.py: play one iteration's
matches with the run's rank and write the gathered records (rank 0) as JSON lines."""

import sys

from agents.llm.model_cache import ModelCache
from training.config import SelfPlayConfig
from training.distributed import current_ranks
from training.rollout import play_iteration
from training.run import policy_agent


def main(model: str, out: str) -> None:
    ranks = current_ranks("cpu")
    config = SelfPlayConfig(model=model, games=["kuhn_poker", "tictactoe"],
                            matches_per_iteration=13, seed=5, device="cpu", group_size=1)
    policy = policy_agent(config, ModelCache(), model=model)
    records = play_iteration(config, 2, policy, [], ranks)
    if ranks.is_main:
        with open(out, "w") as fh:
            for r in records:
                fh.write(r.to_json() + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
