"""Simple Negotiation's state: inventories, private values, the pending offer and the
history (the rules: :mod:`games.negotiation.game`).

``apply`` parses a reply (:mod:`games.negotiation.moves`) and checks it against the
inventories; ``random_action`` draws a move straight from ``getrandbits`` as
``rng.choice`` would; the observation text and information state are built from pieces
kept between steps (:mod:`games.negotiation.text`).
"""

from __future__ import annotations

import operator
import random
from typing import Any

from games.core import IllegalAction, Observation, State
from games.negotiation import text as tx
from games.negotiation.moves import (
    RESOURCES, VALUE_RANGE, Bundle, Move, bundle_text, counts_text, parse_reply,
)
from games.negotiation.text import ROLES, value_of

__all__ = ["NegotiationState"]

_N = len(RESOURCES)
_KINDS = (None, "[pass]", "[deny]", "[accept]")
"""The kinds of random move, drawn uniformly from the first 2 (no offer to answer), 3 (an
unpayable one) or 4 (a payable one); None: an offer."""
_ALL = tuple(range(_N))
_OTHERS = tuple(tuple(i for i in range(_N) if i != g) for g in range(_N))
_OFFERS = tuple(tuple(tuple(tuple(f"[offer] {a} {RESOURCES[g]} -> {b} {RESOURCES[r]}"
                                  for b in (1, 2, 3)) for a in (1, 2, 3))
                      for r in range(_N)) for g in range(_N))
"""The canonical text of each random offer: ``_OFFERS[g][r][a - 1][b - 1]`` gives ``a``
of resource ``g`` for ``b`` of ``r``."""
_BITS = tuple(n.bit_length() for n in range(_N + 1))
_Random = random.Random


def _below(bits: Any, rng: random.Random, n: int) -> int:
    """``rng._randbelow(n)`` (what ``rng.choice`` of ``n`` items and ``rng.randint(1, n) -
    1`` draw) from ``bits``, the ``getrandbits`` of a random.Random; None: through
    ``rng.choice``."""
    if bits is None:
        return rng.choice(range(n))
    k = _BITS[n]
    r = bits(k)
    while r >= n:
        r = bits(k)
    return r

_REPLIES: dict[str, tuple[Move, str]] = {}
"""Parsed replies without a message, and their canonical form, by reply text."""
_MAX_REPLIES = 1 << 14

def _missing(have: Bundle, need: Bundle) -> str:
    """What ``have`` lacks to pay ``need`` (``"2 Wood, 1 Ore"``), ``""`` if nothing."""
    if all(map(operator.ge, have, need)):
        return ""
    return bundle_text(tuple(max(0, n - h) for n, h in zip(need, have)))


def _parse(reply: str) -> tuple[Move, str]:
    """``parse_reply`` and the canonical form; replies without a message are kept."""
    known = _REPLIES.get(reply)
    if known is not None:
        return known
    move = parse_reply(reply)
    known = (move, move.canonical())
    if not move.message:  # messages are free text: seldom repeated, not worth keeping
        if len(_REPLIES) >= _MAX_REPLIES:
            _REPLIES.clear()
        _REPLIES[reply] = known
    return known


