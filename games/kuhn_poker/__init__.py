"""Kuhn Poker: everything specific to the game, in the layout every game uses.

- :mod:`~games.kuhn_poker.game`: the Game (``KuhnPoker``, ``KuhnOptions``) and the rules as
  a spec sheet, its chance outcomes and what a forfeit costs;
- :mod:`~games.kuhn_poker.state`: the State (``KuhnState``): the deal, the betting, the chips;
- :mod:`~games.kuhn_poker.betting`: one hand as tables (cards, legal actions, outcomes);
- :mod:`~games.kuhn_poker.text`: the rules text, observation text and rendering;
- :mod:`~games.kuhn_poker.expert`: the Nash equilibrium family as pure functions, and
  the game's expert ``KuhnNash`` (agents ``expert`` and ``kuhn-nash``);
- :mod:`~games.kuhn_poker.evaluation`: exact evaluation (its evaluators, policy tables and
  policy files).
"""

from games.kuhn_poker.betting import BET, CALL, CARDS, CHECK, FOLD
from games.kuhn_poker.evaluation import (
    INFOSETS, VALUE_VS_EQUILIBRIUM, equilibrium_values, load_policy_file, table_from_policy,
    table_policy, validate_policy,
)
from games.kuhn_poker.expert import (
    MAX_ALPHA, KuhnNash, check_alpha, equilibrium_distribution, equilibrium_policy,
)
from games.kuhn_poker.game import MAX_HANDS, KuhnOptions, KuhnPoker
from games.kuhn_poker.state import KuhnState
from games.kuhn_poker.text import RULES

__all__ = [
    "KuhnPoker", "KuhnState", "KuhnOptions", "MAX_HANDS", "CARDS", "RULES",
    "CHECK", "BET", "CALL", "FOLD",
    "KuhnNash", "MAX_ALPHA", "check_alpha", "equilibrium_distribution", "equilibrium_policy",
    "INFOSETS", "VALUE_VS_EQUILIBRIUM", "equilibrium_values", "load_policy_file",
    "table_from_policy", "table_policy", "validate_policy",
]
