"""Werewolf metrics from match records of sampled play (``Game.record_metrics``).

The arena's ``arena eval werewolf --agent A`` plays A at every seat position against a
fixed field and hands the match records here (read as plain data: ``roles``,
``returns``, ``decisions``, ``final_render``) with A's seat in each. Metrics, all plain floats:

- ``village/win_rate`` and ``wolves/win_rate`` (with ``_low``/``_high``, the 95% Wilson
  interval, and ``/games``): A's team won the match (a forfeit counts as the returns
  say);
- ``village_votes_on_wolves``: of A's votes while on the village side, the share that
  named a wolf (``/votes``: how many);
- ``seer_alive_day2``: of the games where A was the Seer, the share in which A was still
  alive when day 2 began (``/games``);
- ``invalid_rate``: A's invalid decisions over all its decisions;
- ``mean_days`` and ``mean_decisions``: game length (days begun, decisions of all
  players).
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from games.algorithms.evaluation import wilson_interval

__all__ = ["record_metrics"]

_DEATH = re.compile(r"^  (Night|Day) (\d+): Player (\d+) was (?:killed|eliminated)", re.M)
_DAY = re.compile(r"^  (?:Night|Day) (\d+)", re.M)


def _rate(prefix: str, hits: int, n: int) -> dict[str, float]:
    low, high = wilson_interval(hits, n)
    return {f"{prefix}/win_rate": hits / n if n else 0.0, f"{prefix}/win_rate_low": low,
            f"{prefix}/win_rate_high": high, f"{prefix}/games": float(n)}


def _seer_alive_day2(record: Any, seat: int) -> bool:
    """Not killed on night 1 or 2 nor eliminated on day 1."""
    for when, day, who in _DEATH.findall(record.final_render):
        if int(who) == seat and (int(day) == 1 or (when == "Night" and int(day) == 2)):
            return False
    return True


def _votes(record: Any, seat: int) -> tuple[int, int]:
    wolves = {p for p, r in enumerate(record.roles) if r == "werewolf"}
    hits = total = 0
    for d in record.decisions:
        action = d.action or ""
        if d.player != seat or not d.valid or not action.startswith("[vote Player "):
            continue
        total += 1
        hits += int(action[len("[vote Player "):-1]) in wolves
    return hits, total


def record_metrics(game: Any, records: Sequence[Any],
                   seats: Sequence[int] | None) -> dict[str, float]:
    """The metrics above for the agent at ``seats[i]`` of ``records[i]``."""
    wins = {"village": [0, 0], "wolves": [0, 0]}
    vote_hits = votes = seer_games = seer_alive = invalid = decisions = 0
    days = total_decisions = 0
    for rec, seat in zip(records, seats or [0] * len(records)):
        role = rec.roles[seat]
        team = "wolves" if role == "werewolf" else "village"
        wins[team][0] += rec.returns[seat] > 0
        wins[team][1] += 1
        if team == "village":
            h, t = _votes(rec, seat)
            vote_hits, votes = vote_hits + h, votes + t
        if role == "seer":
            seer_games += 1
            seer_alive += _seer_alive_day2(rec, seat)
        mine = [d for d in rec.decisions if d.player == seat]
        invalid += sum(not d.valid for d in mine)
        decisions += len(mine)
        days += max((int(x) for x in _DAY.findall(rec.final_render)), default=1)
        total_decisions += len(rec.decisions)
    n = max(1, len(records))
    out = {**_rate("village", *wins["village"]), **_rate("wolves", *wins["wolves"])}
    out.update({
        "village_votes_on_wolves": vote_hits / votes if votes else 0.0,
        "village_votes_on_wolves/votes": float(votes),
        "seer_alive_day2": seer_alive / seer_games if seer_games else 0.0,
        "seer_alive_day2/games": float(seer_games),
        "invalid_rate": invalid / decisions if decisions else 0.0,
        "mean_days": days / n,
        "mean_decisions": total_decisions / n,
    })
    return out
