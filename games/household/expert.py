"""The expert: a planner from the task to subgoals, as a pure function of what it knows.
:class:`HouseholdExpert` is the game's expert (agents ``expert`` and
``household-expert``): deterministic, so its policy is one command with probability 1.

:func:`read_knowledge` reads an information state (:mod:`games.household.text`) into a
:class:`Knowledge`; :func:`expert_command` gives the next command:

1. holding a goal object: transform it first where the task asks (go to the microwave,
   fridge or sinkbasin; heat/cool/clean), then deliver it: look tasks go to a seen lamp of
   the task's type and turn it on (or search the lamp's likely places), other tasks go to
   a receptacle of the target type (for ``two``: the one already holding the first),
   open it if closed and put the object there;
2. otherwise, if a usable goal object has been seen: go there, open if closed, take it;
3. otherwise search: go to the unseen receptacle where the goal object most likely stands
   (the compatibility table's order), opening closed ones to see inside.

With two agents, agent_1 searches the candidates in reverse order, so the pair splits
the room. The expert remembers everything through the information state and never
closes anything (a closed receptacle costs a step and gains nothing).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from games.core import Determiniser, Observation
from games.expert import Expert
from games.household.tasks import APPLIANCE
from games.household.world import OBJECTS, OPENABLE, type_of

__all__ = ["HouseholdExpert", "Knowledge", "read_knowledge", "expert_command", "solves"]


@dataclass(frozen=True)
class Knowledge:
    kind: str
    obj: str
    target: str
    lamp: str
    seat: int
    at: str
    hold: str
    receptacles: tuple[str, ...]
    opened: frozenset[str]
    seen: dict[str, tuple[str, ...]]
    states: dict[str, frozenset[str]]
    """``hot``/``cool``/``clean``/``lit`` -> object names."""


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split(",")) if text else frozenset()


def read_knowledge(info_state: str) -> Knowledge:
    """The knowledge in a household information state (ValueError if it is not one)."""
    parts = info_state.split("|")
    if parts[0] != "household" or len(parts) != 14:
        raise ValueError(f"not a household information state: {info_state[:60]!r}")
    f = dict(part.split("=", 1) for part in parts[1:])
    kind, obj, target, lamp = f["task"].split(",")
    seen: dict[str, tuple[str, ...]] = {}
    for item in filter(None, f["seen"].split(";")):
        rec, _, objs = item.partition(":")
        seen[rec] = tuple(objs.split(",")) if objs else ()
    return Knowledge(kind, obj, target, lamp, int(f["seat"]), f["at"], f["hold"],
                     tuple(f["recs"].split(";")), _set(f["open"]), seen,
                     {k: _set(f[k]) for k in ("hot", "cool", "clean", "lit")})


_STATE = {"heat": "hot", "cool": "cool", "clean": "clean"}


def _reach(k: Knowledge, rec: str, then: str) -> str:
    """Go to ``rec``, open it if closed, then ``then``."""
    if k.at != rec:
        return f"go to {rec}"
    if type_of(rec) in OPENABLE and rec not in k.opened:
        return f"open {rec}"
    return then


def _order(k: Knowledge, names: list[str]) -> list[str]:
    return names[::-1] if k.seat == 1 else names


def _explore(k: Knowledge, likely: tuple[str, ...]) -> str:
    """Go to (or open) the unseen receptacle where ``likely`` ranks best."""
    unseen = [r for r in k.receptacles if r not in k.seen]
    if not unseen:
        return "look"
    rank = {t: i for i, t in enumerate(likely)}
    if k.hold != "" or k.kind != "look":  # goal objects never start in the target type
        rank.pop(k.target, None)
    best = _order(k, sorted(unseen, key=lambda r: rank.get(type_of(r), len(rank))))
    if k.at in unseen:  # a closed receptacle we stand at: look inside
        return f"open {k.at}"
    return f"go to {best[0]}"


def _two_target(k: Knowledge) -> str:
    """For ``two``: the target receptacle already holding a goal object, if any."""
    for rec, objs in k.seen.items():
        if type_of(rec) == k.target and any(type_of(o) == k.obj for o in objs):
            return rec
    return ""


def _usable(k: Knowledge, obj: str, rec: str, two_at: str) -> bool:
    if type_of(obj) != k.obj:
        return False
    if k.kind == "two":
        return rec != two_at
    if k.kind in _STATE and obj not in k.states[_STATE[k.kind]]:
        return True
    return type_of(rec) != k.target or k.kind == "look"


def _deliver(k: Knowledge) -> str:
    held = k.hold
    if k.kind in _STATE and held not in k.states[_STATE[k.kind]]:
        appliance = next(r for r in k.receptacles if type_of(r) == APPLIANCE[k.kind])
        return _reach(k, appliance, f"{k.kind} {held} with {appliance}")
    if k.kind == "look":
        for rec, objs in k.seen.items():
            lamps = [o for o in objs if type_of(o) == k.lamp]
            if lamps:
                return f"go to {rec}" if k.at != rec else f"use {lamps[0]}"
        return _explore(k, OBJECTS[k.lamp][1])
    target = _two_target(k) if k.kind == "two" else ""
    if not target:
        targets = [r for r in k.receptacles if type_of(r) == k.target]
        easy = [r for r in targets if type_of(r) not in OPENABLE or r in k.opened]
        target = k.at if k.at in targets else (easy or _order(k, targets))[0]
    return _reach(k, target, f"put {held} in/on {target}")


def expert_command(k: Knowledge) -> str:
    """The expert's next command (see the module doc)."""
    if k.hold:
        if type_of(k.hold) == k.obj:
            return _deliver(k)
        here = k.at if k.at and k.at in k.seen else ""
        if here and type_of(here) in OBJECTS[type_of(k.hold)][1]:
            return f"put {k.hold} in/on {here}"
    two_at = _two_target(k) if k.kind == "two" else ""
    found = [(rec, o) for rec, objs in k.seen.items() for o in objs
             if _usable(k, o, rec, two_at)]
    if found:
        here = [f for f in found if f[0] == k.at]
        rec, obj = (here or _order(k, found))[0]
        return _reach(k, rec, f"take {obj} from {rec}")
    return _explore(k, OBJECTS[k.obj][1])


def solves(state, max_steps: int) -> bool:
    """Whether the expert, playing seat 0 alone from ``state``, succeeds in ``max_steps``
    steps (the verification of every generated world)."""
    s = state.clone()
    while not s.is_terminal() and s.step < max_steps:
        command = f"[{expert_command(read_knowledge(s.information_state(0)))}]"
        if command not in s._legal(0):
            return False
        s.apply(0, command)
    return s.success


class HouseholdExpert(Expert):
    """The planner on the observation's information state."""

    name = "household-expert"

    def policy(self, obs: Observation) -> dict[str, float]:
        return {f"[{expert_command(read_knowledge(obs.info_state))}]": 1.0}

    def act(self, obs: Observation, rng: random.Random,
            determiniser: Determiniser | None = None) -> tuple[str, dict[str, float]]:
        dist = self.policy(obs)  # one command: nothing to draw
        return next(iter(dist)), dist
