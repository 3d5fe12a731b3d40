"""Turn-level credit: an advantage per decision, not one per episode.

RAE gives every decision of an episode the episode's return minus its role's baseline.
On a 50-step household episode that pushes the one decisive step and the 49 others alike.
Here a decision's advantage is its episode-level advantage plus ``step_weight`` times a
step advantage from one of three estimators. All are pure functions of numbers, each with
a hand-worked reference test (tests/training/test_credit.py).

Episode level (``advantage``):

- ``rae``, ``none``, ``batch-mean``: :func:`training.advantages.compute_advantages`.
- ``group`` (:func:`group_advantages`): with ``group_size`` K, K episodes are played from
  one start (the same seed: deal, world, roles; their own draws of the agents'
  randomness). A decision's advantage is its episode's return minus the mean return of
  the same role over the group's episodes (each episode once, its seats of that role
  averaged), divided by their standard deviation when it is above :data:`STD_FLOOR`. It
  composes with RAE's per-role baselines this way: the group mean of the role replaces
  the moving baseline wherever two or more of the group's episodes hold a decision of the
  role, and the baseline (which still learns from every reward) is used where only one
  does (a role whose seats decided in one episode only: a forfeit, a seat eliminated
  before it acted).

Step level (``step_credit``), from the returns-to-go of each player's decisions
(:func:`trace_records`: per-step rewards are the game's final return at a player's last
decision, plus, in games that declare dense rewards, what each step earned; an invalid
decision adds ``invalid_penalty`` at its own step; ``gamma`` discounts per decision of
that player):

- ``groups`` (:func:`step_group_advantages`): within a group, the decisions taken at the
  same information state (the game's ``information_state(player)``, hashed: exact, not
  the observation's text) form a step group; a decision's step advantage is its
  return-to-go minus its step group's mean, and 0 in a group of one. The share of
  decisions in step groups of two or more is the estimator's reach (``credit/group_share``).
- ``search`` (:func:`search_step_advantages`): at the decisions the step-preference
  search visits (``pref_prob`` of them), Q(s, a) - V(s) of the chosen action, V the
  visit-weighted mean of the root's Q; 0 elsewhere.
- ``critic`` (:mod:`training.critic`, :func:`gae`): a value head on the policy model's last
  hidden state at the prompt's end; per-turn GAE(``gamma``, ``gae_lambda``) over each
  player's decisions, normalised per role (:func:`normalise_per_role`).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Sequence

import games
from arena.records import MatchRecord

from training.advantages import RoleBaselines

__all__ = ["STD_FLOOR", "Step", "trace_records", "returns_to_go", "group_advantages",
           "step_group_advantages", "search_step_advantages", "gae", "normalise_per_role",
           "spread_by_key"]

STD_FLOOR = 1e-3
"""Group returns whose standard deviation is at or below this are centred, not scaled (a
group whose episodes all ended alike would otherwise divide noise by almost zero)."""


@dataclass(frozen=True)
class Step:
    """Where one learning decision sits, in the order :func:`training.rollout.collect_samples`
    lists them."""

    match: int
    """Index of its record in the iteration."""
    decision: int
    """Index of the decision in its record."""
    player: int
    group: int
    """``match // group_size``: the episodes played from one start share it."""
    key: str
    """``game/role``."""
    info: str
    """Hash of the player's information state just before the decision."""
    reward: float
    """What this step earned (see the module docstring)."""
    episode: float
    """The player's return in the episode."""


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def trace_records(records: Sequence[MatchRecord], learner: str, built: dict,
                  group_size: int, invalid_penalty: float) -> list[Step]:
    """Replay every record (its seed, then its actions) and return a :class:`Step` per
    decision of ``learner`` that has tokens, in record and decision order. ``built`` maps
    ``(game id, repr(sorted(options)))`` to the game (see
    :func:`training.preferences.games_by_id`)."""
    steps: list[Step] = []
    for m, rec in enumerate(records):
        key = (rec.game, repr(sorted(dict(rec.options).items())))
        game = built[key]
        dense = game.dense_rewards
        state = game.new_state(rec.seed)
        mine: list[tuple[int, int, str, float, bool]] = []  # decision, player, info, potential
        for k, d in enumerate(rec.decisions):
            if d.agent == learner and d.token_ids is not None:
                potential = state.returns()[d.player] if dense else 0.0
                mine.append((k, d.player, _hash(state.information_state(d.player)),
                             float(potential), d.valid))
            if d.action is not None:
                state.apply(d.player, d.action)
        last_potential: dict[int, float] = {}
        rewards: dict[int, float] = {}
        for k, player, _, potential, valid in reversed(mine):
            nxt = last_potential.get(player, float(rec.returns[player]))
            rewards[k] = nxt - potential + (0.0 if valid else invalid_penalty)
            last_potential[player] = potential
        for k, player, info, _, _ in mine:
            steps.append(Step(m, k, player, m // group_size, f"{rec.game}/{rec.roles[player]}",
                              info, rewards[k], float(rec.returns[player])))
    return steps


def _trajectories(steps: Sequence[Step]) -> dict[tuple[int, int], list[int]]:
    """Sample indices of each (match, player), in decision order."""
    out: dict[tuple[int, int], list[int]] = {}
    for i, s in enumerate(steps):
        out.setdefault((s.match, s.player), []).append(i)
    return out


