"""Werewolf: seven players (by default), hidden roles, secret nights, speeches and votes.

Rules
    See :func:`games.werewolf.roles.rules_text` (the observation's ``rules``) and the
    options in :class:`~games.werewolf.roles.WerewolfOptions`. The game opens with night 1;
    night ``d`` is followed by day ``d`` (speeches, then the vote).

Phases and current players
    Night and vote are simultaneous: every *living* player is current until it has acted
    (wolves kill, the Seer checks, the Doctor protects, everyone else ``[sleep]``s), so
    neither ``current_players()`` nor the turn count tells who holds a night role. With
    ``wolf_decision=leader``, a second night step follows in which the lowest-seated
    living wolf decides among all living non-wolves (everyone else sleeps again; the step
    happens even with one wolf left, so it tells nothing). In the discussion one speaker
    is current at a time.

Information
    A pending secret action is shown to no one but its author until its phase resolves;
    the vote table then shows every ballot with the voter's name. Wolves see the pack's
    proposals once the night resolves (and the leader sees them in the second step).

Observation sections
    YOU, STATE, PRIVATE, PUBLIC LOG, NOW (the rules text travels once, as ``rules``).

Returns
    +1 to every member of the winning team, -1 to the losers (the dead included); 0 to
    everyone on a draw (the day limit) or while the game runs.
"""

from __future__ import annotations

import random
from typing import Any, NoReturn

from games.core import IllegalAction, State
from games.seeds import derive_seed

from games.werewolf import text as tx
from games.werewolf.refusal import explain
from games.werewolf.roles import (
    DOCTOR, NIGHT, OVER, PACK, ROLE_NAMES, SEER, TALK, VILLAGE, VOTE, WOLF, WOLVES, team_of,
)
from games.werewolf.views import observation_text, private_lines, render

__all__ = ["WerewolfState", "NIGHT", "PACK", "TALK", "VOTE", "OVER", "RUNNING", "DRAW"]

RUNNING, DRAW = -1, 2


def _count(mask: int) -> int:
    return bin(mask).count("1")


def _ballot(action: str) -> str:
    seat = tx.target_of(action)
    return "none" if seat < 0 else f"Player {seat}"


