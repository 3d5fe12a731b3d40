"""Rollouts through the arena runner, and the samples training learns from.

The learning policy plays every seat of most matches (self-play, so every role of every
game is learned); with probability ``opponent_prob`` one seat goes to an opponent from the
pool (snapshots of the policy, fixed agents). Decisions of pool opponents are not trained
on. A match's seed, its seats and its opponent depend only on (run seed, iteration,
match index): a resumed run replays exactly what an uninterrupted one would.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Sequence

import games
from agents import Agent
from arena.records import MatchRecord
from arena.runner import MatchConfig, MatchSpec, run_matches

from training.config import SelfPlayConfig, parse_game_weights
from training.distributed import SINGLE, Ranks

__all__ = ["Sample", "play_iteration", "collect_samples"]


@dataclass(frozen=True)
class Sample:
    """One decision of the learning policy, with what the learner needs."""

    key: str
    """``game/role`` of the decision (the RAE baseline it uses)."""
    reward: float
    prompt_ids: tuple[int, ...]
    token_ids: tuple[int, ...]
    """Generate mode: the sampled tokens; choice mode: the chosen action's tokens."""
    logprobs: tuple[float, ...]
    """Generate mode: per-token log-probabilities at sampling time."""
    actions: tuple[str, ...] = ()
    """Choice mode: the legal actions scored."""
    chosen: int = -1
    """Choice mode: index of the sampled action."""
    old_logprob: float = 0.0
    """Choice mode: log-probability of the sampled action under the sampling policy."""
    valid: bool = True


def _draw_game(weighted: list[tuple[str, float]], rng: random.Random) -> str:
    total = sum(w for _, w in weighted)
    r = rng.random() * total
    for name, w in weighted:
        r -= w
        if r < 0:
            return name
    return weighted[-1][0]


def play_iteration(
    config: SelfPlayConfig, iteration: int, policy: Agent, pool: Sequence[Agent],
    ranks: Ranks = SINGLE,
) -> list[MatchRecord]:
    """Play one iteration's matches, all batched in one runner call. With ``group_size``
    K > 1, matches come in groups of K consecutive ones that share a start (game, seats,
    seed) and differ in the agents' draws (:attr:`arena.runner.MatchSpec.draw`); K = 1 is
    the single-episode draw of earlier versions, match for match.

    Under several processes (``ranks``), every rank draws the same list of matches, plays
    those whose index is its rank modulo N, and gathers the others' records: every rank
    returns the whole iteration, in match order. A decision depends on its agent's seed
    and its own seed only (never on the batch it ran in), so the records are those one
    process plays."""
    rng = random.Random(f"rollout/{config.seed}/{iteration}")
    weighted = parse_game_weights(config.games)
    built: dict[str, games.Game] = {}
    specs = []
    k = config.group_size
    for m in range(config.matches_per_iteration):
        if m % k == 0:
            name = _draw_game(weighted, rng)
            game = built.setdefault(name, games.make(name))
            seats: list[Agent] = [policy] * game.num_players
            if pool and rng.random() < config.opponent_prob:
                seats[rng.randrange(game.num_players)] = pool[rng.randrange(len(pool))]
            seed = rng.randrange(2**31)
        specs.append(MatchSpec(game, list(seats), seed, match_id=f"it{iteration}:{m}",
                               draw=m % k))
    if ranks.world == 1:
        return run_matches(specs, MatchConfig(invalid="forfeit"))
    mine = run_matches([specs[i] for i in ranks.mine(len(specs))], MatchConfig(invalid="forfeit"))
    gathered = ranks.gather_json([r.to_dict() for r in mine], len(specs))
    return [MatchRecord.from_dict(d) for d in gathered]


def collect_samples(records: Sequence[MatchRecord], learner_name: str,
                    invalid_penalty: float) -> list[Sample]:
    """Every decision the learning policy made, with its reward: the player's final return,
    plus ``invalid_penalty`` when the decision was invalid."""
    samples = []
    for rec in records:
        for d in rec.decisions:
            if d.agent != learner_name or d.token_ids is None:
                continue
            reward = rec.returns[d.player] + (0.0 if d.valid else invalid_penalty)
            info = d.info
            common = dict(key=f"{rec.game}/{d.role}", reward=float(reward),
                          prompt_ids=tuple(info.get("prompt_ids", ())),
                          token_ids=tuple(d.token_ids), valid=d.valid)
            if info.get("mode") == "choice":
                actions = tuple(d.legal_actions or ())
                chosen = actions.index(d.action)
                p = (d.distribution or {}).get(d.action, 0.0)
                samples.append(Sample(**common, logprobs=(), actions=actions, chosen=chosen,
                                      old_logprob=math.log(max(p, 1e-30))))
            else:
                samples.append(Sample(**common, logprobs=tuple(d.logprobs or ())))
    return samples
