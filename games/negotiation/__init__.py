"""Simple Negotiation: everything specific to the game, in the layout every game uses.

- :mod:`~games.negotiation.game`: the Game (``SimpleNegotiation``, ``NegotiationOptions``)
  and the rules as a spec sheet;
- :mod:`~games.negotiation.state`: the State (inventories, private values, the pending
  offer, the history);
- :mod:`~games.negotiation.text`: what a player reads in either view, built from pieces
  kept between steps, and the information state;
- :mod:`~games.negotiation.moves`: the reply grammar (parsing and canonical form) and
  reading an observation's numbered lines back (``read_view``);
- :mod:`~games.negotiation.expert`: the scripted expert as a pure function of a player's
  view, and the game's expert ``Negotiator`` (agents ``expert`` and ``negotiator``).

No evaluation.py: the game has no exact evaluator and no record metrics of its own, so
the arena's sampled evaluation (against ``random`` and the expert) applies.
"""

from games.negotiation.expert import ExpertSettings, Negotiator, expert_move
from games.negotiation.game import MAX_TURNS, RULES, NegotiationOptions, SimpleNegotiation
from games.negotiation.moves import (
    MAX_MESSAGE, QUANTITY_RANGE, RESOURCES, VALUE_RANGE, Bundle, Move, NegotiationView,
    parse_reply, read_view,
)
from games.negotiation.state import NegotiationState
from games.negotiation.text import value_of

__all__ = [
    "SimpleNegotiation", "NegotiationState", "NegotiationOptions", "MAX_TURNS",
    "QUANTITY_RANGE", "VALUE_RANGE", "RULES", "value_of", "RESOURCES", "MAX_MESSAGE",
    "Bundle", "Move", "NegotiationView", "parse_reply", "read_view", "ExpertSettings",
    "expert_move", "Negotiator",
]