def returns_to_go(rewards: Sequence[float], trajectories: Sequence[Sequence[int]],
                  gamma: float) -> list[float]:
    """``G_t = r_t + gamma * G_{t+1}`` along each trajectory (lists of indices)."""
    out = [0.0] * len(rewards)
    for traj in trajectories:
        g = 0.0
        for i in reversed(traj):
            g = rewards[i] + gamma * g
            out[i] = g
    return out


def group_advantages(rewards: Sequence[float], episodes: Sequence[float], keys: Sequence[str],
                     groups: Sequence[int], units: Sequence[tuple[int, int]],
                     baselines: RoleBaselines) -> list[float]:
    """Episode-level group advantages (see the module docstring). ``rewards[i]``: the
    decision's episode reward (its invalid penalty included); ``episodes[i]``: the
    player's return; ``units[i]``: (match, player). Each match counts once per role: the
    returns of a role's seats in one match are averaged first (Werewolf's villagers), so a
    match is not weighted by how many of its seats decided. A role held in fewer than two
    matches of the group falls back to RAE's baseline. The baselines are updated with
    every reward afterwards, as RAE's are."""
    seats: dict[tuple[int, str], dict[int, dict[int, float]]] = {}
    for e, k, g, (match, player) in zip(episodes, keys, groups, units):
        seats.setdefault((g, k), {}).setdefault(match, {})[player] = e
    stats: dict[tuple[int, str], tuple[float, float] | None] = {}
    for gk, matches in seats.items():
        values = [sum(by_seat.values()) / len(by_seat) for by_seat in matches.values()]
        if len(values) < 2:
            stats[gk] = None
            continue
        mean = sum(values) / len(values)
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        stats[gk] = (mean, std)
    out = []
    for r, k, g in zip(rewards, keys, groups):
        found = stats[(g, k)]
        if found is None:
            out.append(float(r) - baselines.get(k))
            continue
        mean, std = found
        out.append((r - mean) / std if std > STD_FLOOR else float(r) - mean)
    baselines.update(keys, rewards)
    return out


def step_group_advantages(rtg: Sequence[float], infos: Sequence[str], keys: Sequence[str],
                          groups: Sequence[int]) -> tuple[list[float], float]:
    """(step advantages, reach): return-to-go minus the mean of its step group (same
    rollout group, role and information state); 0 alone. Reach: the share of decisions
    in step groups of two or more."""
    members: dict[tuple[int, str, str], list[int]] = {}
    for i, key in enumerate(zip(groups, keys, infos)):
        members.setdefault(key, []).append(i)
    out = [0.0] * len(rtg)
    reached = 0
    for idx in members.values():
        if len(idx) < 2:
            continue
        reached += len(idx)
        mean = sum(rtg[i] for i in idx) / len(idx)
        for i in idx:
            out[i] = rtg[i] - mean
    return out, (reached / len(rtg) if rtg else 0.0)


def search_step_advantages(n: int, where: Sequence[tuple[int, int]],
                           searched: dict[tuple[int, int], float]) -> tuple[list[float], float]:
    """(step advantages, reach): ``searched[(match, decision)]`` (Q - V of the chosen
    action) at the searched decisions, 0 elsewhere; reach: the share searched."""
    out = [float(searched.get(w, 0.0)) for w in where[:n]]
    hit = sum(w in searched for w in where[:n])
    return out, (hit / n if n else 0.0)


def gae(rewards: Sequence[float], values: Sequence[float],
        trajectories: Sequence[Sequence[int]], gamma: float, lam: float
        ) -> tuple[list[float], list[float]]:
    """(advantages, value targets) by generalised advantage estimation along each
    trajectory: ``delta_t = r_t + gamma V_{t+1} - V_t`` (V after the last step 0),
    ``A_t = delta_t + gamma lam A_{t+1}``, target ``A_t + V_t``."""
    adv = [0.0] * len(rewards)
    for traj in trajectories:
        a, v_next = 0.0, 0.0
        for i in reversed(traj):
            delta = rewards[i] + gamma * v_next - values[i]
            a = delta + gamma * lam * a
            adv[i] = a
            v_next = values[i]
    return adv, [a + v for a, v in zip(adv, values)]


def normalise_per_role(values: Sequence[float], keys: Sequence[str]) -> list[float]:
    """Each role's values centred and divided by their standard deviation (centred only
    at or below :data:`STD_FLOOR`; a role with one value gets 0)."""
    by_key: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        by_key.setdefault(k, []).append(i)
    out = [0.0] * len(values)
    for idx in by_key.values():
        if len(idx) < 2:
            continue
        mean = sum(values[i] for i in idx) / len(idx)
        std = math.sqrt(sum((values[i] - mean) ** 2 for i in idx) / len(idx))
        for i in idx:
            out[i] = (values[i] - mean) / std if std > STD_FLOOR else values[i] - mean
    return out


def spread_by_key(values: Sequence[float], keys: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Per key: (mean, standard deviation) of ``values``."""
    by_key: dict[str, list[float]] = {}
    for v, k in zip(values, keys):
        by_key.setdefault(k, []).append(v)
    out = {}
    for k, vs in by_key.items():
        mean = sum(vs) / len(vs)
        out[k] = (mean, math.sqrt(sum((v - mean) ** 2 for v in vs) / len(vs)))
    return out
