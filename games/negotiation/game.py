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
    :mod:`games.negotiation.moves`; ``Game.canonicalize`` parses it.

Options (:class:`NegotiationOptions`)
    ``turns`` (default 10, from 2 to 60): total number of turns; also ``info.max_length``.

Observation
    The player's own inventory, own values per unit and total own value (and its change
    since the start), the opponent's inventory (public), never the opponent's values; the
    move history with messages, the pending offer, turns left and the grammar.
    :func:`read_view` (in :mod:`games.negotiation.moves`) reads the numbered lines back.
    Both views are built in :mod:`games.negotiation.text` from pieces kept between steps.

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

import _random
import dataclasses
import random
from dataclasses import dataclass, field
from typing import Any

from games.core import VIEWS, Game, GameInfo, view_field
from games.negotiation import text as tx
from games.negotiation.expert import Negotiator
from games.negotiation.moves import QUANTITY_RANGE, RESOURCES, VALUE_RANGE, parse_reply
from games.negotiation.state import NegotiationState
from games.negotiation.text import GRAMMAR, ROLES

__all__ = ["NegotiationOptions", "SimpleNegotiation", "MAX_TURNS"]

MAX_TURNS = 60
"""Most turns in one game: each observation repeats the whole history, so records grow
with the square of the length (60 turns: well under a second, about 200 KB of record)."""

_SETUP_DRAWS = tuple(
    (low, high - low + 1, (high - low + 1).bit_length())
    for _ in (0, 1) for low, high in [QUANTITY_RANGE] * len(RESOURCES) + [VALUE_RANGE] * len(RESOURCES)
)
"""(lowest value, how many values, bits per try) of each draw of ``new_state``."""

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


@dataclass
class NegotiationOptions:
    turns: int = field(default=10, metadata={"range": (2, MAX_TURNS)})
    """Total number of turns, both players together (player 0 moves on even turns)."""
    view: str = view_field()
    """``text``: a sentence per fact; ``compact``: the same lines as short codes
    (:data:`games.negotiation.text.COMPACT`)."""




class SimpleNegotiation(Game):
    """Factory of negotiation states; see the module docstring for the rules."""

    info = GameInfo(
        id="negotiation",
        description="two-player trading of five resources with private values per unit",
        min_players=2,
        max_players=2,
        roles=ROLES,
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
    expert = Negotiator

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        if not isinstance(self.options, NegotiationOptions):
            raise TypeError(
                f"options must be NegotiationOptions, got {type(self.options).__name__}"
            )
        self.info = dataclasses.replace(type(self).info, max_length=self.options.turns)
        self.frames = tx.frames(self.options.turns)
        """The first and last lines of each observation, per turn and player."""

    def new_state(self, seed: int = 0) -> NegotiationState:
        """Quantities and values for both players drawn from ``random.Random(seed)`` as
        ``rng.randint`` draws them (player 0's five quantities, its five values, then
        player 1's), straight from ``getrandbits``; an int seed seeds random.Random's C
        base class directly (the same generator and seeding, without the Python-level
        wrappers)."""
        bits = (_random.Random if isinstance(seed, int) else random.Random)(seed).getrandbits
        drawn = []
        for low, n, k in _SETUP_DRAWS:
            r = bits(k)  # uniform below n by rejection, as rng.randrange(n)
            while r >= n:
                r = bits(k)
            drawn.append(low + r)
        s = object.__new__(NegotiationState)
        s.game = self
        s.turn = 0
        s.inventory = s.start = (tuple(drawn[0:5]), tuple(drawn[10:15]))
        s.values = (tuple(drawn[5:10]), tuple(drawn[15:20]))
        s.pending = None
        s.history = ()
        s._head = s._log = None
        return s

    def canonicalize(self, answer: str) -> str:
        """The canonical form of a reply (grammar: :mod:`games.negotiation.moves`)."""
        return parse_reply(answer).canonical()

    def example_action(self) -> str:
        return "[offer] 2 Wood -> 1 Ore"
