"""Kuhn Poker's state: the cards dealt for the whole match, the current hand's betting,
the finished hands and the chips won so far (the rules: :mod:`games.kuhn_poker.game`).

``apply``, ``random_action`` and ``observation`` read the betting tables
(:mod:`games.kuhn_poker.betting`) directly, and each observation is built once and kept in
the game's shared table (``game.observations``; tests hold them equal to the base methods
and to a fresh build). The texts are :mod:`games.kuhn_poker.text`'s.
"""

from __future__ import annotations

import random

from games.core import IllegalAction, Observation, State
from games.kuhn_poker import text
from games.kuhn_poker.betting import CARDS, LEGAL, NEXT, OUTCOME, TO_ACT, hand_result

__all__ = ["KuhnState", "MAX_KEPT"]

_Random = random.Random
MAX_KEPT = 1 << 16
"""Most observations kept per table (one hand has 108 per view)."""


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
