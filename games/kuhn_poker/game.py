"""Kuhn Poker: two players, three cards, one betting round; optionally a match of N hands.

Rules
    A deck of three cards ranks J < Q < K. Each player antes 1 chip and is dealt one card;
    the third card is not used. The first player acts: ``[check]`` or ``[bet]`` (1 chip).
    After a check the second player may ``[check]`` (showdown) or ``[bet]``; facing a bet a
    player may ``[call]`` (1 chip, showdown) or ``[fold]`` (the other player takes the pot).
    At a showdown the higher card takes the pot. A hand therefore moves +-1 or +-2 chips.

Options (:class:`KuhnOptions`)
    ``hands`` (default 1, from 1 to 20): a match of that many hands. Player 0 acts first
    in hands 1, 3, 5, ..., player 1 in hands 2, 4, ...; chips are summed over the match.
    All hands are dealt from the seed at ``new_state`` (``random.Random(seed)``), so a
    state holds no rng.

Roles
    ``"first"`` / ``"second"``: the player's seat, named by who acts first in the first hand
    (player 0 is ``"first"``). The role is fixed for the whole match because returns are
    match totals (a per-role baseline of match returns needs a per-match role); who acts
    first in the current hand is stated in the observation text and follows from the
    information state (the actor is the hand's first player when its history is even).

Observation
    The player's own card, the betting of the current hand, the pot, the match chips so far,
    "hand i of N" (matches of more than one hand), previous hands (cards seen at showdowns
    only), whose move it is and the legal actions. Never the opponent's card before a
    showdown. ``render()`` is for a spectator and shows both cards.

Information state
    One hand: ``"<card>:<history>"``, e.g. ``"K:"``, ``"Q:check,bet"``, ``"J:bet"``.
    N hands: ``"<i>/<N>|<earlier>|...|<card>:<history>"`` where each earlier hand reads
    ``"<own card>-<opponent card or ?>:<history>"`` (``?`` when that hand ended in a fold),
    which keeps perfect recall.

Actions
    Exactly ``"[check]"``, ``"[bet]"``, ``"[call]"``, ``"[fold]"``.

Returns
    Net chips per player over the match (hands finished so far before the end): zero-sum,
    within +-2 per hand. A forfeit costs the offender the most the match could cost,
    ``2 * hands`` chips, and the other player wins as much.

Speed
    A hand has 54 states (6 deals, 9 histories), so every observation is built once, on
    first use, and kept in a table shared by the games of one class, view and ``hands``
    (bounded: emptied at :data:`~games.kuhn_poker.state.MAX_KEPT` entries, which only long
    matches reach);
    ``apply``, ``random_action`` and ``observation`` read the betting tables directly
    (tests hold them equal to the base methods and to a fresh build).

Chance outcomes and evaluators
    ``chance_outcomes()`` lists every deal (``6 ** hands``, equally likely), so the generic
    exact ``exploitability`` applies to every ``hands`` whose tree is small enough (up to
    3 hands); the game adds ``value_vs_equilibrium`` (:mod:`games.kuhn_poker.evaluation`).
"""

from __future__ import annotations

import _random
import dataclasses
import itertools
import random
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from games.core import VIEWS, Game, GameInfo, Observation, view_field
from games.kuhn_poker import text
from games.kuhn_poker.betting import BET, CALL, CARDS, CHECK, FOLD
from games.kuhn_poker.evaluation import VALUE_VS_EQUILIBRIUM, load_policy_file, table_policy
from games.kuhn_poker.expert import KuhnNash
from games.kuhn_poker.state import KuhnState

__all__ = ["KuhnOptions", "KuhnPoker", "MAX_HANDS"]

_PAIRS = tuple(tuple((first, 2 if second == first else second) for second in (0, 1))
               for first in (0, 1, 2))
"""The deal of one hand from its two draws: a card below 3, then one of the two left."""

MAX_HANDS = 20
"""Most hands in one match: a 20-hand match is 60 decisions and well under a second."""
_OBSERVATIONS: dict[tuple, dict[tuple, Observation]] = {}
"""Per (game class, view, rules, hands): observations by (player, history, hand, past,
cards dealt so far, net, turn), each built once by the base :meth:`State.observation`."""


@dataclass
class KuhnOptions:
    hands: int = field(default=1, metadata={"range": (1, MAX_HANDS)})
    """Number of hands in the match (first player alternates, chips are summed)."""
    view: str = view_field()
    """``text``: sentences (card, betting, pot, earlier hands); ``compact``: ``K 2 : check
    bet`` (:func:`games.kuhn_poker.text.compact_text`)."""


def _observations_of(game: "KuhnPoker") -> dict[tuple, Observation]:
    key = (type(game), game.view, game.rules, game.options.hands)
    return _OBSERVATIONS.setdefault(key, {})


