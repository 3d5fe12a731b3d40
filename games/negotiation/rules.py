"""Simple Negotiation: two players trade five resources, each valuing them privately.

Rules
    Resources: Wheat, Wood, Sheep, Brick, Ore. From the seed (``random.Random(seed)`` at
    ``new_state``) each player gets 5..25 units of each resource and a private value per
    unit of each, 5..40. Players alternate turns, player 0 first, for ``turns`` turns in
    all (both players together). On a turn a player makes exactly one move:

    - ``[offer] 2 Wood, 1 Ore -> 3 Sheep``: give the left bundle for the right one. It
      replaces any pending offer; the proposer must be able to pay the left bundle.
    - ``[accept]``: take the opponent's pending offer; the acceptor must be able to pay
      the right bundle. The trade executes at once.
    - ``[deny]``: reject the opponent's pending offer.
    - ``[pass]``: do nothing.

    An offer stays pending for the opponent's next move only: whatever that move is other
    than ``[accept]``, the offer is gone. A move may carry a free-text message to the
    opponent. The reply grammar (action and message, canonical form) is specified in
    :mod:`games.negotiation.text`; ``Game.canonicalize`` parses it.

Options (:class:`NegotiationOptions`)
    ``turns`` (default 10, from 2 to 60): total number of turns; also ``info.max_length``.

Observation
    The player's own inventory, own values per unit and total own value (and its change
    since the start), the opponent's inventory (public), never the opponent's values; the
    move history with messages, the pending offer, turns left and the grammar.
    :func:`read_view` (in :mod:`games.negotiation.text`) reads the numbered lines back.

Actions
    Free text (``legal_actions`` is None). ``State.apply`` parses the reply again and
    checks it against the current inventories; a refused reply changes nothing.

Returns
    At the end, each player's gain is the value of their inventory by their own values
    minus that at the start. The larger gain wins: +1 / -1; equal gains: 0 to both (also
    0 to both before the end). Zero-sum.

Information state
    ``"p<player>|values=..|start=..;..|<player>:<canonical reply>;..."``: own values,
    both starting inventories and every move so far, messages included (perfect recall).
"""

from __future__ import annotations

import dataclasses
import random
import re
from dataclasses import dataclass, field
from typing import Any

from games.core import VIEWS, Game, GameInfo, IllegalAction, State, view_field
from games.phrasebook import Phrasebook
from games.negotiation.text import (
    INVENTORY, OFFER, OPPONENT, RESOURCES, TURNS, VALUES, Bundle, Move, NegotiationView,
    bundle_text, counts_text, parse_reply, read_view,
)

__all__ = [
    "NegotiationOptions", "SimpleNegotiation", "NegotiationState", "NegotiationView",
    "read_view", "value_of", "RESOURCES", "QUANTITY_RANGE", "VALUE_RANGE", "MAX_TURNS",
]

QUANTITY_RANGE = (5, 25)
"""Starting units of each resource, inclusive."""
VALUE_RANGE = (5, 40)
"""Private value per unit, inclusive."""
MAX_TURNS = 60
"""Most turns in one game: each observation repeats the whole history, so records grow
with the square of the length (60 turns: well under a second, about 200 KB of record)."""

_ROLES = ("first", "second")
_N = len(RESOURCES)

GRAMMAR = (
    "Reply with exactly one action, optionally followed by a message: "
    "[offer] 2 Wood, 1 Ore -> 3 Sheep (give the left for the right) | [accept] | [deny] | "
    "[pass], then optionally [say] <message to the opponent>. "
    "Example: \\boxed{[offer] 2 Wood -> 1 Ore [say] Wood for Ore?}"
)

RULES = f"""Simple Negotiation: two players trade Wheat, Wood, Sheep, Brick and Ore.
Each player starts with some units of each resource and values each unit privately; you
see your own values and both inventories, never the opponent's values. Players alternate
turns, player 0 first. On your turn make exactly one move:
  [offer] <give> -> <get>  propose to give the left bundle for the right one, e.g.
                           [offer] 2 Wood, 1 Ore -> 3 Sheep (you must be able to pay it)
  [accept]                 accept the opponent's pending offer (the trade happens now)
  [deny]                   reject the opponent's pending offer
  [pass]                   do nothing
An offer is pending for the opponent's next move only. You may add a message after the
action: [pass] [say] What would you give for my Ore?
When the turns run out, each player's gain is the value of their inventory by their own
values minus its value at the start. The larger gain wins (+1, the other gets -1); equal
gains are a draw (0).
{GRAMMAR}
"""


def value_of(inventory: Bundle, values: Bundle) -> int:
    """Total value of ``inventory`` at ``values`` per unit."""
    return sum(n * v for n, v in zip(inventory, values))


def _missing(have: Bundle, need: Bundle) -> str:
    """What ``have`` lacks to pay ``need`` (``"2 Wood, 1 Ore"``), ``""`` if nothing."""
    short = tuple(max(0, n - h) for n, h in zip(need, have))
    return bundle_text(short) if any(short) else ""


