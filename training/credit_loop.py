"""One iteration's advantages: the episode-level estimator (``advantage``) plus
``step_weight`` times the step estimator (``step_credit``); the estimators themselves are
the pure functions of :mod:`training.credit` and :mod:`training.critic`.

Metrics added to the iteration's row: ``credit/group_share`` (the share of decisions the
step estimator reached: in step groups of two or more, searched, or every decision for
the critic), ``credit/step_mean/<game/role>`` and ``credit/step_std/<game/role>``, and
the critic's ``critic/loss``, ``critic/explained_variance`` and ``critic/value_mean``.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Sequence

from arena.records import MatchRecord

from training.advantages import compute_advantages
from training.config import parse_game_weights
from training.credit import (group_advantages, returns_to_go, search_step_advantages,
                             spread_by_key, step_group_advantages, trace_records)
from training.preferences import games_by_id
from training.rollout import Sample

if TYPE_CHECKING:
    from training.run import TrainingRun

__all__ = ["decision_advantages"]


def decision_advantages(run: "TrainingRun", records: Sequence[MatchRecord],
                        samples: Sequence[Sample], step_values: dict
                        ) -> tuple[list[float], dict[str, Any]]:
    """(one advantage per sample, metrics). With ``advantage`` rae/none/batch-mean and
    ``step_credit`` none this is RAE (or its ablation) exactly as before."""
    cfg = run.config
    rewards = [s.reward for s in samples]
    keys = [s.key for s in samples]
    needs_steps = cfg.advantage == "group" or cfg.step_credit != "none"
    if not needs_steps:
        return compute_advantages(rewards, keys, cfg.advantage, run.baselines), {}
    from training.run import POLICY_NAME

    names = [name for name, _ in parse_game_weights(cfg.games)]
    steps = trace_records(records, POLICY_NAME, games_by_id(names), cfg.group_size,
                          cfg.invalid_penalty)
    if len(steps) != len(samples):  # both list the policy's decisions with tokens, in order
        raise RuntimeError(f"{len(steps)} traced decisions for {len(samples)} samples")
    # one source of role keys: the samples' (the decision's own role, cleaned)
    steps = [dataclasses.replace(st, key=s.key) for st, s in zip(steps, samples)]
    if cfg.advantage == "group":
        adv = group_advantages(rewards, [s.episode for s in steps], keys,
                               [s.group for s in steps], [(s.match, s.player) for s in steps],
                               run.baselines)
    else:
        adv = compute_advantages(rewards, keys, cfg.advantage, run.baselines)
    row: dict[str, Any] = {}
    if cfg.step_credit == "none":
        return adv, row
    step, reach = _step_advantages(run, samples, steps, step_values, row)
    row["credit/group_share"] = reach
    for key, (mean, std) in spread_by_key(step, keys).items():
        row[f"credit/step_mean/{key}"] = mean
        row[f"credit/step_std/{key}"] = std
    w = cfg.step_weight
    return [a + w * b for a, b in zip(adv, step)], row


def _step_advantages(run: "TrainingRun", samples: Sequence[Sample], steps, step_values: dict,
                     row: dict[str, Any]) -> tuple[list[float], float]:
    cfg = run.config
    if cfg.step_credit == "search":
        return search_step_advantages(len(steps), [(s.match, s.decision) for s in steps],
                                      step_values)
    if cfg.step_credit == "groups":
        trajectories: dict[tuple[int, int], list[int]] = {}
        for i, s in enumerate(steps):
            trajectories.setdefault((s.match, s.player), []).append(i)
        rtg = returns_to_go([s.reward for s in steps], list(trajectories.values()), cfg.gamma)
        return step_group_advantages(rtg, [s.info for s in steps], [s.key for s in steps],
                                     [s.group for s in steps])
    adv, metrics = run.critic.advantages(run.backend.model, run.backend,
                                         [s.prompt_ids for s in samples], steps, cfg.gamma,
                                         cfg.gae_lambda, run.learner.token_budget, run.iteration)
    row.update(metrics)
    return adv, 1.0