class KuhnPoker(Game):
    info = GameInfo(
        id="kuhn_poker",
        description="Kuhn Poker: three cards, one bet; exact exploitability for evaluation",
        min_players=2,
        max_players=2,
        roles=("first", "second"),
        chance="seeded",
        information="imperfect",
        min_utility=-2.0,
        max_utility=2.0,
        utility_sum=0.0,
        max_length=3,
        action_grammar="one of [check], [bet], [call], [fold]",
    )
    """Declared for one hand; an instance's ``info`` scales the bounds with ``hands``."""
    Options = KuhnOptions
    views = VIEWS
    rules = text.RULES
    expert = KuhnNash

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        if not isinstance(self.options, KuhnOptions):
            raise TypeError(
                f"kuhn_poker options must be KuhnOptions, got {type(self.options).__name__}"
            )
        n = self.options.hands
        self.info = dataclasses.replace(
            KuhnPoker.info, min_utility=-2.0 * n, max_utility=2.0 * n, max_length=3 * n
        )
        self.hands = n
        """``options.hands``, read at every deal."""
        self.observations = _observations_of(self)
        """Observations already built, shared by the games of this class, view, rules and
        number of hands."""

    def kept_tables(self) -> dict[str, Any]:
        return {"observations": _observations_of(self)}

    def example_action(self) -> str:
        return CHECK

    def all_actions(self) -> list[str]:
        """Every canonical action in a fixed order (the PettingZoo adapter's Discrete space)."""
        return [CHECK, BET, CALL, FOLD]

    def chance_outcomes(self) -> Iterator[tuple[float, KuhnState]]:
        """Every deal of the match, each hand's pair of cards in turn, with its
        probability ``1 / 6**hands``, generated in a fixed order: all of Kuhn Poker's
        chance happens in ``new_state``."""
        pairs = list(itertools.permutations(range(3), 2))
        p = 1.0 / len(pairs) ** self.options.hands
        for deal in itertools.product(pairs, repeat=self.options.hands):
            yield p, self._state(tuple(itertools.chain.from_iterable(deal)))

    def forfeit_returns(self, offender: int, roles: Sequence[str] | None = None
                        ) -> list[float]:
        """The offender loses the most the match could cost, 2 chips per hand, and the other
        player wins as much: a forfeit is never cheaper than any way of playing on."""
        worst = 2.0 * self.options.hands
        return [-worst, worst] if offender == 0 else [worst, -worst]

    def load_policy(self, path: Any) -> Any:
        """A policy file of one hand's 12 information sets (``{"K:": 1.0, ...}``, the
        probability of betting or calling), played in every hand of the match
        (:func:`games.kuhn_poker.evaluation.load_policy_file`)."""
        return table_policy(load_policy_file(path))

    def evaluators(self) -> tuple:
        """The value against the equilibrium family (:mod:`games.kuhn_poker.evaluation`);
        exact exploitability (every ``hands``) is generic
        (:func:`games.algorithms.evaluators_of` adds it)."""
        return (VALUE_VS_EQUILIBRIUM,)

    def new_state(self, seed: int = 0) -> KuhnState:
        """Each hand dealt from ``random.Random(seed)`` in turn as ``rng.sample(range(3),
        2)`` deals it (player 0's card, then player 1's), drawn straight from
        ``getrandbits``: ``sample`` itself costs more than the rest of a game. An int seed
        seeds random.Random's C base class directly (the same generator and seeding,
        without the Python-level wrappers)."""
        bits = (_random.Random if seed.__class__ is int else random.Random)(seed).getrandbits
        cards: tuple[int, ...] = ()
        for _ in range(self.hands):
            first = bits(2)  # uniform below 3 by rejection, as rng.randrange(3)
            while first == 3:
                first = bits(2)
            second = bits(2)  # uniform below 2 of the two cards left
            while second >= 2:
                second = bits(2)
            cards += _PAIRS[first][second]
        s = object.__new__(KuhnState)
        s.game, s.turn, s.cards, s.hand, s.history, s.past, s.net = self, 0, cards, 0, "", (), 0
        return s

    def deal_state(self, cards: str | Sequence[str]) -> KuhnState:
        """A fresh state with a chosen deal, e.g. ``"KJ"`` (player 0 has K, player 1 J);
        one pair per hand. Exact evaluation and tests enumerate deals with it."""
        letters = list(cards)
        n = self.options.hands
        bad = [c for c in letters if c not in CARDS]
        if len(letters) != 2 * n or bad:
            raise ValueError(
                f"deal {cards!r} must be {2 * n} card letters from J, Q, K "
                f"(two per hand, player 0 first), e.g. {'KJ' * n!r}"
            )
        ints = tuple(CARDS.index(c) for c in letters)
        for h in range(n):
            if ints[2 * h] == ints[2 * h + 1]:
                raise ValueError(f"deal {cards!r}: hand {h + 1} gives both players the same card")
        return self._state(ints)

    def _state(self, cards: tuple[int, ...]) -> KuhnState:
        s = object.__new__(KuhnState)
        s.game = self
        s.turn = 0
        s.cards = cards
        s.hand = 0
        s.history = ""
        s.past = ()
        s.net = 0
        return s

