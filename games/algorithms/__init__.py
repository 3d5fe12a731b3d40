"""Generic algorithms over any game that declares what they need.

- :mod:`games.algorithms.evaluation`: the evaluation contract: an :class:`Evaluator` is a
  named function from a game and a batched policy to metrics; intervals of rates; a
  game's record metrics asked the one way.
- :mod:`games.algorithms.exploitability`: exact exploitability of a policy by a walk of
  the whole tree, for a two-player zero-sum game that declares its chance outcomes.

:func:`evaluators_of` is what every caller asks for a game's exact evaluators: the
generic ones the game qualifies for, then the game's own (``Game.evaluators()``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from games.algorithms.evaluation import Evaluator
from games.algorithms.exploitability import EXPLOITABILITY, supports_exploitability

if TYPE_CHECKING:
    from games.core import Game

__all__ = ["evaluators_of"]


def evaluators_of(game: "Game") -> tuple[Evaluator, ...]:
    """Every exact evaluator ``game`` offers: exact ``exploitability`` where
    :func:`~games.algorithms.exploitability.supports_exploitability` holds, then the
    game's own ``evaluators()``, each name once (a game that lists a generic one itself
    keeps its own place for it)."""
    own = tuple(game.evaluators())
    generic = (EXPLOITABILITY,) if supports_exploitability(game) else ()
    names = {e.name for e in own}
    return tuple(e for e in generic if e.name not in names) + own
