"""Test doubles for tournaments: a slow random agent, an agent that always picks [3], and
records without timing. The toy games live in :mod:`tests.toy_games`."""

from __future__ import annotations

import dataclasses
import time

from agents.random_agent import RandomAgent

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
