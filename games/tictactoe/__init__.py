"""TicTacToe: everything specific to the game.

- :mod:`~games.tictactoe.rules`: the game and its state (two 9-bit masks);
- :mod:`~games.tictactoe.solver`: the exact minimax solution, the positions that arise in
  play, and the scripted expert as a pure function (``optimal_distribution``, played by
  the ``minimax`` agent);
- :mod:`~games.tictactoe.evaluation`: the ``optimal_moves`` evaluator.
"""

from games.tictactoe.evaluation import OPTIMAL_MOVES, optimal_move_rate, optimal_moves
from games.tictactoe.rules import (
    ACTIONS, FULL, LINES, RULES, TicTacToe, TicTacToeOptions, TicTacToeState, winner_of,
)
from games.tictactoe.solver import (
    action_values, optimal_actions, optimal_distribution, reachable_positions, solve,
)

__all__ = [
    "TicTacToe", "TicTacToeState", "TicTacToeOptions", "ACTIONS", "LINES", "FULL", "RULES",
    "winner_of", "solve", "optimal_actions", "optimal_distribution", "action_values",
    "reachable_positions", "OPTIMAL_MOVES", "optimal_move_rate", "optimal_moves",
]
