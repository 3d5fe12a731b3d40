"""Werewolf's game object: the declaration (``GameInfo``), options, legal-action tables
built once per game, the deal, and the hooks the arena reads (teams from roles, record
metrics). The state and its rules are in :mod:`games.werewolf.state`."""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from games.core import VIEWS, Game, GameInfo

from games.werewolf import moves as mv
from games.werewolf.draws import deal
from games.werewolf.evaluation import record_metrics
from games.werewolf.expert import WerewolfRules
from games.werewolf.roles import (
    DOCTOR, NIGHT, ROLE_NAMES, SEER, TALK, TEAM_NAMES, VILLAGE, WOLF, WOLVES, WerewolfOptions,
    check_options, deck, rules_text,
)
from games.werewolf.state import RUNNING, WerewolfState
from games.werewolf.text import acting_now, living_text, state_line, you_lines

__all__ = ["Werewolf"]

TABLES_KEPT = 1 << 14
"""Day or night tables a game keeps (then it starts over): bounded memory in long runs."""


class Werewolf(Game):
    """Factory of Werewolf states; see the module docstring and ``roles.rules_text``."""

    info = GameInfo(
        id="werewolf",
        description="social deduction: hidden roles, secret nights, speeches and votes "
                    "(5-15 players, wolves against the village)",
        min_players=5,
        max_players=15,
        roles=ROLE_NAMES,
        chance="seeded",
        information="imperfect",
        min_utility=-1.0,
        max_utility=1.0,
        utility_sum=None,
        max_length=10 * (2 * 7 + 7 + 7),
        action_grammar="night: [kill Player n] | [check Player n] | [protect Player n] | "
                       "[sleep]; speech: [say] <text> (claims mode: [claim seer], "
                       "[accuse Player n], [reveal Player n werewolf|not], "
                       "[defend Player n], [pass]); vote: [vote Player n] | [vote none]",
        simultaneous=True,
    )
    Options = WerewolfOptions
    views = VIEWS
    expert = WerewolfRules
    hides_from_spectators = True
    SLEEP = (mv.SLEEP,)

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        o = self.options
        if not isinstance(o, WerewolfOptions):
            raise TypeError(f"options must be WerewolfOptions, got {type(o).__name__}")
        check_options(o)
        self.claims = o.speech == "claims"
        self.leader_mode = o.wolf_decision == "leader"
        n = o.players
        per_day = n * (2 if self.leader_mode else 1) + n * o.discussion_rounds + n
        self.info = dataclasses.replace(type(self).info, max_length=o.max_rounds * per_day)
        self.rules = rules_text(o, mv.grammar_lines(self.claims, o.max_speech_chars))
        self._texts: dict[int, str] = {}
        self._nows: dict[tuple[int, int, tuple[str, ...]], str] = {}
        self._nights: dict[tuple, tuple[tuple, tuple]] = {}
        self._joined: dict[int, str] = {}
        builders = {"kill": mv.kill_actions, "check": mv.check_actions,
                    "protect": mv.protect_actions, "vote": mv.vote_actions,
                    "claim": mv.claim_actions}
        self._cache = {kind: ({}, build) for kind, build in builders.items()}
        self.acts = mv.action_kinds(n)
        """Night and vote action -> (kind, seat named or -1), for resolving phases."""
        self.ballots = {-1: "none", **{s: f"Player {s}" for s in range(n)}}
        self.ballot_of = tuple({a: (t, f"Player {s} -> {self.ballots[t]}")
                                for a, (kind, t) in self.acts.items() if kind == mv.BALLOT}
                               for s in range(n))
        """Per voter: vote action -> (seat named or -1, the ballot as the vote table shows it)."""
        self._days: dict[tuple[int, int], tuple] = {}
        self._orders: dict[tuple[int, int, int], tuple[int, ...]] = {}
        self.lines: dict[tuple[int, int, int, int], tuple[str, str]] = {}
        """STATE lines and tails by (phase, day, spoke, alive): see :meth:`line_of`."""
        self.nobody = (None,) * n
        self.deck = deck(o)
        """No pending action for any seat."""

    def cached(self, kind: str, mask: int) -> tuple[str, ...]:
        """Legal actions of one kind over the seats in ``mask`` (built once per game)."""
        table, build = self._cache[kind]
        found = table.get(mask)
        if found is None:
            found = table[mask] = build(mask, self.num_players)
            self._joined[id(found)] = ", ".join(found)
        return found

    def joined(self, legal: tuple[str, ...]) -> str:
        """``", ".join(legal)`` of a tuple :meth:`cached` returned (built once)."""
        return self._joined.get(id(legal)) or ", ".join(legal)

    def day_table(self, phase: int, alive: int) -> tuple[tuple, tuple]:
        """Each seat's legal actions and NOW line in the discussion or the vote with the
        living seats ``alive`` (the dead: ``()`` and None; free-mode discussion: legal
        actions None)."""
        key = (phase, alive)
        found = self._days.get(key)
        if found is None:
            if len(self._days) >= TABLES_KEPT:
                self._days.clear()
            n = self.num_players
            if phase == TALK and not self.claims:
                legal = (None,) * n
            else:
                kind = "claim" if phase == TALK else "vote"
                legal = tuple(self.cached(kind, alive & ~(1 << s)) if alive >> s & 1 else ()
                              for s in range(n))
            nows = tuple(acting_now(self, phase, 0, -1, legal[s]) if alive >> s & 1 else None
                         for s in range(n))
            found = self._days[key] = (legal, nows)
        return found

    def night_table(self, day: int, roles: tuple[int, ...], alive: int, wolves: int,
                    last: int) -> tuple[tuple, tuple]:
        """Each seat's legal actions and NOW line on night ``day`` (the first step; the
        dead: ``()`` and None): wolves kill a living non-wolf, the Seer checks another
        living player, the Doctor protects a living player (not ``last`` unless that
        leaves no one), the others sleep. Kept per key (:data:`TABLES_KEPT`; a 7-seat
        table has 420 deals, each night 1 the same)."""
        key = (day, roles, alive, last)
        found = self._nights.get(key)
        if found is None:
            if len(self._nights) >= TABLES_KEPT:
                self._nights.clear()
            found = self._nights[key] = self._night_table(day, roles, alive, wolves, last)
        return found

    def _night_table(self, day: int, roles: tuple[int, ...], alive: int, wolves: int,
                     last: int) -> tuple[tuple, tuple]:
        kill = self.cached("kill", alive & ~wolves)
        nows = self._nows
        legal, now = [], []
        for s, role in enumerate(roles):
            if not alive >> s & 1:
                legal.append(())
                now.append(None)
                continue
            if role == WOLF:
                actions = kill
            elif role == SEER:
                actions = self.cached("check", alive & ~(1 << s))
            elif role == DOCTOR:
                mask = alive if last < 0 else alive & ~(1 << last)
                actions = self.cached("protect", mask or alive)
            else:
                actions = self.SLEEP
            legal.append(actions)
            key = (day, role, actions)
            line = nows.get(key)
            if line is None:
                line = nows[key] = acting_now(self, NIGHT, day, role, actions)
            now.append(line)
        return tuple(legal), tuple(now)

    def line_of(self, s: WerewolfState, key: tuple[int, int, int, int]) -> tuple[str, str]:
        """State ``s``'s STATE line and information-state tail, ``key = (phase, day,
        spoke, alive)`` (all they depend on), kept in :attr:`lines` (a bounded table)."""
        if len(self.lines) >= TABLES_KEPT:
            self.lines.clear()
        found = self.lines[key] = (state_line(s), f"\n{key[0]}/{key[1]}/{key[2]}/")
        return found

    def order(self, alive: int, start: int, rounds: int) -> tuple[int, ...]:
        """The living seats from seat ``start`` on, wrapping round, ``rounds`` times over."""
        key = (alive, start, rounds)
        found = self._orders.get(key)
        if found is None:
            living = [s for s in range(self.num_players) if alive >> s & 1]
            found = tuple([s for s in living if s >= start] + [s for s in living if s < start])
            found = self._orders[key] = found * rounds
        return found

    def living(self, alive: int) -> str:
        """:func:`~games.werewolf.text.living_text` (cached per set of living seats)."""
        found = self._texts.get(alive)
        return living_text(self, alive) if found is None else found

    def new_state(self, seed: int = 0) -> WerewolfState:
        """Roles dealt by the seed (:func:`~games.werewolf.draws.deal`); night 1 begins."""
        roles = deal(self.deck, seed)
        n = self.num_players
        s = object.__new__(WerewolfState)
        s.game, s.turn, s.seed = self, 0, seed
        s.roles = roles
        s.wolves = sum(1 << i for i, r in enumerate(roles) if r == WOLF)
        s.alive = (1 << n) - 1
        s.day, s.spoke, s.speakers, s.tonight = 1, 0, (), None
        s.log, s.private, s.nights, s.deaths = "", ("",) * n, (), ()
        s.psec = ("",) * n
        s.winner = RUNNING
        s.you = you_lines(s.roles)
        s._open(NIGHT)
        return s

    def all_actions(self) -> list[str] | None:
        return mv.vocabulary(self.num_players, True) if self.claims else None

    def example_action(self) -> str:
        return "[vote Player 0]"

    def canonicalize(self, answer: str) -> str:
        """A free-mode speech (:func:`games.werewolf.moves.parse_speech`)."""
        return mv.parse_speech(answer, self.options.max_speech_chars)

    def teams(self, roles: Sequence[str] | None = None) -> tuple[int, ...]:
        """Team per seat (0 village, 1 wolves) from the roles of one match; the roles
        are dealt by the seed, so callers pass them (``record.roles``)."""
        if roles is None:
            raise ValueError("werewolf's teams follow the roles dealt by each match's seed: "
                             "pass the match's roles, game.teams(record.roles)")
        return tuple(WOLVES if r == "werewolf" else VILLAGE for r in roles)

    def team_names(self) -> tuple[str, ...]:
        return TEAM_NAMES

    def record_metrics(self, records: Sequence[Any], seats: Sequence[int] | None = None
                       ) -> dict[str, float]:
        """Team win rates, village votes on wolves, Seer survival, invalid rate, length
        (:mod:`games.werewolf.evaluation`)."""
        return record_metrics(self, records, seats)

    def evaluators(self):
        return ()