@dataclass
class NegotiationOptions:
    turns: int = field(default=10, metadata={"range": (2, MAX_TURNS)})
    """Total number of turns, both players together (player 0 moves on even turns)."""
    view: str = view_field()
    """``text``: a sentence per fact; ``compact``: the same lines as short codes
    (:data:`COMPACT`)."""


COMPACT = Phrasebook([
    (r"^You are player (\d) \((first|second)\) in Simple Negotiation\.$", r"P\1 \2",
     r"^P(\d) (first|second)$", r"You are player \1 (\2) in Simple Negotiation."),
    (r"^Turns left: (\d+) \((\d+) of them yours\) of (\d+)\.$", r"turns \1 \2 /\3",
     r"^turns (\d+) (\d+) /(\d+)$", r"Turns left: \1 (\2 of them yours) of \3."),
    (r"^Your inventory: ", "have ", r"^have ", "Your inventory: "),
    (r"^Your values per unit: ", "values ", r"^values ", "Your values per unit: "),
    (r"^Your inventory value: (-?\d+) \(at the start (-?\d+), change ([+-]\d+)\)$",
     r"worth \1 \2 \3", r"^worth (-?\d+) (-?\d+) ([+-]\d+)$",
     r"Your inventory value: \1 (at the start \2, change \3)"),
    (r"^Opponent's inventory: (.*)\nThe opponent's values are private\.$", r"opp \1",
     r"^opp (.*)$", "Opponent's inventory: \\1\nThe opponent's values are private."),
    (r"^Pending offer: none\.$", "offer -", r"^offer -$", "Pending offer: none."),
    (r"^Pending offer from the opponent: you receive (.*); you give (.*) \(your value "
     r"changes by ([+-]\d+) if you accept\)\.$", r"offer in \1 ; out \2 ; \3",
     r"^offer in (.*) ; out (.*) ; ([+-]\d+)$", r"Pending offer from the opponent: you "
     r"receive \1; you give \2 (your value changes by \3 if you accept)."),
    (r"^Your pending offer: you give (.*); you get (.*) \(waiting for the opponent\)\.$",
     r"mine out \1 ; in \2", r"^mine out (.*) ; in (.*)$",
     r"Your pending offer: you give \1; you get \2 (waiting for the opponent)."),
    (r"^History: no moves yet\.$", "log -", r"^log -$", "History: no moves yet."),
    (r"^History:$", "log:", r"^log:$", "History:"),
    (r"^  Turn (\d+), (you|opponent): ", r"  \1 \2: ", r"^  (\d+) (you|opponent): ",
     r"  Turn \1, \2: "),
    ("^It is your turn. " + re.escape(GRAMMAR) + "$", "now", r"^now$",
     lambda m, legal: "It is your turn. " + GRAMMAR),
    (r"^It is the opponent's turn\.$", "wait", r"^wait$", "It is the opponent's turn."),
    (r"^The game is over\.$", "over", r"^over$", "The game is over."),
])
"""``view=compact``: each fixed phrase of the text view as a short code, e.g.
``P0 first / turns 10 5 /10 / have 6 Wheat, ... / values Wheat 24, ... / worth 679 679 +0 /
opp 18 Wheat, ... / offer - / log - / now``; ``COMPACT.expand`` gives the text view back
exactly (messages and moves stay verbatim)."""

TEXT_VIEW_START = "You are player "
"""How every text-view observation begins (a reader skips :data:`COMPACT`'s expansion)."""


