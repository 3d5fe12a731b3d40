"""A tiny game in a separate package, registered only through the entry point group
``arena.games`` (the plug-in test writes the distribution metadata that declares it).

Nim with one heap of ``stones`` (default 5): players alternate taking 1 or 2; whoever
takes the last stone wins (+1), the other loses (-1). Its expert, ``nim-perfect``, is an
agent as soon as the game is installed (nothing in the arena's agents/ names it).
"""

from dataclasses import dataclass

from games import Game, GameInfo, State
from games.expert import Expert


@dataclass
class NimOptions:
    stones: int = 5


class NimState(State):
    __slots__ = ("stones", "player")

    def current_players(self):
        return [] if self.stones == 0 else [self.player]

    def _legal(self, player):
        return [f"[{k}]" for k in (1, 2) if k <= self.stones]

    def _apply(self, player, action):
        self.stones -= int(action[1:-1])
        self.player = 1 - self.player

    def _text(self, player):
        return f"{self.stones} stones left. Take 1 or 2: {', '.join(self.legal_actions(player))}"

    def is_terminal(self):
        return self.stones == 0

    def returns(self):
        if self.stones:
            return [0.0, 0.0]
        winner = 1 - self.player  # the player who just moved took the last stone
        return [1.0 if p == winner else -1.0 for p in (0, 1)]

    def role(self, player):
        return ("first", "second")[player]

    def information_state(self, player):
        return f"{self.stones}:{self.player}"

    def render(self, reveal=False):
        return "o" * self.stones

    def clone(self):
        s = object.__new__(NimState)
        s.game, s.turn, s.stones, s.player = self.game, self.turn, self.stones, self.player
        return s


class NimPerfect(Expert):
    """Leaves a multiple of 3 stones where it can (then the opponent cannot win)."""

    name = "nim-perfect"

    def policy(self, obs):
        stones = int(obs.info_state.split(":")[0])
        take = stones % 3 or 1
        return {f"[{take}]": 1.0}


class TinyNim(Game):
    info = GameInfo(
        id="tiny_nim", description="Nim with one heap (a plug-in test game)", min_players=2,
        max_players=2, roles=("first", "second"), chance="none", information="perfect",
        min_utility=-1.0, max_utility=1.0, utility_sum=0.0, max_length=100,
        action_grammar="[1] or [2]",
    )
    Options = NimOptions
    rules = "Take 1 or 2 stones; whoever takes the last stone wins."
    expert = NimPerfect

    def all_actions(self):
        return ["[1]", "[2]"]

    def new_state(self, seed=0):
        s = object.__new__(NimState)
        s.game, s.turn, s.stones, s.player = self, 0, self.options.stones, 0
        return s
