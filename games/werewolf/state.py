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

from games.core import IllegalAction, Observation, State, observation_of

from games.werewolf import moves as mv
from games.werewolf.compact import compact_text
from games.werewolf.determinise import determinise
from games.werewolf.draws import NIGHT_TIE, VOTE_TIE, pick
from games.werewolf.moves import CHECK, KILL, PROTECT, SLEEP
from games.werewolf.refusal import explain
from games.werewolf.roles import (
    DOCTOR, NIGHT, OVER, PACK, ROLE_NAMES, SEER, TALK, VILLAGE, VOTE, WOLF, WOLVES, team_of,
)
from games.werewolf.text import (
    NOTHING_YET, fast_text, night_lines, now_line, pack_secret, render,
)

__all__ = ["WerewolfState", "NIGHT", "PACK", "TALK", "VOTE", "OVER", "RUNNING", "DRAW"]

RUNNING, DRAW = -1, 2
_Random = random.Random


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

    Derived, rebuilt where their sources change (a phase, a speech, a night, a
    determinisation), so that a decision reads them instead of building them: ``legal``
    and ``nowt`` each seat's legal actions (shared tuples; None in a free-mode discussion)
    and NOW line (None: built on demand) in the phase now running, ``line`` the STATE
    line, ``tail`` the end of the information state, ``psec`` each PRIVATE section.
    """

    __slots__ = ("roles", "alive", "wolves", "phase", "day", "waiting", "pending", "tonight",
                 "speakers", "spoke", "log", "private", "nights", "deaths", "winner", "you",
                 "seed", "legal", "nowt", "line", "tail", "psec")

    # ----- turns ----------------------------------------------------------------------
    def current_players(self) -> list[int]:
        return list(self.waiting)

    def is_terminal(self) -> bool:
        return self.winner != RUNNING

    def _legal_now(self, player: int):
        return self.legal[player] if player in self.waiting else ()

    def _legal(self, player: int):
        legal = self._legal_now(player)
        return None if legal is None else list(legal)

    def _legal_tuple(self, p: int) -> tuple[str, ...]:
        """``p``'s legal actions in this phase, from the rules (``legal`` caches them)."""
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
        legal = self.legal[player] if player in self.waiting else ()
        if legal is None:
            return self._random_speech(player, rng)
        if not legal:
            raise IllegalAction(f"player {player} has no legal action now")
        if rng.__class__ is not _Random:
            return rng.choice(legal)
        n = len(legal)  # rng.choice(legal), its draws straight from getrandbits
        k, bits = n.bit_length(), rng.getrandbits
        r = bits(k)
        while r >= n:
            r = bits(k)
        return legal[r]

    def _random_speech(self, player: int, rng: random.Random) -> str:
        """A random free-mode speech: a claims-mode statement or silence, as text."""
        options = self.game.cached("claim", self.alive & ~(1 << player))
        said = options[rng.randrange(len(options))]
        return "[say]" if said == mv.PASS else f"[say] {said}"

    # ----- moves ----------------------------------------------------------------------
    def _refuse(self, player: int, action: Any) -> NoReturn:
        if (not isinstance(action, str) or self.is_terminal()
                or player not in self.waiting):
            super()._refuse(player, action)
        raise IllegalAction(explain(self, player, action))

    def apply(self, player: int, action: str) -> None:
        """:meth:`State.apply` with the legality check in one step (the hot path)."""
        legal = self.legal[player] if player in self.waiting else ()
        if not isinstance(action, str) or (legal is not None and action not in legal):
            self._refuse(player, action)
        self._apply(player, action)
        self.turn += 1

    def _apply(self, player: int, action: str) -> None:
        if self.phase == TALK:
            if not self.game.claims:
                action = mv.parse_speech(action, self.game.options.max_speech_chars)
            self._speak(player, action)
            return
        pending, waiting = self.pending, self.waiting
        self.pending = pending[:player] + (action,) + pending[player + 1:]
        i = 0 if waiting[0] == player else waiting.index(player)
        self.waiting = waiting = waiting[i + 1:] if not i else waiting[:i] + waiting[i + 1:]
        if not waiting:
            (self._resolve_vote if self.phase == VOTE else self._resolve_night)()

    def _speak(self, player: int, action: str) -> None:
        words = action[6:] if action.startswith("[say] ") else (
            "(silent)" if action in ("[say]", mv.PASS) else action)
        day = self.day
        self.log += f"\n  Day {day}, Player {player} said: {words}"
        self.spoke = spoke = self.spoke + 1
        speakers = self.speakers
        if spoke < len(speakers):
            self.waiting = (speakers[spoke],)
            key = (TALK, day, spoke, self.alive)
            self.line, self.tail = self.game.lines.get(key) or self.game.line_of(self, key)
        else:
            self._open(VOTE)

    def _open(self, phase: int) -> None:
        """Start a simultaneous phase (everyone living acts) or the discussion."""
        self.phase = phase
        g = self.game
        n = g.num_players
        self.pending = g.nobody
        if phase == TALK:
            self.speakers = g.order(self.alive, (self.day - 1) % n, g.options.discussion_rounds)
            self.spoke = 0
            if not self.speakers:
                self._open(VOTE)
                return
            self.waiting = (self.speakers[0],)
        else:
            self.waiting = g.order(self.alive, 0, 1)
        self._refresh_legal()
        self._refresh()

    def _refresh_legal(self) -> None:
        """``legal`` for the phase now running (it changes only with the phase): what
        :meth:`_legal_tuple` gives each living seat."""
        g, phase = self.game, self.phase
        if phase == TALK or phase == VOTE:
            self.legal, self.nowt = g.day_table(phase, self.alive)
        elif phase == NIGHT:
            last = -1 if g.options.doctor_repeat or not self.nights else self._last_protect(
                self.roles.index(DOCTOR) if DOCTOR in self.roles else -1)
            self.legal, self.nowt = g.night_table(self.day, self.roles, self.alive,
                                                  self.wolves, last)
        else:
            self.legal = tuple(self._legal_tuple(s) if self.alive >> s & 1 else ()
                               for s in range(g.num_players))
            self.nowt = g.nobody

    def _refresh(self) -> None:
        """``line`` and ``tail`` after a phase change or a speech."""
        key = (self.phase, self.day, self.spoke, self.alive)
        self.line, self.tail = self.game.lines.get(key) or self.game.line_of(self, key)

    def _resolve_night(self) -> None:
        g = self.game
        if self.phase == NIGHT and g.leader_mode:
            self.tonight = self.pending
            self._open(PACK)
            return
        first = self.tonight if self.phase == PACK else self.pending
        acts, props, kills = g.acts, [], 0
        check = protect = None
        for s, a in enumerate(first):
            if a is not None and a != SLEEP:
                kind, seat = acts[a]
                if kind == KILL:
                    props.append((s, seat))
                    kills |= 1 << seat
                elif kind == CHECK:
                    check = (s, seat)
                elif kind == PROTECT:
                    protect = (s, seat)
        proposals = tuple(props)
        if self.phase == PACK:
            target = acts[self.pending[self._leader()]][1]
        elif not kills & (kills - 1):  # one target
            target = kills.bit_length() - 1
        else:
            choices = [t for t in range(len(first)) if kills >> t & 1]
            target = choices[pick(self.seed, NIGHT_TIE, self.day, len(choices))]
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
        """Each seat's private lines plus its line of the night just resolved."""
        new = night_lines(self.roles, self.day, self.nights[-1])
        private, psec = list(self.private), list(self.psec)
        for seat, line in new.items():
            old = private[seat]
            private[seat] = lines = old + "\n" + line if old else line
            psec[seat] = "\nPRIVATE:\n" + lines  # views.private_sections, one seat
        self.private, self.psec = tuple(private), tuple(psec)

    def _kill(self, seat: int, what: str, by_vote: bool) -> None:
        self.alive &= ~(1 << seat)
        self.deaths += ((seat, self.day, by_vote),)
        role = ROLE_NAMES[self.roles[seat]]
        self.log += f"\n  {what}" + (f"; they were a {role}." if self.game.options.reveal_on_death
                                     else ".")

    def _resolve_vote(self) -> None:
        g = self.game
        ballot_of = g.ballot_of
        counts: dict[int, int] = {}
        parts = []
        for s, a in enumerate(self.pending):
            if a is not None:
                t, ballot = ballot_of[s][a]
                if t >= 0:
                    counts[t] = counts.get(t, 0) + 1
                parts.append(ballot)
        self.log += f"\n  Day {self.day} vote: {', '.join(parts)}."
        top = max(counts.values(), default=0)
        tied = sorted(t for t, c in counts.items() if c == top)
        if not counts:
            self.log += f"\n  Day {self.day}: everyone abstained; no one was eliminated."
        elif len(tied) > 1 and self.game.options.tie == "none":
            self.log += (f"\n  Day {self.day}: a tie between {mv.seats_text(tied)}; no one "
                         "was eliminated.")
        else:
            out = tied[0] if len(tied) == 1 else tied[pick(self.seed, VOTE_TIE, self.day,
                                                               len(tied))]
            how = f"{top} votes" + (", tie broken at random" if len(tied) > 1 else "")
            self._kill(out, f"Day {self.day}: Player {out} was eliminated ({how})", True)
        self.pending = g.nobody
        if self._check_end():
            return
        if self.day >= self.game.options.max_rounds:
            self._finish(DRAW, f"Day {self.day} was the last: a draw.")
            return
        self.day += 1
        self._open(NIGHT)

    def _check_end(self) -> bool:
        alive = self.alive
        wolves = (alive & self.wolves).bit_count()
        others = alive.bit_count() - wolves
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
        self.legal = ((),) * len(self.roles)
        self.log += (f"\n  Game over. {why}\n  Roles: "
                     + ", ".join(f"Player {s} {ROLE_NAMES[r]}" for s, r in enumerate(self.roles)))
        self._refresh()

    # ----- outcome and views ----------------------------------------------------------
    def returns(self) -> list[float]:
        if self.winner not in (VILLAGE, WOLVES):
            return [0.0] * len(self.roles)
        return [1.0 if team_of(r) == self.winner else -1.0 for r in self.roles]

    def role(self, player: int) -> str:
        roles = self.roles
        if not 0 <= player < len(roles):
            raise ValueError(f"player {player} does not exist; this werewolf game has "
                             f"players 0..{len(roles) - 1}")
        return ROLE_NAMES[roles[player]]

    def information_state(self, player: int) -> str:
        secret = (self.pending[player] or "") if self.phase != PACK else pack_secret(self, player)
        return f"{self.you[player]}\n{self.private[player]}\n{self.log}{self.tail}{secret}"

    def _text(self, player: int) -> str:
        return fast_text(self, player)

    def _compact(self, player: int) -> str:
        return compact_text(fast_text(self, player))

    def observation(self, player: int) -> Observation:
        """:meth:`State.observation` in one call (a decision's hot path; tests hold it
        equal to the base method): the same fields from the same hooks' pieces."""
        roles = self.roles
        if not 0 <= player < len(roles):
            return super().observation(player)  # the error naming the player
        game, you, log = self.game, self.you[player], self.log
        legal, now = ((self.legal[player], self.nowt[player]) if player in self.waiting
                      else ((), None))
        if now is None:
            now = now_line(self, player)
        secret = (self.pending[player] or "") if self.phase != PACK else pack_secret(self, player)
        text = f"{you}\n{self.line}{self.psec[player]}\nPUBLIC LOG:{log or NOTHING_YET}\n{now}"
        return observation_of((  # the text as views.fast_text, the info state as above
            game.info.id, player, ROLE_NAMES[roles[player]], self.turn,
            text if game.view == "text" else compact_text(text),
            legal, game.rules, f"{you}\n{self.private[player]}\n{log}{self.tail}{secret}", None))

    def render(self, reveal: bool = False) -> str:
        """The spectator's table (roles hidden while the game runs); ``reveal=True``:
        roles and every secret action (a spectator's ``--reveal``). At the end
        everything is shown."""
        return render(self, reveal=reveal or self.is_terminal())

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
        s.legal = self.legal
        s.nowt = self.nowt
        s.line = self.line
        s.tail = self.tail
        s.psec = self.psec
        return s

    def _determinise(self, player: int, rng: random.Random) -> "WerewolfState":
        return determinise(self, player, rng)
