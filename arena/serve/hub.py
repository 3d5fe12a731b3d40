"""What the sessions of one server share: the game, who fills each seat, open tables.

Seats. The client's seat (``seat``) is played by the session that resets; every other
seat is filled by an agent spec (``opponents``: one spec for all of them, or one per
other seat in seat order). The spec ``self`` makes a seat a client seat too: such a match
is a table that sessions join (one seat each, the lowest free one), and it starts playing
as soon as its first seat's question comes; a session waits (at most ``wait_timeout``
seconds) while another session's seat is to move.

Seeds. A reset that names a seed plays that seed; one that does not gets the next of the
server's own sequence (``derive_seed("serve", seed, n)``). Every agent of a match is built
for it with ``derive_seed("play-agent", match seed, seat, spec)``, as ``arena play`` builds
them, so a served match and ``arena play GAME --agents ... --seed S`` are the same match.
In self-play, sessions that reset with the same seed (or with none) join the same open
table.

Models. Agents of every session that name one model share its weights (one
:class:`~agents.llm.model_cache.ModelCache`); their decisions are taken one table at a
time (``agent_lock``).
"""

from __future__ import annotations

import itertools
import threading
from typing import Sequence

import games
from agents.base import Agent
from agents.llm.model_cache import ModelCache, make_agent_sharing
from agents.registry import split_agent_specs
from common.seeds import derive_seed

from arena.runner import MatchConfig
from arena.serve.sink import RecordSink
from arena.serve.table import ClientSeat, Table

__all__ = ["Hub", "SELF", "seat_specs"]

SELF = "self"
"""The opponent spec of a seat played by another client session."""


def seat_specs(num_players: int, seat: int, opponents: Sequence[str]) -> list[str]:
    """The spec of every seat (``self`` for client seats): ``opponents`` is one spec for
    every other seat or one per other seat in order; a comma-separated item is split like
    ``arena play --agents``."""
    if not 0 <= seat < num_players:
        raise ValueError(f"--seat {seat} is not a seat of this game: seats are 0 to "
                         f"{num_players - 1}")
    specs = [s for item in opponents for s in split_agent_specs(item)]
    others = num_players - 1
    if len(specs) == 1:
        specs = specs * others
    if len(specs) != others:
        raise ValueError(
            f"--opponents gives {len(specs)} agent spec(s) ({', '.join(specs) or 'none'}) "
            f"for {others} other seat(s): give one spec for all of them (--opponents random) "
            f"or one per other seat in seat order")
    return specs[:seat] + [SELF] + specs[seat:]


class Hub:
    """Shared by every session: builds each match's agents and tables, hands finished
    records to the store (``sink``). Thread safe."""

    def __init__(self, game: str, opponents: Sequence[str] = ("random",), seat: int = 0,
                 invalid: str = "error", max_turns: int | None = None,
                 wait_timeout: float = 30.0, seed: int = 0,
                 sink: RecordSink | None = None) -> None:
        self.game_spec = game
        self.game = games.make(game)
        self.seats = seat_specs(self.game.num_players, seat, opponents)
        self.clients = tuple(i for i, s in enumerate(self.seats) if s == SELF)
        self.refuse_invalid = invalid == "error"
        self.config = MatchConfig(invalid="forfeit" if self.refuse_invalid else invalid,
                                  max_turns=max_turns)
        self.wait_timeout = wait_timeout
        self.seed = seed
        self.sink = sink
        self.models = ModelCache()
        self._lock = threading.Lock()
        self._agent_lock = threading.Lock()
        self._episodes = itertools.count()
        self._open: dict[int | None, tuple[Table, list[int]]] = {}
        self.agents_for(0)  # a spec that cannot be built fails here, before serving

    def agents_for(self, seed: int) -> list[Agent]:
        """The agents of a match with ``seed``, as ``arena play`` builds them; a
        :class:`ClientSeat` in every client seat."""
        return [ClientSeat() if spec == SELF else
                make_agent_sharing(spec, derive_seed("play-agent", seed, i, spec), self.models)
                for i, spec in enumerate(self.seats)]

    def next_seed(self) -> int:
        return derive_seed("serve", self.seed, next(self._episodes))

    def join(self, seed: int | None, name: str) -> tuple[Table, int]:
        """A seat for a session that resets: a new match, or in self-play the open table
        of that seed (``None``: the server's next seed) with a free client seat."""
        with self._lock:
            entry = self._open.get(seed)
            if entry is not None and entry[0].finished:  # its sessions all left early
                entry = None
            if entry is None:
                match_seed = self.next_seed() if seed is None else seed
                table = Table(self.game, self.agents_for(match_seed), match_seed, self.config,
                              self.refuse_invalid, agent_lock=lambda: self._agent_lock)
                entry = (table, list(self.clients))
                if len(self.clients) > 1:
                    self._open[seed] = entry
            table, free = entry
            player = free.pop(0)
            if not free:
                self._open.pop(seed, None)
        table.live.spec.agents[player].name = name
        return table, player

    def store(self, table: Table) -> str:
        """The match id of ``table``'s finished match in the store ("" without one, or
        for a match that ended because a client left). Stored once, whichever of its
        sessions asks first."""
        record = table.record
        if record is None or self.sink is None or record.outcome == "quit":
            return ""
        with self._lock:
            if table.match_id is None:
                table.match_id = self.sink.put(record)
            return table.match_id

    def close(self) -> None:
        """Commit the records still queued and free the models."""
        if self.sink is not None:
            self.sink.close()
        self.models.clear()
