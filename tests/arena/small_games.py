"""Small games for schedule, team and benchmark tests.

- :class:`Pairs`: four seats in two teams (north-south against east-west); each player
  picks 1, 2 or 3; the team with the larger sum scores +1 per seat, the other -1.
- :class:`Crown`: three seats, roles dealt by the seed (one ``king``, two ``peasant``);
  each picks a number; the highest pick scores 1.
- :class:`Guess`: one player picks 1, 2 or 3; a return of 1 when it matches the target
  drawn from the seed, else 0.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from games import Game, GameInfo, State


@dataclass
class NoOptions:
    pass


class _PickState(State):
    """Players pick [1], [2] or [3] in seat order."""

    __slots__ = ("picks", "dealt")

    def current_players(self):
        return [] if self.is_terminal() else [len(self.picks)]

    def _legal(self, player):
        return ["[1]", "[2]", "[3]"]

    def _apply(self, player, action):
        self.picks = self.picks + (int(action[1:-1]),)

    def _text(self, player):
        return (f"You are {self.role(player)}. Picks so far: {list(self.picks)}. "
                "Pick [1], [2] or [3].")

    def is_terminal(self):
        return len(self.picks) == self.game.num_players

    def role(self, player):
        return self.dealt[player]

    def information_state(self, player):
        return f"{player}|{self.role(player)}|{self.picks}"

    def render(self, reveal=False):
        return " ".join(map(str, self.picks))

    def clone(self):
        s = object.__new__(type(self))
        s.game, s.turn, s.picks, s.dealt = self.game, self.turn, self.picks, self.dealt
        return s


def _info(id_, players, roles, low, high, total):
    return GameInfo(id=id_, description=id_, min_players=players, max_players=players,
                    roles=roles, chance="seeded", information="imperfect", min_utility=low,
                    max_utility=high, utility_sum=total, max_length=players,
                    action_grammar="[1] | [2] | [3]")


class _PickGame(Game):
    Options = NoOptions
    rules = "Pick a number."
    expert = None

    def _state(self, seed, cls):
        s = object.__new__(cls)
        s.game, s.turn, s.picks, s.dealt = self, 0, (), self.deal(seed)
        return s


class PairsState(_PickState):
    __slots__ = ()

    def returns(self):
        if not self.is_terminal():
            return [0.0] * 4
        north_south = self.picks[0] + self.picks[2]
        east_west = self.picks[1] + self.picks[3]
        sign = (north_south > east_west) - (north_south < east_west)
        return [float(sign), float(-sign), float(sign), float(-sign)]


class Pairs(_PickGame):
    info = _info("pairs", 4, ("north", "east", "south", "west"), -1.0, 1.0, 0.0)

    def deal(self, seed):
        return self.info.roles

    def teams(self, roles=None):
        return (0, 1, 0, 1)

    def new_state(self, seed=0):
        return self._state(seed, PairsState)


class CrownState(_PickState):
    __slots__ = ()

    def returns(self):
        if not self.is_terminal():
            return [0.0] * 3
        top = max(self.picks)
        return [1.0 if p == top else 0.0 for p in self.picks]


class Crown(_PickGame):
    info = _info("crown", 3, ("king", "peasant"), 0.0, 1.0, None)

    def deal(self, seed):
        roles = ["king", "peasant", "peasant"]
        random.Random(seed).shuffle(roles)
        return tuple(roles)

    def new_state(self, seed=0):
        return self._state(seed, CrownState)


class GuessState(_PickState):
    __slots__ = ()

    def returns(self):
        if not self.is_terminal():
            return [0.0]
        return [1.0 if self.picks[0] == int(self.dealt[0][-1]) else 0.0]

    def role(self, player):
        return "guesser"

    def information_state(self, player):
        return f"guess|{self.picks}"


class Guess(_PickGame):
    info = _info("guess", 1, ("guesser",), 0.0, 1.0, None)

    def deal(self, seed):
        return (f"target{random.Random(seed).randint(1, 3)}",)

    def new_state(self, seed=0):
        return self._state(seed, GuessState)


REGISTER = {"pairs": "tests.arena.small_games:Pairs", "crown": "tests.arena.small_games:Crown",
            "guess": "tests.arena.small_games:Guess"}
