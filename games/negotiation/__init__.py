"""Simple Negotiation: everything specific to the game.

- :mod:`~games.negotiation.rules`: the game and its state (inventories, private values,
  the pending offer, the history);
- :mod:`~games.negotiation.text`: the reply grammar (parsing and canonical form) and
  reading an observation's numbered lines back (``read_view``);
- :mod:`~games.negotiation.expert`: the scripted expert as a pure function of a player's
  view, and the game's expert ``Negotiator`` (agents ``expert`` and ``negotiator``).

No exact evaluator: the arena's sampled evaluation (against ``random`` and the expert)
applies.
"""

from games.negotiation.expert import ExpertSettings, Negotiator, expert_move
from games.negotiation.rules import (
    MAX_TURNS, RULES, NegotiationOptions, NegotiationState, SimpleNegotiation,
)
from games.negotiation.text import (
    MAX_MESSAGE, QUANTITY_RANGE, RESOURCES, VALUE_RANGE, Bundle, Move, NegotiationView,
    parse_reply, read_view,
)
from games.negotiation.views import value_of

__all__ = [
    "SimpleNegotiation", "NegotiationState", "NegotiationOptions", "MAX_TURNS",
    "QUANTITY_RANGE", "VALUE_RANGE", "RULES", "value_of", "RESOURCES", "MAX_MESSAGE",
    "Bundle", "Move", "NegotiationView", "parse_reply", "read_view", "ExpertSettings",
    "expert_move", "Negotiator",
]
