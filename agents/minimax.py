"""``minimax``: perfect TicTacToe play from the exact solver.

At each decision the agent rebuilds the position from the observation alone: information
is perfect, so the information state (``board=XO.......;to_move=O``) is the whole position.
It reads no game state (it does not search: ``searches`` stays False), so it works as
``expert``, as an MCTS prior or rollout, and on observations built anywhere. It asks
:mod:`games.tictactoe.solver` for every action that keeps the minimax value, and picks
one uniformly with its own seeded rng. ``policy(obs)`` is that uniform distribution.
It never loses; against itself every game is a draw. TicTacToe's ``expert``.
"""

from __future__ import annotations

import games
from games import Game, Observation
from games.tictactoe.solver import optimal_actions

from agents.base import Agent, Decision

__all__ = ["MinimaxAgent"]


class MinimaxAgent(Agent):
    name = "minimax"

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)
        self._game: Game | None = None

    def _optimal(self, obs: Observation) -> list[str]:
        if obs.game != "tictactoe":
            raise ValueError(
                f"the minimax agent plays only tictactoe, got an observation of "
                f"{obs.game!r}; use 'expert' (each game's scripted expert) or 'mcts'"
            )
        if not obs.legal_actions:
            raise ValueError(
                f"player {obs.player} has no move at turn {obs.turn} (not their turn or "
                "the game is over); ask the agent only at its own decisions"
            )
        board = obs.info_state.partition(";")[0].removeprefix("board=")
        if self._game is None:
            self._game = games.make("tictactoe")
        return optimal_actions(self._game.state_from_board(board))

    def act(self, obs: Observation) -> Decision:
        best = self._optimal(obs)
        rng = self.rng_for(obs)
        choice = best[rng.randrange(len(best))]
        p = 1.0 / len(best)
        return Decision(text=choice, distribution={a: p for a in best})

    def policy(self, obs: Observation) -> dict[str, float]:
        best = self._optimal(obs)
        p = 1.0 / len(best)
        return {a: p for a in best}
