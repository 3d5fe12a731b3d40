"""Evaluation of an agent on any game: the game's exact evaluators and sampled play.

:func:`evaluate` runs, without naming any game:

- every exact evaluator the game declares (:meth:`games.Game.evaluators`, e.g. Kuhn
  Poker's exploitability, TicTacToe's optimal-move rate) on the agent's stated policy
  (``agent.policy_batch``). An evaluator that cannot run (the agent states no
  distribution, the game tree is too large) is skipped with a note saying why.
- sampled play: ``games`` matches per seat against each fixed opponent (``random`` and
  the game's scripted ``expert`` where it declares one; the agent at each seat in turn,
  the opponent in every other seat), batched through :mod:`arena.schedule`. Reported
  overall and per role: win, draw and loss rates (a win: the agent's side scores more
  than every other side, so team games count the team's result), the win rate's 95%
  Wilson interval and the mean return. A one-player game has no opponent: its
  ``episodes/...`` metrics give the mean return and success rate (a return equal to the
  game's best) with intervals.
- metrics the game reads from the records of that play (:meth:`games.Game.record_metrics`,
  e.g. Werewolf's win rate per team and share of village votes on wolves), named
  ``vs_<opponent>/game/<metric>``. Teams per match come from ``Game.teams(roles)``
  (Werewolf deals roles, hence teams, by the seed).

Metric names (flat, ready for a metrics row): the evaluators' own (``exploitability``,
``optimal_moves/X``...), ``vs_<opponent>/<metric>``, ``vs_<opponent>/<role>/<metric>``
and ``episodes/<metric>``. Seeds come from :func:`common.seeds.derive_seed` (purpose
``eval``), so the same seed gives the same numbers.

A policy file (``arena eval GAME --policy FILE.json``) is read by the game where it
declares a reader (``Game.load_policy(path) -> Policy``), else as a table ``{information
state: {action: probability}}``, where a bare number at an information state with two
legal actions is the probability of the second (Kuhn Poker's bet or call).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import games
from agents import Agent, Decision, make_agent
from common.draws import sample_from
from games.algorithms import evaluators_of
from games.algorithms.evaluation import EvaluatorUnavailable, Policy
from common.seeds import derive_seed

from arena.records import MatchRecord
from arena.results import mean_interval, sides, wilson_interval
from arena.runner import MatchConfig
from arena.schedule import Scheduled, benchmark_schedule, play, versus_schedule

__all__ = ["OPPONENTS", "Evaluation", "evaluate", "exact_metrics", "sampled_metrics",
           "PolicyAgent", "load_policy", "table_policy"]

OPPONENTS = ("random", "expert")
"""The fixed opponents of sampled evaluation (``expert`` where the game declares one)."""
_ME = "@evaluated"


@dataclass(frozen=True)
class Evaluation:
    game: str
    agent: str
    games: int
    """Sampled matches per seat and opponent (episodes in a one-player game)."""
    seed: int
    metrics: dict[str, float]
    notes: list[str] = field(default_factory=list)
    """Evaluators or opponents skipped, and why."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def exact_metrics(game: games.Game, policy: Policy) -> tuple[dict[str, float], list[str]]:
    """Every exact evaluator of ``game`` on ``policy``: (metrics, notes of those skipped)."""
    metrics: dict[str, float] = {}
    notes: list[str] = []
    for ev in evaluators_of(game):
        try:
            metrics.update({k: float(v) for k, v in ev.fn(game, policy).items()})
        except EvaluatorUnavailable as err:
            notes.append(f"{ev.name} skipped: {err}")
    return metrics, notes


def _rates(prefix: str, results: list[tuple[int, float]]) -> dict[str, float]:
    """Rates of ``(result, return)`` pairs, result 1 win, 0 draw, -1 loss."""
    n = len(results)
    wins = sum(r == 1 for r, _ in results)
    low, high = wilson_interval(wins, n)
    return {
        f"{prefix}win_rate": wins / n, f"{prefix}win_rate_low": low,
        f"{prefix}win_rate_high": high,
        f"{prefix}draw_rate": sum(r == 0 for r, _ in results) / n,
        f"{prefix}loss_rate": sum(r == -1 for r, _ in results) / n,
        f"{prefix}mean_return": sum(ret for _, ret in results) / n, f"{prefix}games": float(n),
    }


