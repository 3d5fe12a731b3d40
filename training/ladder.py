"""The rating ladder: a small round robin of a run's checkpoints and fixed agents.

Who plays
    The starting model (``start``), the newest saved checkpoints (``checkpoint-N``, at
    most :data:`LADDER_CHECKPOINTS`), and fixed agents (:data:`FIXED`: ``random`` and each
    game's scripted ``expert``; a game without an expert leaves it out). During training
    (``ladder_games > 0``, at each checkpoint) the model just trained plays as ``policy``
    and counts as one of those checkpoints; the ones before it play as ``checkpoint-N``.

How
    Every pair of players meets in every seat order ``games_per_seat`` times
    (:func:`arena.schedule.round_robin_schedule`), all matches of a game in one batched
    runner call (invalid outputs forfeit). A match's seed depends only on (seed, game,
    lineup, repetition), so a ladder is reproducible. Two-player
    games are rated by Bradley-Terry with 95% bootstrap intervals
    (:func:`arena.ratings.bt_ratings`), anchored on ``random`` = 1000 when it plays so
    ratings of successive ladders share a scale (the anchor's interval is that point);
    games with more seats use Plackett-Luce (openskill's mu +- 1.96 sigma).

Result
    A flat dict for a metrics row: ``ladder/<game>/<player>/rating``, ``.../low``,
    ``.../high`` (and ``.../games``). :func:`rate_run` does the same for a finished run
    folder, loading its models through the ``llm`` agent spec.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Mapping, Sequence

import games
from agents import Agent, make_agent
from arena.ratings import Match, bt_ratings, pairwise_results, plackett_luce_ratings
from arena.runner import MatchConfig
from arena.schedule import play, round_robin_schedule
from common.seeds import derive_seed

from training.checkpoint import _checkpoints
from training.config import parse_game_weights

__all__ = ["FIXED", "LADDER_CHECKPOINTS", "ladder_checkpoints", "play_ladder", "rate_run"]

log = logging.getLogger(__name__)

FIXED = ("random", "expert")
"""Fixed agents every ladder includes (agent specs)."""
LADDER_CHECKPOINTS = 3
"""Saved checkpoints in a ladder at most (the newest ones)."""
BOOTSTRAP = 200


def ladder_checkpoints(run_dir: str | Path, last: int = LADDER_CHECKPOINTS
                       ) -> list[tuple[int, Path]]:
    """The newest ``last`` complete checkpoints of a run, oldest first."""
    if last < 0:
        raise ValueError(f"last={last!r} must be >= 0 (checkpoints in the ladder)")
    found = _checkpoints(Path(run_dir))
    return found[-last:] if last else []


def _fixed_players(game: games.Game, fixed: Sequence[str], seed: int) -> dict[str, Agent]:
    out: dict[str, Agent] = {}
    for spec in fixed:
        if spec == "expert" and type(game).expert is None:
            log.info("ladder on %s without expert: the game declares none", game.info.id)
            continue
        out[spec] = make_agent(spec, seed=derive_seed("ladder-agent", seed, spec))
    return out


def _rate(records, game: games.Game, seed: int) -> dict[str, tuple[float, float, float]]:
    outcomes = [Match(r.agents, r.returns, r.roles, game.teams(r.roles)) for r in records]
    if game.num_players == 2 and all(len(set(m.teams)) == 2 for m in outcomes):
        names = {a for m in outcomes for a in m.agents}
        anchor = "random" if "random" in names else None
        return bt_ratings(pairwise_results(outcomes), bootstrap=BOOTSTRAP, seed=seed,
                          anchor=anchor)
    return plackett_luce_ratings(outcomes)


def play_ladder(players: Mapping[str, Agent], game_names: Sequence[str], games_per_seat: int,
                seed: int, fixed: Sequence[str] = FIXED) -> dict[str, float]:
    """Round robin of ``players`` (name -> agent) and the ``fixed`` agents on each game;
    returns the ``ladder/...`` metrics (see the module doc)."""
    if games_per_seat < 1:
        raise ValueError(f"games_per_seat={games_per_seat!r} must be >= 1, e.g. 4")
    clash = sorted(set(players) & set(fixed))
    if clash:
        raise ValueError(f"ladder player names {clash} clash with the fixed agents; rename them")
    row: dict[str, float] = {}
    for name in dict.fromkeys(game_names):
        game = games.make(name)
        entrants = {**players, **_fixed_players(game, fixed, seed)}
        for agent in entrants.values():  # records name agents by their .name
            if entrants.get(agent.name) is not agent:
                raise ValueError(f"ladder agent {agent.name!r} must be keyed by its own name")
        if len(entrants) < max(2, game.num_players):
            raise ValueError(f"a ladder on {name!r} needs at least {max(2, game.num_players)} "
                             f"players, got {sorted(entrants)}")
        planned = round_robin_schedule(name, entrants, games_per_seat, seed, "ladder", game)
        records = play(planned, entrants, MatchConfig(invalid="forfeit"), "ladder:")
        base = name.split(":")[0]
        played = {a: 0 for a in entrants}
        for rec in records:
            for a in set(rec.agents):
                played[a] += 1
        for agent, (rating, low, high) in _rate(records, game, seed).items():
            prefix = f"ladder/{base}/{agent}"
            row.update({f"{prefix}/rating": float(rating), f"{prefix}/low": float(low),
                        f"{prefix}/high": float(high), f"{prefix}/games": float(played[agent])})
    return row


def rate_run(run_dir: str | Path, games_per_seat: int = 4, last: int = LADDER_CHECKPOINTS,
             seed: int = 0, fixed: Sequence[str] = FIXED, device: str = "auto"
             ) -> dict[str, float]:
    """The ladder of a run folder: its starting model, its newest ``last`` checkpoints and
    the fixed agents, on the run's games, the models playing as the run's policy does."""
    run_dir = Path(run_dir)
    cfg_path = run_dir / "config.json"
    if not cfg_path.exists():
        raise FileNotFoundError(f"no config.json in {run_dir}: is it a run folder of arena train?")
    cfg = json.loads(cfg_path.read_text())
    options = (f"mode={cfg['mode']},prompt={cfg.get('prompt', 'full')},"
               f"temperature={cfg['temperature']},"
               f"max_new_tokens={cfg['max_new_tokens']},device={device}")
    paths = {"start": cfg.get("init_from") or cfg["model"]}
    paths.update({f"checkpoint-{it}": str(p) for it, p in ladder_checkpoints(run_dir, last)})
    bad = [p for p in paths.values() if "," in p]
    if bad:
        raise ValueError(f"model paths {bad} hold a comma, which agent specs cannot carry; "
                         "move the run to a path without commas")
    players = {}
    for name, path in paths.items():
        agent = make_agent(f"llm:model={path},{options}", seed=cfg["seed"])
        agent.name = name
        players[name] = agent
    game_names = [name for name, _ in parse_game_weights(cfg["games"])]
    return play_ladder(players, game_names, games_per_seat, seed, fixed)
