"""The scripted expert of Simple Negotiation as a pure function of what one player sees.

:func:`expert_move` reads a player's view (:func:`games.negotiation.moves.read_view` of the
observation text: own inventory and values, the opponent's inventory, a pending offer,
turns left) and never looks at the opponent's values; where it must guess them it uses
their prior mean. Randomness comes from the ``rng`` passed in. :class:`Negotiator` is the
game's expert (agents ``expert`` and ``negotiator``, options ``margin`` and
``max_units``): it reads its observation text back (either view) and plays
:func:`expert_move`.

Policy, in order:

1. A pending offer from the opponent is accepted when this player can pay it and it
   raises its own inventory value by at least ``margin`` times the value given up (at
   least 1; on its last turn any gain of 1 or more), and by at least the opponent's
   estimated gain (units moved at the prior mean value), so that the trade does not make
   the opponent win.
2. Otherwise it proposes the trade that raises its own value most: ``1..max_units`` of one
   resource it values less for ``1..max_units`` of one it values more that the opponent
   holds. Early offers may ask for more units than they give; the allowance shrinks with
   the turns it has left, so the last offers look fair to an opponent who values every
   unit alike. Near-best offers are drawn at random, so a refused offer is not repeated
   word for word. A counter-offer replaces (and so rejects) a pending offer.
3. When no offer is worth making, or when its move is the last of the game (an offer
   could no longer be answered), it denies a pending offer or passes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from games.core import Determiniser, Observation
from games.expert import Expert
from games.negotiation.moves import (
    RESOURCES, VALUE_RANGE, Bundle, Move, NegotiationView, read_view,
)
from games.negotiation.text import COMPACT, TEXT_VIEW_START

__all__ = ["Negotiator", "ExpertSettings", "expert_move", "PRIOR_VALUE"]

PRIOR_VALUE = sum(VALUE_RANGE) / 2
"""Mean of the opponent's value per unit under the game's prior."""

_N = len(RESOURCES)


@dataclass(frozen=True)
class ExpertSettings:
    margin: float = 0.1
    """Gain asked for, as a fraction of the value given up (0 to 10)."""
    max_units: int = 3
    """Most units of a resource per side of an offer (at least 1)."""

    def __post_init__(self) -> None:
        if not 0 <= self.margin <= 10:
            raise ValueError(
                f"margin={self.margin!r} must be between 0 and 10 (the gain asked for, as "
                "a fraction of the value given up), e.g. margin=0.1"
            )
        if self.max_units < 1:
            raise ValueError(
                f"max_units={self.max_units!r} must be >= 1 (most units of a resource per "
                "side of an offer), e.g. max_units=3"
            )


def _worth(bundle: Bundle, values: Bundle) -> int:
    return sum(n * v for n, v in zip(bundle, values))


def expert_move(view: NegotiationView, rng: random.Random,
                settings: ExpertSettings = ExpertSettings()) -> str:
    """The expert's reply (canonical) for one player's view of the game."""
    pending = view.offer_receive is not None
    if pending and _acceptable(view, settings):
        return "[accept] [say] Deal."
    if view.turns_left > 1:
        offer = _best_offer(view, rng, settings)
        if offer is not None:
            return offer
    if pending:
        return "[deny] [say] That trade does not work for me."
    return "[pass]"


def _acceptable(view: NegotiationView, settings: ExpertSettings) -> bool:
    receive, give = view.offer_receive, view.offer_give
    if any(g > h for g, h in zip(give, view.inventory)):
        return False
    gain = _worth(receive, view.values) - _worth(give, view.values)
    their_guess = PRIOR_VALUE * (sum(give) - sum(receive))
    needed = (1.0 if view.my_turns_left <= 1
              else max(1.0, settings.margin * _worth(give, view.values)))
    return gain >= needed and gain >= their_guess


def _best_offer(view: NegotiationView, rng: random.Random,
                settings: ExpertSettings) -> str | None:
    """A near-best offer among single-resource swaps, or None when none qualifies."""
    values, mine, theirs = view.values, view.inventory, view.opponent_inventory
    margin, max_units = settings.margin, settings.max_units
    # how much the opponent may lose (at prior values) early on; 0 on the last turn
    allowance = PRIOR_VALUE * min(2.0, (view.my_turns_left - 1) / 2)
    scored: list[tuple[int, int, int, int, int]] = []
    for g in range(_N):
        for r in range(_N):
            if r == g or values[r] <= values[g] or not mine[g] or not theirs[r]:
                continue
            for qg in range(1, min(max_units, mine[g]) + 1):
                for qr in range(1, min(max_units, theirs[r]) + 1):
                    gain = qr * values[r] - qg * values[g]
                    if gain < max(1.0, margin * qg * values[g]):
                        continue
                    if PRIOR_VALUE * (qg - qr) < -allowance:
                        continue
                    scored.append((gain, g, qg, r, qr))
    if not scored:
        return None
    best = max(s[0] for s in scored)
    near = [s for s in scored if s[0] >= 0.9 * best]
    _, g, qg, r, qr = near[rng.randrange(len(near))]
    give, get = [0] * _N, [0] * _N
    give[g], get[r] = qg, qr
    note = f"My {RESOURCES[g]} for your {RESOURCES[r]}?"
    return Move("offer", tuple(give), tuple(get), note).canonical()


class Negotiator(Expert):
    """The expert of :func:`expert_move` with its settings as options."""

    name = "negotiator"

    def __init__(self, margin: float = 0.1, max_units: int = 3) -> None:
        self.settings = ExpertSettings(margin=margin, max_units=max_units)
        self.margin = margin
        self.max_units = max_units

    def act(self, obs: Observation, rng: random.Random,
            determiniser: Determiniser | None = None) -> tuple[str, None]:
        text = obs.text if obs.text.startswith(TEXT_VIEW_START) else COMPACT.expand(obs.text)
        return expert_move(read_view(text), rng, self.settings), None