class NegotiationState(State):
    """Inventories, values and starting inventories as tuples of two 5-tuples; the
    pending offer ``(proposer, give, get)`` or None; the history of ``(player,
    canonical reply)``. Player to move: ``turn % 2``. ``_head`` and ``_log`` keep pieces
    of the observation text with the fields they were built from
    (:mod:`games.negotiation.text`)."""

    __slots__ = ("inventory", "values", "start", "pending", "history", "_head", "_log")
    inventory: tuple[Bundle, Bundle]
    values: tuple[Bundle, Bundle]
    start: tuple[Bundle, Bundle]
    pending: tuple[int, Bundle, Bundle] | None
    history: tuple[tuple[int, str], ...]

    # ----- hooks ----------------------------------------------------------------------
    def current_players(self) -> list[int]:
        return [] if self.turn >= self.game.options.turns else [self.turn & 1]

    def is_terminal(self) -> bool:
        return self.turn >= self.game.options.turns

    def _legal(self, player: int) -> None:
        return None

    def apply(self, player: int, action: str) -> None:
        """:meth:`State.apply` in one step: on the player's move, any text goes to
        :meth:`_apply` (which parses it and checks it against the inventories)."""
        if (not isinstance(action, str) or self.turn >= self.game.options.turns
                or player != self.turn & 1):
            self._refuse(player, action)
        self._apply(player, action)
        self.turn += 1

    def _apply(self, player: int, action: str) -> None:
        move, canonical = _parse(action)
        inventory, pending = self.inventory, None
        if move.kind == "offer":
            short = _missing(inventory[player], move.give)
            if short:
                raise IllegalAction(
                    f"you cannot pay {bundle_text(move.give)}: you are {short} short "
                    f"(you have {counts_text(inventory[player])}); offer less"
                )
            pending = (player, move.give, move.get)
        elif move.kind in ("accept", "deny"):
            if self.pending is None or self.pending[0] == player:
                raise IllegalAction(
                    f"there is no offer from the opponent to {move.kind}; make an offer "
                    "or [pass]"
                )
            if move.kind == "accept":
                inventory = self._trade(player)
        if self.turn + 1 >= self.game.options.turns:
            pending = None  # the last move: an offer can no longer be answered
        self.inventory = inventory
        self.pending = pending
        self.history = self.history + ((player, canonical),)

    def _trade(self, acceptor: int) -> tuple[Bundle, Bundle]:
        """Inventories after ``acceptor`` takes the pending offer (raises if unpayable)."""
        proposer, give, get = self.pending
        short = _missing(self.inventory[acceptor], get)
        if short:
            raise IllegalAction(
                f"you cannot pay {bundle_text(get)}: you are {short} short (you have "
                f"{counts_text(self.inventory[acceptor])}); [deny] it or make a counter-offer"
            )
        if _missing(self.inventory[proposer], give):  # cannot happen: nothing moved since
            raise IllegalAction("the proposer can no longer pay the offer; [deny] it")
        new_p = tuple(map(operator.add, map(operator.sub, self.inventory[proposer], give), get))
        new_a = tuple(map(operator.sub, map(operator.add, self.inventory[acceptor], give), get))
        return (new_p, new_a) if proposer == 0 else (new_a, new_p)

    def gains(self) -> list[int]:
        """Each player's inventory value now minus at the start, by their own values."""
        return [value_of(self.inventory[p], self.values[p]) - value_of(self.start[p], self.values[p])
                for p in (0, 1)]

    def returns(self) -> list[float]:
        if not self.is_terminal():
            return [0.0, 0.0]
        g0, g1 = self.gains()
        return [0.0, 0.0] if g0 == g1 else ([1.0, -1.0] if g0 > g1 else [-1.0, 1.0])

    def role(self, player: int) -> str:
        if player not in (0, 1):
            raise ValueError(f"player {player} does not exist; negotiation has players 0 and 1")
        return ROLES[player]

    def clone(self) -> "NegotiationState":
        s = object.__new__(NegotiationState)
        s.game = self.game
        s.turn = self.turn
        s.inventory = self.inventory
        s.values = self.values
        s.start = self.start
        s.pending = self.pending
        s.history = self.history
        s._head = self._head
        s._log = self._log
        return s

    def _determinise(self, player: int, rng: random.Random) -> "NegotiationState":
        """The opponent's values redrawn from their prior; everything else is public or
        the player's own."""
        s = self.clone()
        drawn = tuple(rng.randint(*VALUE_RANGE) for _ in range(_N))
        s.values = (self.values[0], drawn) if player == 0 else (drawn, self.values[1])
        return s

    def random_action(self, player: int, rng: random.Random) -> str:
        """A random legal move: an offer of small payable bundles, [pass], and [deny] or
        (when payable) [accept] while an opponent's offer is pending; kinds uniform.
        Draws as ``rng.randrange(len(kinds))`` and ``rng.randint(1, m)`` would: the same
        calls of ``getrandbits`` that ``rng.choice`` makes, without its two Python-level
        calls (a subclass of random.Random is asked through its own ``choice``)."""
        if self.turn >= self.game.options.turns or player != self.turn & 1:
            raise IllegalAction(f"player {player} has no legal move now")
        bits = rng.getrandbits if rng.__class__ is _Random else None
        pending = self.pending
        if pending is not None and pending[0] != player:
            if all(map(operator.ge, self.inventory[player], pending[2])):
                kind = _KINDS[_below(bits, rng, 4)]
            else:
                kind = _KINDS[_below(bits, rng, 3)]
        else:
            kind = _KINDS[_below(bits, rng, 2)]
        if kind is not None:
            return kind
        mine, theirs = self.inventory[player], self.inventory[1 - player]
        own = _ALL if 0 not in mine else [i for i in _ALL if mine[i]]
        if not own:
            return "[pass]"
        g = own[_below(bits, rng, len(own))]
        wanted = _OTHERS[g] if 0 not in theirs else [i for i in _OTHERS[g] if theirs[i]]
        if not wanted:
            return "[pass]"
        r = wanted[_below(bits, rng, len(wanted))]
        a = _below(bits, rng, min(3, mine[g]))
        return _OFFERS[g][r][a][_below(bits, rng, min(3, theirs[r]))]

    # ----- text: kept pieces (games.negotiation.text) ---------------------------------
    def observation(self, player: int) -> Observation:
        """:meth:`State.observation` in one call, the text and information state from
        the kept pieces (tests hold it equal to the base method and to a fresh build)."""
        if player != 0 and player != 1:
            return super().observation(player)  # the error naming the player
        return tx.observe(self, player)

    def _text(self, player: int) -> str:
        if self.game.view == "text" and (player == 0 or player == 1):
            return tx.observe(self, player).text
        return tx.fresh_text(self, player, "text")

    def _compact(self, player: int) -> str:
        if self.game.view == "compact" and (player == 0 or player == 1):
            return tx.observe(self, player).text
        return tx.fresh_text(self, player, "compact")

    def information_state(self, player: int) -> str:
        if player != 0 and player != 1:
            return tx.fresh_information_state(self, player)
        return tx.information_state(self, player)

    def render(self, reveal: bool = False) -> str:
        turns = self.game.options.turns
        head = f"{'':8}{'P0 qty':>8}{'P0 val':>8}{'P1 qty':>8}{'P1 val':>8}"
        rows = [f"Simple Negotiation: turn {self.turn} of {turns}", head]
        for i, name in enumerate(RESOURCES):
            rows.append(f"{name:8}{self.inventory[0][i]:>8}{self.values[0][i]:>8}"
                        f"{self.inventory[1][i]:>8}{self.values[1][i]:>8}")
        g0, g1 = self.gains()
        rows.append(f"{'value':8}{value_of(self.inventory[0], self.values[0]):>16}"
                    f"{value_of(self.inventory[1], self.values[1]):>16}")
        rows.append(f"{'gain':8}{g0:>+16d}{g1:>+16d}")
        if self.pending is not None:
            who, give, get = self.pending
            rows.append(f"pending: P{who} gives {bundle_text(give)} for {bundle_text(get)}")
        rows.extend(f"P{who}: {reply}" for who, reply in self.history)
        if self.is_terminal():
            r = self.returns()
            rows.append("draw" if r[0] == 0 else f"P{0 if r[0] > 0 else 1} wins")
        return "\n".join(rows)