def _outcome(record: MatchRecord, seat: int, teams: tuple[int, ...]) -> int:
    """1 win, 0 draw, -1 loss of the side holding ``seat``. Seats are told apart by
    position, not by name: the evaluated agent may share its name with the opponent."""
    seats = tuple(f"seat-{s}" for s in range(len(record.agents)))
    found = sides((seats, record.returns, record.roles, teams))
    mine = next(s for s in found if seat in s.seats)
    others = [s.score for s in found if s is not mine]
    if not others:
        return 0
    best = max(others)
    return (mine.score > best) - (mine.score < best)


def _by_role(prefix: str, game: games.Game, planned: Sequence[Scheduled],
             records: Sequence[MatchRecord]) -> dict[str, float]:
    overall: list[tuple[int, float]] = []
    per_role: dict[str, list[tuple[int, float]]] = {}
    for m, rec in zip(planned, records):
        seat = m.agents.index(_ME)
        teams = game.teams(rec.roles)
        result = (_outcome(rec, seat, teams), float(rec.returns[seat]))
        overall.append(result)
        per_role.setdefault(rec.roles[seat], []).append(result)
    out = _rates(prefix, overall)
    for role, results in sorted(per_role.items()):
        out.update(_rates(f"{prefix}{role}/", results))
    return out


def _episodes(game: games.Game, records: Sequence[MatchRecord]) -> dict[str, float]:
    returns = [float(r.returns[0]) for r in records]
    best = float(game.info.max_utility)
    wins = sum(r >= best - 1e-9 for r in returns)
    mean, low, high = mean_interval(returns)
    s_low, s_high = wilson_interval(wins, len(returns))
    return {"episodes/mean_return": mean, "episodes/mean_return_low": low,
            "episodes/mean_return_high": high, "episodes/success_rate": wins / len(returns),
            "episodes/success_rate_low": s_low, "episodes/success_rate_high": s_high,
            "episodes/games": float(len(returns))}


def sampled_metrics(game_spec: str, agent: Agent, games_per_seat: int, seed: int,
                    opponents: Sequence[str] = OPPONENTS) -> tuple[dict[str, float], list[str]]:
    """Sampled play of ``agent`` against each opponent in every seat, in one batched run
    (see the module doc): (metrics, notes of opponents skipped)."""
    game = games.make(game_spec)
    if game.num_players == 1:
        planned = benchmark_schedule(game_spec, [_ME], games_per_seat, seed, None, "eval", game)
        records = play(planned, {_ME: agent}, MatchConfig())
        extra = game.record_metrics(records, None)
        return {**_episodes(game, records),
                **{f"episodes/game/{k}": float(v) for k, v in extra.items()}}, []
    notes, plans, players = [], {}, {_ME: agent}
    for opp in opponents:
        if opp == "expert" and type(game).expert is None:
            notes.append(f"vs_expert skipped: game {game.info.id!r} declares no scripted expert")
            continue
        players[opp] = make_agent(opp, seed=derive_seed("eval-agent", seed, opp))
        plans[opp] = versus_schedule(game_spec, _ME, opp, games_per_seat, seed, "eval", game)
    everything = [m for planned in plans.values() for m in planned]
    records = play([m._replace(index=i) for i, m in enumerate(everything)], players)
    metrics: dict[str, float] = {}
    start = 0
    for opp, planned in plans.items():
        mine = records[start:start + len(planned)]
        start += len(planned)
        metrics.update(_by_role(f"vs_{opp}/", game, planned, mine))
        extra = game.record_metrics(mine, [m.agents.index(_ME) for m in planned])
        metrics.update({f"vs_{opp}/game/{k}": float(v) for k, v in extra.items()})
    return metrics, notes


MAX_GAMES = 10_000
"""The most matches per seat and opponent (episodes of a one-player game) one evaluation
plays: their records are held in memory until the metrics are computed."""


