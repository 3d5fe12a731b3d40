"""TicTacToe: everything specific to the game, in the layout every game uses.

- :mod:`~games.tictactoe.game`: the Game (``TicTacToe``, ``TicTacToeOptions``) and the
  rules as a spec sheet;
- :mod:`~games.tictactoe.state`: the State (``TicTacToeState``, two 9-bit masks);
- :mod:`~games.tictactoe.text`: the rules text, both views, the information state and the
  rendering;
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
from games.tictactoe.game import TicTacToe, TicTacToeOptions
from games.tictactoe.state import TicTacToeState
from games.tictactoe.text import RULES

__all__ = [
    "TicTacToe", "TicTacToeState", "TicTacToeOptions", "ACTIONS", "LINES", "FULL", "RULES",
    "winner_of", "Minimax", "solve", "optimal_actions", "optimal_distribution",
    "action_values", "reachable_positions", "OPTIMAL_MOVES", "optimal_move_rate",
    "optimal_moves",
]