class NegotiationState(State):
    """Inventories, values and starting inventories as tuples of two 5-tuples; the
    pending offer ``(proposer, give, get)`` or None; the history of ``(player,
    canonical reply)``. Player to move: ``turn % 2``."""

    __slots__ = ("inventory", "values", "start", "pending", "history")
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

    def _apply(self, player: int, action: str) -> None:
        move = parse_reply(action)
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
        self.history = self.history + ((player, move.canonical()),)

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
        new_p = tuple(h - g + r for h, g, r in zip(self.inventory[proposer], give, get))
        new_a = tuple(h + g - r for h, g, r in zip(self.inventory[acceptor], give, get))
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
        return _ROLES[player]

    def clone(self) -> "NegotiationState":
        s = object.__new__(NegotiationState)
        s.game = self.game
        s.turn = self.turn
        s.inventory = self.inventory
        s.values = self.values
        s.start = self.start
        s.pending = self.pending
        s.history = self.history
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
        (when payable) [accept] while an opponent's offer is pending; kinds uniform."""
        if self.is_terminal() or player not in self.current_players():
            raise IllegalAction(f"player {player} has no legal move now")
        kinds = ["offer", "pass"]
        if self.pending is not None and self.pending[0] != player:
            kinds.append("deny")
            if not _missing(self.inventory[player], self.pending[2]):
                kinds.append("accept")
        kind = kinds[rng.randrange(len(kinds))]
        if kind == "offer":
            return self._random_offer(player, rng) or "[pass]"
        return f"[{kind}]"

    def _random_offer(self, player: int, rng: random.Random) -> str | None:
        mine, theirs = self.inventory[player], self.inventory[1 - player]
        own = [i for i in range(_N) if mine[i]]
        if not own:
            return None
        g = own[rng.randrange(len(own))]
        wanted = [i for i in range(_N) if theirs[i] and i != g]
        if not wanted:
            return None
        r = wanted[rng.randrange(len(wanted))]
        give, get = [0] * _N, [0] * _N
        give[g] = rng.randint(1, min(3, mine[g]))
        get[r] = rng.randint(1, min(3, theirs[r]))
        return Move("offer", tuple(give), tuple(get)).canonical()

    # ----- text -----------------------------------------------------------------------
    def _pending_line(self, player: int) -> str:
        if self.pending is None:
            return "Pending offer: none."
        proposer, give, get = self.pending
        if proposer == player:
            return (f"Your pending offer: you give {bundle_text(give)}; you get "
                    f"{bundle_text(get)} (waiting for the opponent).")
        change = value_of(give, self.values[player]) - value_of(get, self.values[player])
        return (f"{OFFER}{bundle_text(give)}; you give {bundle_text(get)} "
                f"(your value changes by {change:+d} if you accept).")

    def _history_lines(self, player: int) -> list[str]:
        if not self.history:
            return ["History: no moves yet."]
        lines = ["History:"]
        for i, (who, reply) in enumerate(self.history):
            name = "you" if who == player else "opponent"
            lines.append(f"  Turn {i + 1}, {name}: {reply}")
        return lines

    def _text(self, player: int) -> str:
        turns, own = self.game.options.turns, self.values[player]
        now, start = value_of(self.inventory[player], own), value_of(self.start[player], own)
        left = max(0, turns - self.turn)
        mine_left = (left + (1 if self.turn % 2 == player else 0)) // 2
        lines = [
            f"You are player {player} ({_ROLES[player]}) in Simple Negotiation.",
            f"{TURNS}{left} ({mine_left} of them yours) of {turns}.",
            f"{INVENTORY}{counts_text(self.inventory[player])}",
            VALUES + ", ".join(f"{RESOURCES[i]} {v}" for i, v in enumerate(own)),
            f"Your inventory value: {now} (at the start {start}, change {now - start:+d})",
            f"{OPPONENT}{counts_text(self.inventory[1 - player])}",
            "The opponent's values are private.",
            self._pending_line(player),
            *self._history_lines(player),
        ]
        if self.is_terminal():
            lines.append("The game is over.")
        elif self.turn % 2 == player:
            lines.append(f"It is your turn. {GRAMMAR}")
        else:
            lines.append("It is the opponent's turn.")
        return "\n".join(lines)

    def _compact(self, player: int) -> str:
        return COMPACT.compact(self._text(player))

    def information_state(self, player: int) -> str:
        own = ",".join(map(str, self.values[player]))
        start = ";".join(",".join(map(str, inv)) for inv in self.start)
        moves = ";".join(f"{who}:{reply}" for who, reply in self.history)
        return f"p{player}|values={own}|start={start}|{moves}"

    def render(self) -> str:
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


class SimpleNegotiation(Game):
    """Factory of negotiation states; see the module docstring for the rules."""

    info = GameInfo(
        id="negotiation",
        description="two-player trading of five resources with private values per unit",
        min_players=2,
        max_players=2,
        roles=_ROLES,
        chance="seeded",
        information="imperfect",
        min_utility=-1.0,
        max_utility=1.0,
        utility_sum=0.0,
        max_length=NegotiationOptions.turns,
        action_grammar="[offer] 2 Wood, 1 Ore -> 3 Sheep | [accept] | [deny] | [pass], "
                       "optionally followed by [say] <message>",
    )
    Options = NegotiationOptions
    views = VIEWS
    rules = RULES
    expert = "negotiator"

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        if not isinstance(self.options, NegotiationOptions):
            raise TypeError(
                f"options must be NegotiationOptions, got {type(self.options).__name__}"
            )
        self.info = dataclasses.replace(type(self).info, max_length=self.options.turns)

    def new_state(self, seed: int = 0) -> NegotiationState:
        """Quantities and values for both players drawn from ``random.Random(seed)``."""
        rng = random.Random(seed)
        inventory, values = [], []
        for _ in (0, 1):
            inventory.append(tuple(rng.randint(*QUANTITY_RANGE) for _ in range(_N)))
            values.append(tuple(rng.randint(*VALUE_RANGE) for _ in range(_N)))
        s = object.__new__(NegotiationState)
        s.game = self
        s.turn = 0
        s.inventory = s.start = tuple(inventory)
        s.values = tuple(values)
        s.pending = None
        s.history = ()
        return s

    def canonicalize(self, answer: str) -> str:
        """The canonical form of a reply (grammar: :mod:`games.negotiation.text`)."""
        return parse_reply(answer).canonical()

    def example_action(self) -> str:
        return "[offer] 2 Wood -> 1 Ore"
