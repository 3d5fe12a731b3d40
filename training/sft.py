"""Supervised fine-tuning on an expert's decisions: the warm start before reinforcement
learning (``arena train ... --sft-from household-expert --sft-episodes N``).

Any game with a scripted expert works (``--sft-from expert`` picks each game's own):

1. :func:`demonstrations`: the expert plays ``episodes`` matches of the run's games (every
   seat; seeds from :func:`common.seeds.derive_seed`, purpose ``sft``) through the arena's
   runner; each of its decisions becomes a choice-mode :class:`~training.rollout.Sample`:
   the prompt the policy would read there (:func:`agents.llm.prompts.render_prompt`, as
   the model agent builds it; a prompt longer than the model's context, which the agent
   would cut, is kept whole here), the legal actions, and the expert's action as the
   chosen one.
2. :class:`SupervisedFineTuning`, an objective (:mod:`training.objectives`): the negative
   log-likelihood of the expert's action among the legal actions (choice mode: the
   softmax over the actions' summed token log-probabilities), divided by the minibatch
   size; metrics ``sft/nll`` and ``sft/accuracy`` (the expert's action is the model's
   most likely one), as sums.
3. :func:`warm_start`: ``sft_epochs`` learner updates on the demonstrations, with their own
   learner (an optimiser of its own over the run's model), before the first iteration.

Choice mode only: in generate mode the model would also have to be taught the reply
format, which the expert's canonical actions do not show.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Sequence

import torch

import games
from agents import make_agent
from agents.llm.prompts import render_prompt
from arena.runner import MatchConfig
from arena.schedule import play, selfplay_schedule
from common.seeds import derive_seed

from training.config import SelfPlayConfig, parse_game_weights
from training.distributed import SINGLE, Ranks
from training.objectives import Context, LearnBatch, Objective
from training.rollout import Sample
from training.scoring import choice_logprobs

__all__ = ["SupervisedFineTuning", "demonstrations", "warm_start", "expert_logprob"]


@dataclass
class SupervisedFineTuning(Objective):
    """Cross-entropy of the expert's action over the legal actions (see the module doc)."""

    normaliser: float = 64.0
    """Per-step constant the loss is divided by (the minibatch size)."""
    weight: float = 1.0
    name: str = "sft"
    needs_reference: bool = False
    namespace: str = "sft"
    metrics: tuple[str, ...] = ("nll", "accuracy")

    def items(self, batch: LearnBatch) -> list[Sample]:
        return [s for s in batch.samples if s.chosen >= 0]

    def cost(self, item: Sample, ctx: Context) -> int:
        return len(item.prompt_ids) + sum(len(ctx.backend.encode_continuation(a))
                                          for a in item.actions)

    def loss(self, items: Sequence[Sample], ctx: Context
             ) -> tuple[torch.Tensor, dict[str, float]]:
        chosen, dists = choice_logprobs(ctx.model, ctx.backend, list(items), 1.0,
                                        ctx.token_budget)  # [B], B x [n_actions]
        hits = sum(int(torch.argmax(d)) == s.chosen for d, s in zip(dists, items))
        loss = -chosen.sum() / self.normaliser
        return loss, {"nll": float(-chosen.detach().sum()), "accuracy": float(hits)}


def _observation(rec: Any, d: Any, rules: str) -> games.Observation:
    return games.Observation(rec.game, d.player, d.role, d.turn, d.observation,
                             d.legal_actions, rules)


def demonstrations(config: SelfPlayConfig, backend: Any, expert: str, episodes: int
                   ) -> list[Sample]:
    """The expert's decisions in ``episodes`` matches of the run's games, as samples."""
    names = [name for name, _ in parse_game_weights(config.games)]
    planned = selfplay_schedule(names, expert, episodes, config.seed, "sft")
    agent = make_agent(expert, seed=derive_seed("sft-agent", config.seed))
    rules = {name: games.make(name).rules for name in names}
    samples = []
    tokenizer = getattr(backend, "tokenizer", None)
    for m, rec in zip(planned, play(planned, {expert: agent}, MatchConfig(invalid="forfeit"),
                                    "sft:")):
        for d in rec.decisions:
            if not d.valid or not d.legal_actions or d.action is None:
                continue
            prompt = render_prompt(_observation(rec, d, rules[m.game]), "choice", tokenizer,
                                   config.prompt)
            samples.append(Sample(key=f"{rec.game}/{d.role}", reward=0.0,
                                  prompt_ids=tuple(backend.encode_prompt(prompt)),
                                  token_ids=(), logprobs=(), actions=tuple(d.legal_actions),
                                  chosen=d.legal_actions.index(d.action)))
    return samples


def expert_logprob(backend: Any, samples: Sequence[Sample], token_budget: int) -> float:
    """Mean log-probability the model gives the expert's actions (no gradients)."""
    with torch.no_grad():
        chosen, _ = choice_logprobs(backend.model, backend, list(samples), 1.0, token_budget)
    return float(chosen.mean())


def warm_start(config: SelfPlayConfig, backend: Any, ranks: Ranks = SINGLE) -> dict[str, float]:
    """Demonstrations from ``config.sft_from``, then ``config.sft_epochs`` updates of the
    run's model on them; the metrics row (``sft/...``). Under several processes (``ranks``)
    every rank draws the same demonstrations and learns on its share of each minibatch."""
    from training.learner import Learner

    if config.mode != "choice":
        raise ValueError(f"--sft-from needs mode=choice (got mode={config.mode!r}): the "
                         "expert's actions teach choices, not the reply format")
    start = time.perf_counter()
    demos = demonstrations(config, backend, config.sft_from, config.sft_episodes)
    if not demos:
        raise ValueError(f"--sft-from {config.sft_from!r} made no valid decision in "
                         f"{config.sft_episodes} episodes of {', '.join(config.games)}")
    before = expert_logprob(backend, demos, config.token_budget)
    objective = SupervisedFineTuning(normaliser=float(min(config.minibatch, len(demos))))
    learner = Learner(backend, config, objectives=[objective], ranks=ranks)
    stats: dict[str, float] = {}
    for epoch in range(config.sft_epochs):
        stats = learner.update(LearnBatch(samples=demos), 0)
    after = expert_logprob(backend, demos, config.token_budget)
    return {"sft/demonstrations": float(len(demos)), "sft/logprob_before": before,
            "sft/logprob_after": after, "sft/accuracy": stats.get("sft/accuracy", 0.0),
            "sft/seconds": time.perf_counter() - start}
