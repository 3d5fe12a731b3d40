"""The interface between the ``llm`` agent and a model backend (transformers, vLLM, HTTP).

The agent builds prompts and turns scores into policies; a backend only scores and samples,
always for a whole batch at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

__all__ = ["Generation", "Scores", "Backend"]


@dataclass(frozen=True)
class Generation:
    """One sampled completion: its text, token ids and their log-probabilities under the
    sampling distribution's model (before temperature), as recorded for training."""

    text: str
    token_ids: tuple[int, ...]
    logprobs: tuple[float, ...]
    prompt_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Scores:
    """Log-likelihood of each candidate continuation after its prompt."""

    logprob: tuple[float, ...]
    """Sum of token log-probabilities per candidate."""
    num_tokens: tuple[int, ...]
    """Tokens per candidate (for length normalisation)."""
    prompt_ids: tuple[int, ...] = ()
    candidate_ids: tuple[tuple[int, ...], ...] = ()
    token_logprobs: tuple[tuple[float, ...], ...] = ()
    """Per candidate, the log-probability of each of its tokens (empty if the backend
    cannot give them); training uses the chosen action's."""


class Backend(Protocol):
    name: str

    def score(self, prompts: Sequence[str], candidates: Sequence[Sequence[str]]) -> list[Scores]:
        """For each prompt, the log-likelihood of each of its candidate continuations."""
        ...

    def generate(
        self, prompts: Sequence[str], *, temperature: float, top_p: float,
        max_new_tokens: int, seeds: Sequence[int],
    ) -> list[Generation]:
        """One sampled completion per prompt; ``seeds[i]`` makes row i reproducible."""
        ...

    def close(self) -> None:
        ...
