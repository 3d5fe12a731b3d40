"""Kuhn Poker: two players, three cards, one betting round; optionally a match of N hands.

Rules
    A deck of three cards ranks J < Q < K. Each player antes 1 chip and is dealt one card;
    the third card is not used. The first player acts: ``[check]`` or ``[bet]`` (1 chip).
    After a check the second player may ``[check]`` (showdown) or ``[bet]``; facing a bet a
    player may ``[call]`` (1 chip, showdown) or ``[fold]`` (the other player takes the pot).
    At a showdown the higher card takes the pot. A hand therefore moves +-1 or +-2 chips.

Options (:class:`KuhnOptions`)
    ``hands`` (default 1): a match of that many hands. Player 0 acts first in hands 1, 3,
    5, ..., player 1 in hands 2, 4, ...; chips are summed over the match. All hands are
    dealt from the seed at ``new_state`` (``random.Random(seed)``), so a state holds no rng.

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
    within +-2 per hand.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from typing import Any, Sequence

from games.core import Game, GameInfo, State

__all__ = ["KuhnOptions", "KuhnPoker", "KuhnState", "CARDS"]

CARDS = "JQK"
"""Card letters by rank: index 0 is J (lowest), 2 is K (highest)."""

CHECK, BET, CALL, FOLD = "[check]", "[bet]", "[call]", "[fold]"

# A hand's history is the comma-joined action words so far; these are the decision points.
_LEGAL = {
    "": (CHECK, BET),
    "check": (CHECK, BET),
    "bet": (FOLD, CALL),
    "check,bet": (FOLD, CALL),
}
# Finished histories -> (chips the first player wins if it has the higher card or the
# fixed result of a fold, showdown?).
_OUTCOME = {
    "check,check": (1, True),
    "bet,call": (2, True),
    "check,bet,call": (2, True),
    "bet,fold": (1, False),
    "check,bet,fold": (-1, False),
}
_PAST = {"check": "checked", "bet": "bet", "call": "called", "fold": "folded"}
# Who acts, relative to the hand's first player (0: first, 1: second), by history.
_TO_ACT = {h: (0 if not h else h.count(",") + 1) % 2 for h in _LEGAL}
# The history after each legal action: _NEXT[history][action].
_NEXT = {h: {a: f"{h},{a[1:-1]}" if h else a[1:-1] for a in acts} for h, acts in _LEGAL.items()}

_TEXT_CACHE: dict[tuple, str] = {}
"""Observation texts by (hands, player, hand, history, net, past, cards): a text is a pure
function of those, and a one-hand game has only 108. Cleared when it reaches
:data:`_TEXT_CACHE_MAX` entries (long matches have too many positions to keep)."""
_TEXT_CACHE_MAX = 1 << 16

RULES = """\
Kuhn Poker. The deck has three cards: J < Q < K. Each player antes 1 chip and gets one \
card; the third card stays hidden. The first player may [check] or [bet] (1 chip). \
After a check, the second player may [check] (showdown) or [bet]. Facing a bet, a player \
may [call] (add 1 chip; showdown) or [fold] (give up the pot). At a showdown the higher \
card wins the pot. Your goal is to win as many chips as possible. In a match of several \
hands the first player alternates and chips add up. Answer with exactly one legal action \
in brackets, e.g. [check]."""


@dataclass
class KuhnOptions:
    hands: int = 1
    """Number of hands in the match (first player alternates, chips are summed)."""

    def __post_init__(self) -> None:
        if isinstance(self.hands, bool) or not isinstance(self.hands, int) or self.hands < 1:
            raise ValueError(
                f"kuhn_poker option hands={self.hands!r} must be an integer >= 1 "
                "(the number of hands in the match), e.g. hands=1"
            )


def _hand_result(cards: Sequence[int], hand: int, history: str) -> int:
    """Chips player 0 wins in a finished hand."""
    stake, showdown = _OUTCOME[history]
    first = hand % 2
    if showdown and cards[2 * hand + first] < cards[2 * hand + 1 - first]:
        stake = -stake
    return stake if first == 0 else -stake


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
    def _actor(self) -> int:
        """Who acts now: the hand's first player when the history has an even length."""
        return (self.hand & 1) ^ _TO_ACT[self.history]

    def is_terminal(self) -> bool:
        return self.history in _OUTCOME

    def current_players(self) -> list[int]:
        history = self.history
        return [] if history in _OUTCOME else [(self.hand & 1) ^ _TO_ACT[history]]

    def _legal(self, player: int) -> list[str]:
        return list(_LEGAL[self.history])

    def _legal_now(self, player: int) -> tuple[str, ...]:
        history = self.history
        if history in _OUTCOME or player != (self.hand & 1) ^ _TO_ACT[history]:
            return ()
        return _LEGAL[history]

    def _apply(self, player: int, action: str) -> None:
        history = self.history = _NEXT[self.history][action]
        if history in _OUTCOME:
            self.net += _hand_result(self.cards, self.hand, history)
            if self.hand + 1 < self.game.options.hands:
                self.past += (history,)
                self.hand += 1
                self.history = ""

    def returns(self) -> list[float]:
        return [float(self.net), float(-self.net)]

    def role(self, player: int) -> str:
        return "first" if player == 0 else "second"

    # ----- what a player knows ----------------------------------------------------
    def _past_hands(self) -> list[tuple[int, str]]:
        """(hand index, history) of every finished hand, the last one included."""
        done = list(enumerate(self.past))
        if self.history in _OUTCOME:
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
            opp = CARDS[self.cards[2 * h + 1 - player]] if _OUTCOME[hist][1] else "?"
            parts.append(f"{CARDS[self.cards[2 * h + player]]}-{opp}:{hist}")
        parts.append(current)
        return "|".join(parts)

    def _determinise(self, player: int, rng: random.Random) -> "KuhnState":
        """Resample every card ``player`` has not seen: the opponent's card in the current
        hand and in earlier hands that ended in a fold, and both cards of later hands."""
        cards = list(self.cards)
        shown = {h for h, hist in self._past_hands() if _OUTCOME[hist][1]}
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
        hands = self.game.options.hands
        key = (hands, player, self.hand, self.history, self.net, self.past, self.cards)
        text = _TEXT_CACHE.get(key)
        if text is None:
            if len(_TEXT_CACHE) >= _TEXT_CACHE_MAX:
                _TEXT_CACHE.clear()
            text = _TEXT_CACHE[key] = self._build_text(player)
        return text

    def _build_text(self, player: int) -> str:
        hands = self.game.options.hands
        lines = ["Kuhn Poker" + (f", hand {self.hand + 1} of {hands}." if hands > 1 else ".")]
        first = self.hand % 2
        pos = "first" if player == first else "second"
        lines.append(f"You are player {player}; you act {pos} this hand.")
        lines.append(f"Your card: {CARDS[self.cards[2 * self.hand + player]]}")
        lines.append(f"Betting this hand: {self._betting_words(player)}.")
        mine, theirs = self._in_pot(player)
        lines.append(f"Pot: {mine + theirs} chips (you put in {mine}, opponent {theirs}).")
        for h, hist in self._past_hands():
            lines.append(self._hand_summary(player, h, hist))
        you = self.net if player == 0 else -self.net
        lines.append(f"Match chips so far: you {you:+d}, opponent {-you:+d}.")
        if self.is_terminal():
            lines.append("The match is over.")
        elif self._actor() == player:
            lines.append("Your move. Legal actions: " + ", ".join(_LEGAL[self.history]))
        else:
            lines.append(f"Waiting for the opponent (player {1 - player}).")
        return "\n".join(lines)

    def _betting_words(self, player: int) -> str:
        if not self.history:
            return "no action yet"
        actor = self.hand % 2
        words = []
        for word in self.history.split(","):
            who = "you" if actor == player else "opponent"
            words.append(f"{who} {_PAST[word]}")
            actor = 1 - actor
        return ", ".join(words)

    def _in_pot(self, player: int) -> tuple[int, int]:
        """Chips each side has put into the current hand's pot (ante included)."""
        put = [1, 1]
        actor = self.hand % 2
        for word in self.history.split(",") if self.history else ():
            if word in ("bet", "call"):
                put[actor] += 1
            actor = 1 - actor
        return put[player], put[1 - player]

    def _hand_summary(self, player: int, hand: int, history: str) -> str:
        won = _hand_result(self.cards, hand, history) * (1 if player == 0 else -1)
        own = CARDS[self.cards[2 * hand + player]]
        showdown = _OUTCOME[history][1]
        opp = f"opponent {CARDS[self.cards[2 * hand + 1 - player]]} (showdown)"
        if not showdown:
            opp = "opponent's card unseen (fold)"
        return (
            f"Hand {hand + 1}: you had {own}, {opp}; betting {history.replace(',', ', ')}; "
            f"you {'won' if won > 0 else 'lost'} {abs(won)}."
        )

    def render(self) -> str:
        hands = self.game.options.hands
        first = self.hand % 2
        put = self._in_pot(0)
        rows = [
            ("", "player 0", "player 1"),
            ("card", CARDS[self.cards[2 * self.hand]], CARDS[self.cards[2 * self.hand + 1]]),
            ("this hand", "first" if first == 0 else "second", "first" if first == 1 else "second"),
            ("in pot", str(put[0]), str(put[1])),
            ("match chips", f"{self.net:+d}", f"{-self.net:+d}"),
        ]
        lines = [f"Kuhn Poker  hand {self.hand + 1} of {hands}"]
        lines += [f"{a:<12}{b:<10}{c}" for a, b, c in rows]
        lines.append("betting: " + (self.history.replace(",", ", ") or "-"))
        for h, hist in enumerate(self.past):
            c0, c1 = CARDS[self.cards[2 * h]], CARDS[self.cards[2 * h + 1]]
            result = _hand_result(self.cards, h, hist)
            lines.append(f"hand {h + 1}: {c0} vs {c1}  {hist.replace(',', ', ')}  p0 {result:+d}")
        if self.is_terminal():
            lines.append(f"match over: player 0 {self.net:+d}, player 1 {-self.net:+d}")
        else:
            lines.append(f"to act: player {self._actor()}  " + " ".join(_LEGAL[self.history]))
        return "\n".join(lines)


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
    rules = RULES
    expert = "kuhn-nash"

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

    def example_action(self) -> str:
        return CHECK

    def all_actions(self) -> list[str]:
        """Every canonical action in a fixed order (the PettingZoo adapter's Discrete space)."""
        return [CHECK, BET, CALL, FOLD]

    def new_state(self, seed: int = 0) -> KuhnState:
        """Each hand dealt from ``random.Random(seed)`` in turn as ``rng.sample(range(3),
        2)`` deals it (player 0's card, then player 1's), drawn straight from
        ``getrandbits``: ``sample`` itself costs more than the rest of a game."""
        bits = random.Random(seed).getrandbits
        cards: list[int] = []
        for _ in range(self.options.hands):
            first = bits(2)  # uniform below 3 by rejection, as rng.randrange(3)
            while first == 3:
                first = bits(2)
            second = bits(2)  # uniform below 2 of the two cards left
            while second >= 2:
                second = bits(2)
            cards += (first, 2 if second == first else second)
        return self._state(tuple(cards))

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

