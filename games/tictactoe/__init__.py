"""TicTacToe: everything specific to the game.

- :mod:`~games.tictactoe.rules`: the game and its state (two 9-bit masks), its text;
- :mod:`~games.tictactoe.expert`: the exact minimax solution and the game's expert
  ``Minimax`` (agents ``expert`` and ``minimax``);
- :mod:`~games.tictactoe.evaluation`: the positions that arise in play and the
  ``optimal_moves`` evaluator;
- :mod:`~games.tictactoe.board`: the masks' tables (cells, lines, legal moves, winner).
"""

from games.tictactoe.board import ACTIONS, FULL, LINES, winner_of
from games.tictactoe.evaluation import (
    OPTIMAL_MOVES, optimal_move_rate, optimal_moves, reachable_positions,
)
from games.tictactoe.expert import (
    Minimax, action_values, optimal_actions, optimal_distribution, solve,
)
from games.tictactoe.rules import RULES, TicTacToe, TicTacToeOptions, TicTacToeState

__all__ = [
    "TicTacToe", "TicTacToeState", "TicTacToeOptions", "ACTIONS", "LINES", "FULL", "RULES",
    "winner_of", "Minimax", "solve", "optimal_actions", "optimal_distribution",
    "action_values", "reachable_positions", "OPTIMAL_MOVES", "optimal_move_rate",
    "optimal_moves",
]