def evaluate(game_spec: str, agent: Agent | str, games: int = 100, seed: int = 0, *,
             exact: bool = True, sampled: bool = True,
             opponents: Sequence[str] = OPPONENTS) -> Evaluation:
    """Exact evaluators and sampled play of ``agent`` (an agent or a spec) on a game."""
    if not isinstance(games, int) or isinstance(games, bool) or not 0 <= games <= MAX_GAMES:
        raise ValueError(f"--games {games!r} must be a whole number from 0 to {MAX_GAMES} "
                         "(matches per seat and opponent, or episodes of a one-player game, "
                         "all held in memory; 0: exact evaluators only), e.g. --games 100")
    game = _make_game(game_spec)
    name = agent if isinstance(agent, str) else agent.name
    if isinstance(agent, str):
        agent = make_agent(agent, seed=derive_seed("eval-agent", seed, agent))
    metrics: dict[str, float] = {}
    notes: list[str] = []
    if exact:
        found, skipped = exact_metrics(game, agent.policy_batch)
        metrics.update(found)
        notes += skipped
    if sampled and games > 0:
        found, skipped = sampled_metrics(game_spec, agent, games, seed, opponents)
        metrics.update(found)
        notes += skipped
    return Evaluation(game.info.id, name, games, seed, metrics, notes)


def _make_game(spec: str) -> games.Game:
    return games.make(spec)  # (evaluate's ``games`` argument hides the module there)


# ---- policies from files -------------------------------------------------------------


class PolicyAgent(Agent):
    """An agent playing a stated policy: samples each action from the distribution."""

    def __init__(self, policy: Policy, name: str = "policy", seed: int = 0) -> None:
        super().__init__(seed)
        self.name = name
        self._policy = policy

    def policy_batch(self, obs: Sequence[Any]) -> list[dict[str, float] | None]:
        return list(self._policy(list(obs)))

    def policy(self, obs: Any) -> dict[str, float] | None:
        return self.policy_batch([obs])[0]

    def act_batch(self, obs: Sequence[Any], determinisers: Any = None) -> list[Decision]:
        out = []
        for o, dist in zip(obs, self.policy_batch(obs)):
            if not dist:
                raise ValueError(f"policy {self.name!r} states no distribution at "
                                 f"{o.info_state!r}; a policy file must cover every "
                                 "information state the game reaches")
            out.append(Decision(text=sample_from(dist, self.rng_for(o)), distribution=dist))
        return out


def table_policy(table: Mapping[str, Any], source: str = "policy") -> Policy:
    """A policy from ``{information state: {action: p} | p}`` (see the module doc)."""

    def policy(observations: Sequence[Any]) -> list[dict[str, float] | None]:
        out: list[dict[str, float] | None] = []
        for obs in observations:
            entry = table.get(obs.info_state)
            legal = list(obs.legal_actions or ())
            if entry is None:
                raise ValueError(f"{source} has no entry for information state "
                                 f"{obs.info_state!r}; add it (legal actions: {legal})")
            if isinstance(entry, (int, float)) and not isinstance(entry, bool):
                if len(legal) != 2 or not 0.0 <= float(entry) <= 1.0:
                    raise ValueError(
                        f"{source}[{obs.info_state!r}] = {entry!r}: a number stands for the "
                        f"probability (0..1) of the second of two legal actions, here {legal}; "
                        "give {action: probability} instead")
                out.append({legal[0]: 1.0 - float(entry), legal[1]: float(entry)})
            elif isinstance(entry, Mapping):
                out.append({str(a): float(p) for a, p in entry.items()})
            else:
                raise ValueError(f"{source}[{obs.info_state!r}] = {entry!r} must be "
                                 "{action: probability} or a number")
        return out

    return policy


def load_policy(game: games.Game, path: str | Path) -> Policy:
    """The policy in a file: the game's own reader if it offers one, else a table."""
    policy = game.load_policy(path)
    if policy is not None:
        return policy
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as err:
        raise ValueError(f"policy file {str(path)!r} does not exist") from err
    except json.JSONDecodeError as err:
        raise ValueError(f"policy file {str(path)!r} is not valid JSON: {err}") from err
    if not isinstance(data, dict):
        raise ValueError(f"policy file {str(path)!r} must hold a JSON object "
                         "{information state: {action: probability}}")
    return table_policy(data, f"policy file {str(path)!r}")