class WerewolfState(State):
    """Small immutable fields (ints, strings, tuples), so ``clone`` copies references.

    ``roles`` per seat (codes of :mod:`~games.werewolf.roles`); ``alive`` and ``wolves``
    are seat bitmasks; ``waiting`` the current players; ``pending`` each seat's secret
    action in this simultaneous phase; ``tonight`` the first night step's actions (leader
    mode); ``speakers``/``spoke`` today's speaking order and progress; ``log`` the public
    log and ``private`` each seat's private lines (text, one entry per line, two-space
    indent); ``nights`` one record per resolved night ``(proposals, target, check,
    protect, died, check_is_wolf)``; ``deaths`` ``(seat, day, by_vote)``; ``winner`` -1 running, 0
    village, 1 wolves, 2 draw; ``you`` each seat's YOU section; ``seed`` the game's seed.
    """

    __slots__ = ("roles", "alive", "wolves", "phase", "day", "waiting", "pending", "tonight",
                 "speakers", "spoke", "log", "private", "nights", "deaths", "winner", "you",
                 "seed")

    # ----- turns ----------------------------------------------------------------------
    def current_players(self) -> list[int]:
        return list(self.waiting)

    def is_terminal(self) -> bool:
        return self.winner != RUNNING

    def _legal_now(self, player: int):
        if player not in self.waiting:
            return ()
        if self.phase == TALK and not self.game.claims:
            return None
        return self._legal_tuple(player)

    def _legal(self, player: int):
        legal = self._legal_now(player)
        return None if legal is None else list(legal)

    def _legal_tuple(self, p: int) -> tuple[str, ...]:
        g, phase, alive = self.game, self.phase, self.alive
        others = alive & ~(1 << p)
        if phase == TALK:
            return g.cached("claim", others)
        if phase == VOTE:
            return g.cached("vote", others)
        role = self.roles[p]
        if phase == PACK:
            return g.cached("kill", alive & ~self.wolves) if p == self._leader() else g.SLEEP
        if role == WOLF:
            return g.cached("kill", alive & ~self.wolves)
        if role == SEER:
            return g.cached("check", others)
        if role == DOCTOR:
            last = self._last_protect(p)
            mask = alive if g.options.doctor_repeat or last < 0 else alive & ~(1 << last)
            return g.cached("protect", mask or alive)
        return g.SLEEP

    def _leader(self) -> int:
        living = self.alive & self.wolves
        return (living & -living).bit_length() - 1

    def _last_protect(self, doctor: int) -> int:
        if not self.nights:
            return -1
        protect = self.nights[-1][3]
        return protect[1] if protect is not None and protect[0] == doctor else -1

    def random_action(self, player: int, rng: random.Random) -> str:
        legal = self._legal_now(player)
        if legal is None:
            return self._random_speech(player, rng)
        if not legal:
            raise IllegalAction(f"player {player} has no legal action now")
        return legal[rng.randrange(len(legal))]

    def _random_speech(self, player: int, rng: random.Random) -> str:
        """A random free-mode speech: a claims-mode statement or silence, as text."""
        options = self.game.cached("claim", self.alive & ~(1 << player))
        pick = options[rng.randrange(len(options))]
        return "[say]" if pick == tx.PASS else f"[say] {pick}"

    # ----- moves ----------------------------------------------------------------------
    def _refuse(self, player: int, action: Any) -> NoReturn:
        if (not isinstance(action, str) or self.is_terminal()
                or player not in self.waiting):
            super()._refuse(player, action)
        raise IllegalAction(explain(self, player, action))

    def _apply(self, player: int, action: str) -> None:
        if self.phase == TALK:
            if not self.game.claims:
                action = tx.parse_speech(action, self.game.options.max_speech_chars)
            self._speak(player, action)
            return
        pending = list(self.pending)
        pending[player] = action
        self.pending = tuple(pending)
        self.waiting = tuple(p for p in self.waiting if p != player)
        if not self.waiting:
            (self._resolve_vote if self.phase == VOTE else self._resolve_night)()

    def _speak(self, player: int, action: str) -> None:
        words = action[6:] if action.startswith("[say] ") else (
            "(silent)" if action in ("[say]", tx.PASS) else action)
        self.log += f"\n  Day {self.day}, Player {player} said: {words}"
        self.spoke += 1
        if self.spoke < len(self.speakers):
            self.waiting = (self.speakers[self.spoke],)
        else:
            self._open(VOTE)

    def _open(self, phase: int) -> None:
        """Start a simultaneous phase (everyone living acts) or the discussion."""
        self.phase = phase
        n = self.game.num_players
        self.pending = (None,) * n
        if phase == TALK:
            living = [s for s in range(n) if self.alive >> s & 1]
            start = (self.day - 1) % n
            order = tuple(sorted(living, key=lambda s: (s - start) % n))
            self.speakers = order * self.game.options.discussion_rounds
            self.spoke = 0
            if not self.speakers:
                self._open(VOTE)
                return
            self.waiting = (self.speakers[0],)
            return
        self.waiting = tuple(s for s in range(n) if self.alive >> s & 1)

    def _rng(self, purpose: str) -> random.Random:
        return random.Random(derive_seed(purpose, self.seed, self.day))

    def _resolve_night(self) -> None:
        g = self.game
        if self.phase == NIGHT and g.leader_mode:
            self.tonight = self.pending
            self._open(PACK)
            return
        first = self.tonight if self.phase == PACK else self.pending
        proposals = tuple((s, tx.target_of(a)) for s, a in enumerate(first)
                          if a is not None and a.startswith("[kill"))
        if self.phase == PACK:
            target = tx.target_of(self.pending[self._leader()])
        else:
            choices = sorted({t for _, t in proposals})
            target = (choices[0] if len(choices) == 1
                      else self._rng("werewolf-night").choice(choices))
        check = protect = None
        for s, a in enumerate(first):
            if a is not None and a.startswith("[check"):
                check = (s, tx.target_of(a))
            elif a is not None and a.startswith("[protect"):
                protect = (s, tx.target_of(a))
        died = -1 if protect is not None and protect[1] == target else target
        seen = check is not None and self.roles[check[1]] == WOLF
        self.nights += ((proposals, target, check, protect, died, seen),)
        self.tonight = None
        self._write_private()
        if died < 0:
            self.log += f"\n  Night {self.day}: no one died."
        else:
            self._kill(died, f"Night {self.day}: Player {died} was killed", False)
        if not self._check_end():
            self._open(TALK)

    def _write_private(self) -> None:
        self.private = private_lines(self.roles, self.nights, self.game.num_players)

    def _kill(self, seat: int, what: str, by_vote: bool) -> None:
        self.alive &= ~(1 << seat)
        self.deaths += ((seat, self.day, by_vote),)
        role = ROLE_NAMES[self.roles[seat]]
        self.log += f"\n  {what}" + (f"; they were a {role}." if self.game.options.reveal_on_death
                                     else ".")

    def _resolve_vote(self) -> None:
        n = self.game.num_players
        counts: dict[int, int] = {}
        for a in self.pending:
            t = -1 if a is None else tx.target_of(a)
            if t >= 0:
                counts[t] = counts.get(t, 0) + 1
        ballots = ", ".join(f"Player {s} -> {_ballot(a)}" for s, a in enumerate(self.pending)
                            if a is not None)
        self.log += f"\n  Day {self.day} vote: {ballots}."
        top = max(counts.values(), default=0)
        tied = sorted(t for t, c in counts.items() if c == top)
        if not counts:
            self.log += f"\n  Day {self.day}: everyone abstained; no one was eliminated."
        elif len(tied) > 1 and self.game.options.tie == "none":
            self.log += (f"\n  Day {self.day}: a tie between {tx.seats_text(tied)}; no one "
                         "was eliminated.")
        else:
            out = tied[0] if len(tied) == 1 else self._rng("werewolf-vote").choice(tied)
            how = f"{top} votes" + (", tie broken at random" if len(tied) > 1 else "")
            self._kill(out, f"Day {self.day}: Player {out} was eliminated ({how})", True)
        self.pending = (None,) * n
        if self._check_end():
            return
        if self.day >= self.game.options.max_rounds:
            self._finish(DRAW, f"Day {self.day} was the last: a draw.")
            return
        self.day += 1
        self._open(NIGHT)

    def _check_end(self) -> bool:
        wolves = _count(self.alive & self.wolves)
        others = _count(self.alive) - wolves
        if wolves == 0:
            self._finish(VILLAGE, "No wolf is alive: the village wins.")
        elif wolves >= others:
            self._finish(WOLVES, f"{wolves} wolf/wolves and {others} other(s) alive: the "
                                 "wolves win.")
        return self.winner != RUNNING

    def _finish(self, winner: int, why: str) -> None:
        self.winner = winner
        self.phase = OVER
        self.waiting = ()
        self.pending = (None,) * len(self.roles)
        self.log += (f"\n  Game over. {why}\n  Roles: "
                     + ", ".join(f"Player {s} {ROLE_NAMES[r]}" for s, r in enumerate(self.roles)))

    # ----- outcome and views ----------------------------------------------------------
    def returns(self) -> list[float]:
        if self.winner not in (VILLAGE, WOLVES):
            return [0.0] * len(self.roles)
        return [1.0 if team_of(r) == self.winner else -1.0 for r in self.roles]

    def role(self, player: int) -> str:
        if not 0 <= player < len(self.roles):
            raise ValueError(f"player {player} does not exist; this werewolf game has "
                             f"players 0..{len(self.roles) - 1}")
        return ROLE_NAMES[self.roles[player]]

    def _secret(self, p: int) -> str:
        """``p``'s own knowledge of the phase in progress (its own pending action; a
        wolf in the leader step: the pack's proposals)."""
        own = self.pending[p] or ""
        if self.phase == PACK and self.tonight is not None:
            if self.roles[p] == WOLF:
                props = [f"Player {s} proposed {a[6:-1]}" for s, a in enumerate(self.tonight)
                         if a is not None and a.startswith("[kill")]
                return "; ".join(props) + f" | {own}"
            return f"{self.tonight[p] or ''} | {own}"
        return own

    def information_state(self, player: int) -> str:
        return (f"{self.you[player]}\n{self.private[player]}\n{self.log}\n"
                f"{self.phase}/{self.day}/{self.spoke}/{self._secret(player)}")

    def _text(self, player: int) -> str:
        return observation_text(self, player)

    def render(self, reveal: bool | None = None) -> str:
        """The spectator's table (roles hidden while the game runs); ``reveal=True``:
        roles and every secret action (a spectator's ``--reveal``). At the end
        everything is shown."""
        return render(self, reveal=bool(reveal) or self.is_terminal())

    def clone(self) -> "WerewolfState":
        s = object.__new__(WerewolfState)
        s.game = self.game
        s.turn = self.turn
        s.roles = self.roles
        s.alive = self.alive
        s.wolves = self.wolves
        s.phase = self.phase
        s.day = self.day
        s.waiting = self.waiting
        s.pending = self.pending
        s.tonight = self.tonight
        s.speakers = self.speakers
        s.spoke = self.spoke
        s.log = self.log
        s.private = self.private
        s.nights = self.nights
        s.deaths = self.deaths
        s.winner = self.winner
        s.you = self.you
        s.seed = self.seed
        return s

    def _determinise(self, player: int, rng: random.Random) -> "WerewolfState":
        from games.werewolf.determinise import determinise

        return determinise(self, player, rng)
