"""Test doubles for tournaments: a slow random agent and a tiny three-player game."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from agents.random_agent import RandomAgent
from games import Game, GameInfo, State

from arena.records import MatchRecord


class SlowRandom(RandomAgent):
    """Random legal play that sleeps ``delay`` seconds per decision (kill-and-resume tests
    need a tournament that is still running when it is killed)."""

    name = "slow"

    def __init__(self, seed: int = 0, delay: float = 0.01) -> None:
        super().__init__(seed)
        self.delay = delay

    def act(self, obs):
        time.sleep(self.delay)
        return super().act(obs)


@dataclass
class HighestOptions:
    players: int = 3


class HighestState(State):
    __slots__ = ("picks",)

    def current_players(self):
        return [] if self.is_terminal() else [len(self.picks)]

    def _legal(self, player):
        return ["[1]", "[2]", "[3]"]

    def _apply(self, player, action):
        self.picks = self.picks + (int(action[1:-1]),)

    def _text(self, player):
        return f"Picks so far: {list(self.picks)}. Pick one of [1], [2], [3]."

    def is_terminal(self):
        return len(self.picks) == self.game.num_players

    def returns(self):
        if not self.is_terminal():
            return [0.0] * self.game.num_players
        top = max(self.picks)
        return [1.0 if p == top else 0.0 for p in self.picks]

    def role(self, player):
        return f"p{player}"

    def information_state(self, player):
        return f"{player}|{self.picks}"

    def render(self, reveal=False):
        return " ".join(map(str, self.picks))

    def clone(self):
        s = object.__new__(HighestState)
        s.game, s.turn, s.picks = self.game, self.turn, self.picks
        return s


class Highest(Game):
    """Each of three players picks 1, 2 or 3 in turn; the highest picks score 1."""

    info = GameInfo(
        id="highest", description="pick the highest number", min_players=3, max_players=3,
        roles=("p0", "p1", "p2"), chance="none", information="perfect", min_utility=0.0,
        max_utility=1.0, utility_sum=None, max_length=3, action_grammar="[1] | [2] | [3]",
    )
    Options = HighestOptions
    rules = "Pick a number; the highest wins."
    expert = None

    def new_state(self, seed=0):
        s = object.__new__(HighestState)
        s.game, s.turn, s.picks = self, 0, ()
        return s


class AlwaysThree(RandomAgent):
    name = "three"

    def act(self, obs):
        from agents import Decision

        return Decision(text="[3]")


def strip_timing(record: MatchRecord) -> MatchRecord:
    """A record without its wall-clock fields (the only part that varies between runs)."""
    return dataclasses.replace(
        record, elapsed_s=0.0,
        decisions=tuple(dataclasses.replace(d, elapsed_s=0.0) for d in record.decisions),
    )
