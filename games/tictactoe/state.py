"""TicTacToe's state: two 9-bit masks, the winner so far and the turn.

A clone copies five small ints. ``apply``, ``random_action`` and ``observation`` are the
base :class:`~games.core.State` methods in one call each (tests hold them equal to the
base methods and to a fresh build); observations are built once per board, player and
view and kept in the game's shared table (``game.observations``).
"""

from __future__ import annotations

import random

from games.core import IllegalAction, Observation, State
from games.tictactoe import text
from games.tictactoe.board import BIT, LEGAL, MARKS, WON

__all__ = ["TicTacToeState"]


class TicTacToeState(State):
    """Two 9-bit masks, the winner so far (-1 none, 0 X, 1 O) and the base's turn count.

    ``turn`` equals the number of marks on the board, so the player to move is
    ``turn % 2``.
    """

    __slots__ = ("x", "o", "winner")
    x: int
    o: int
    winner: int

    # ----- hooks ----------------------------------------------------------------------
    def current_players(self) -> list[int]:
        if self.winner >= 0 or self.turn >= 9:
            return []
        return [self.turn & 1]

    def is_terminal(self) -> bool:
        return self.winner >= 0 or self.turn >= 9

    def _legal(self, player: int) -> list[str]:
        return list(LEGAL[self.x | self.o])

    def _legal_now(self, player: int) -> tuple[str, ...]:
        if self.winner >= 0 or self.turn >= 9 or player != self.turn & 1:
            return ()
        return LEGAL[self.x | self.o]

    def _apply(self, player: int, action: str) -> None:
        bit = BIT[action]
        if player == 0:
            self.x |= bit
            if WON[self.x]:
                self.winner = 0
        else:
            self.o |= bit
            if WON[self.o]:
                self.winner = 1

    # ----- the hot path: the base methods in one call each ------------------------------
    def apply(self, player: int, action: str) -> None:
        """:meth:`State.apply` in one step: a known cell, empty, on the player's move."""
        try:
            bit = BIT[action]
        except (KeyError, TypeError):  # not an action string (or not hashable)
            self._refuse(player, action)
        turn = self.turn
        if (self.x | self.o) & bit or self.winner >= 0 or turn >= 9 or player != turn & 1:
            self._refuse(player, action)
        if player:
            self.o |= bit
            if WON[self.o]:
                self.winner = 1
        else:
            self.x |= bit
            if WON[self.x]:
                self.winner = 0
        self.turn = turn + 1

    def random_action(self, player: int, rng: random.Random) -> str:
        if self.winner >= 0 or self.turn >= 9 or player != self.turn & 1:
            raise IllegalAction(f"player {player} has no legal action now")
        return rng.choice(LEGAL[self.x | self.o])  # legal[rng.randrange(len(legal))]

    def observation(self, player: int) -> Observation:
        """:meth:`State.observation`, each one built once per board, player and view."""
        if player != 0 and player != 1:
            return super().observation(player)  # the error naming the player
        key = self.x << 10 | self.o << 1 | player
        obs = self.game.observations.get(key)
        if obs is None:
            obs = super().observation(player)
            if player.__class__ is int:  # a bool seat is served, not kept (its field says True)
                self.game.observations[key] = obs
        return obs

    def returns(self) -> list[float]:
        if self.winner < 0:
            return [0.0, 0.0]
        return [1.0, -1.0] if self.winner == 0 else [-1.0, 1.0]

    def role(self, player: int) -> str:
        if player not in (0, 1):
            raise ValueError(
                f"player {player} does not exist; tictactoe has players 0 (X) and 1 (O)"
            )
        return MARKS[player]

    def clone(self) -> "TicTacToeState":
        s = object.__new__(TicTacToeState)
        s.game = self.game
        s.turn = self.turn
        s.x = self.x
        s.o = self.o
        s.winner = self.winner
        return s

    # ----- text (games.tictactoe.text) --------------------------------------------------
    def cell(self, n: int) -> str:
        """``"X"``, ``"O"`` or ``""`` for cell ``n`` (0-8)."""
        return text.cell(self.x, self.o, n)

    def board_string(self) -> str:
        """The board row by row, ``.`` for empty: ``"X...O...."``."""
        return text.board_string(self.x, self.o)

    def _text(self, player: int) -> str:
        return text.observation_text(self.x, self.o, self.winner, player)

    def _compact(self, player: int) -> str:
        return text.compact_text(self.x, self.o, self.winner, player)

    def information_state(self, player: int) -> str:
        return text.information_state(self.x, self.o, self.winner)

    def render(self, reveal: bool = False) -> str:
        return text.render(self.x, self.o, self.winner)
