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
    (bounded: emptied at :data:`MAX_KEPT` entries, which only long matches reach);
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

from games.core import VIEWS, Game, GameInfo, IllegalAction, Observation, State, view_field
from games.kuhn_poker import text
from games.kuhn_poker.betting import (
    BET, CALL, CARDS, CHECK, FOLD, LEGAL, NEXT, OUTCOME, TO_ACT, hand_result,
)
from games.kuhn_poker.expert import KuhnNash

__all__ = ["KuhnOptions", "KuhnPoker", "KuhnState", "MAX_HANDS"]

_Random = random.Random
_PAIRS = tuple(tuple((first, 2 if second == first else second) for second in (0, 1))
               for first in (0, 1, 2))
"""The deal of one hand from its two draws: a card below 3, then one of the two left."""

MAX_HANDS = 20
"""Most hands in one match: a 20-hand match is 60 decisions and well under a second."""
MAX_KEPT = 1 << 16
"""Most observations kept per table (one hand has 108 per view)."""
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


class KuhnState(State):
    __slots__ = ("cards", "hand", "history", "past", "net")

    cards: tuple[int, ...]
    """Pre-dealt cards: ``cards[2 * h + p]`` is player p's card in hand h (0=J, 1=Q, 2=K)."""
    hand: int
    """Index of the current hand (stays on the last hand once the match is over)."""
    history: str
    """Comma-joined action words of the current hand."""
    past: tuple[str, ...]
    """Histories of the finished earlier hands."""
    net: int
    """Chips player 0 has won in finished hands (player 1 has ``-net``)."""

    def clone(self) -> "KuhnState":
        s = object.__new__(KuhnState)
        s.game = self.game
        s.turn = self.turn
        s.cards = self.cards
        s.hand = self.hand
        s.history = self.history
        s.past = self.past
        s.net = self.net
        return s

    # ----- rules ------------------------------------------------------------------
    def actor(self) -> int:
        """Who acts now: the hand's first player when the history has an even length."""
        return (self.hand & 1) ^ TO_ACT[self.history]

    def is_terminal(self) -> bool:
        return self.history in OUTCOME

    def current_players(self) -> list[int]:
        history = self.history
        return [] if history in OUTCOME else [(self.hand & 1) ^ TO_ACT[history]]

    def _legal(self, player: int) -> list[str]:
        return list(LEGAL[self.history])

    def _legal_now(self, player: int) -> tuple[str, ...]:
        history = self.history
        if history in OUTCOME or player != (self.hand & 1) ^ TO_ACT[history]:
            return ()
        return LEGAL[history]

    def _apply(self, player: int, action: str) -> None:
        history = self.history = NEXT[self.history][action]
        if history in OUTCOME:
            self._end_hand(history)

    def _end_hand(self, history: str) -> None:
        """Score the finished ``history`` and deal the next hand, if any."""
        self.net += hand_result(self.cards, self.hand, history)
        if self.hand + 1 < self.game.options.hands:
            self.past += (history,)
            self.hand += 1
            self.history = ""

    # ----- the hot path: the base methods in one call each ------------------------------
    def apply(self, player: int, action: str) -> None:
        """:meth:`State.apply` in one step: the betting table says what is legal."""
        history = self.history
        try:
            after = NEXT[history][action]  # KeyError: the hand is over or not legal now
        except (KeyError, TypeError):
            self._refuse(player, action)
        if player != (self.hand & 1) ^ TO_ACT[history]:
            self._refuse(player, action)
        self.history = after
        if after in OUTCOME:
            self._end_hand(after)
        self.turn += 1

    def random_action(self, player: int, rng: random.Random) -> str:
        history = self.history
        if history in OUTCOME or player != (self.hand & 1) ^ TO_ACT[history]:
            raise IllegalAction(f"player {player} has no legal action now")
        if rng.__class__ is not _Random:
            return rng.choice(LEGAL[history])
        r = rng.getrandbits(2)  # rng.choice of two actions, straight from getrandbits
        while r >= 2:
            r = rng.getrandbits(2)
        return LEGAL[history][r]

    def observation(self, player: int) -> Observation:
        """:meth:`State.observation`, each one built once (see the module docstring)."""
        if player != 0 and player != 1:
            return super().observation(player)  # the error naming the player
        hand = self.hand
        key = (player, self.history, hand, self.past, self.cards[:2 * hand + 2], self.net,
               self.turn)
        table = self.game.observations
        obs = table.get(key)
        if obs is None:
            obs = super().observation(player)
            if player.__class__ is int:  # a bool seat is served, not kept (its field says True)
                if len(table) >= MAX_KEPT:
                    table.clear()
                table[key] = obs
        return obs

    def returns(self) -> list[float]:
        return [float(self.net), float(-self.net)]

    def role(self, player: int) -> str:
        return "first" if player == 0 else "second"

    # ----- what a player knows ----------------------------------------------------
    def past_hands(self) -> list[tuple[int, str]]:
        """(hand index, history) of every finished hand, the last one included."""
        done = list(enumerate(self.past))
        if self.history in OUTCOME:
            done.append((self.hand, self.history))
        return done

    def information_state(self, player: int) -> str:
        own = CARDS[self.cards[2 * self.hand + player]]
        current = f"{own}:{self.history}"
        hands = self.game.options.hands
        if hands == 1:
            return current
        parts = [f"{self.hand + 1}/{hands}"]
        for h, hist in enumerate(self.past):
            opp = CARDS[self.cards[2 * h + 1 - player]] if OUTCOME[hist][1] else "?"
            parts.append(f"{CARDS[self.cards[2 * h + player]]}-{opp}:{hist}")
        parts.append(current)
        return "|".join(parts)

    def _determinise(self, player: int, rng: random.Random) -> "KuhnState":
        """Resample every card ``player`` has not seen: the opponent's card in the current
        hand and in earlier hands that ended in a fold, and both cards of later hands."""
        cards = list(self.cards)
        shown = {h for h, hist in self.past_hands() if OUTCOME[hist][1]}
        opp = 1 - player
        for h in range(self.game.options.hands):
            if h > self.hand:
                cards[2 * h], cards[2 * h + 1] = rng.sample(range(3), 2)
            elif h not in shown:
                mine = cards[2 * h + player]
                cards[2 * h + opp] = rng.choice([c for c in range(3) if c != mine])
        s = self.clone()
        s.cards = tuple(cards)
        return s

    def _text(self, player: int) -> str:
        return text.observation_text(self, player)

    def _compact(self, player: int) -> str:
        return text.compact_text(self, player)

    def render(self, reveal: bool = False) -> str:
        return text.render(self)


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
        from games.kuhn_poker.evaluation import load_policy_file, table_policy

        return table_policy(load_policy_file(path))

    def evaluators(self) -> tuple:
        """The value against the equilibrium family (:mod:`games.kuhn_poker.evaluation`);
        exact exploitability (every ``hands``) is generic
        (:func:`games.algorithms.evaluators_of` adds it)."""
        from games.kuhn_poker.evaluation import VALUE_VS_EQUILIBRIUM

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

