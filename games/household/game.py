"""Household: one generated room, one task, one step limit (ALFWorld-like, our own world).

Rules
    From the seed the game draws a room, a task valid there (:mod:`~games.household.tasks`)
    whose combination belongs to the split, receptacles and objects placed where they may
    stand (:mod:`~games.household.world`), and keeps the world only if the expert
    (:mod:`~games.household.expert`) solves it within ``max_steps``. Each step every
    agent gives one admissible command (:mod:`~games.household.text`). The episode ends at
    success or after ``max_steps`` steps.

Options (:class:`HouseholdOptions`; ranges checked)
    ``room`` kitchen|bathroom|livingroom|bedroom|any; ``task`` put|clean|heat|cool|look|
    two|any; ``size`` small (8-12 receptacles, 6-12 objects) | medium (15-25, 15-30) |
    large (30-60, 40-80); ``receptacles`` 0..60 and ``objects`` 0..80 override the size (0:
    from the size; the room's always-present and the task's receptacles and objects come
    first, so a world may hold more than asked); ``max_steps`` 5..200 (default 50);
    ``dense`` (default false); ``players`` 1..2; ``split`` train|valid_seen|valid_unseen;
    ``history`` 0..50 (default 0): earlier exchanges the observation repeats; ``memory``
    (default false): the observation also lists every receptacle seen so far with what is
    in/on it now (what the information state knows), for policies without memory.

Observation
    The task, the step, where the agent is and what it holds (with players=2 also where
    the other agent is and what it holds), the last command and its feedback (at the
    start: the receptacles, not the objects; with ``history=K`` the K exchanges before it
    too), and the admissible commands.

Actions
    The admissible commands (finite, listed). ``all_actions()`` is the fixed vocabulary of
    every command any world can admit (receptacle and object names up to their limits,
    only compatible object/receptacle pairs).

Returns
    1 to every agent on success, else 0. ``dense=true``: each goal condition
    (:mod:`~games.household.tasks`) pays 1/n the first time it holds, so success still
    totals 1.

Two agents (players=2)
    Both act at once each step, share one task, one reward and what either has seen.
    Conflict rule: agent_0's command takes effect first; agent_1's command is then checked
    against the new state, and if it is no longer admissible (agent_0 took that object)
    agent_1 gets "Nothing happens." for that step.

Information state
    What the agent knows, machine-readable (the expert reads it): the task, the step,
    both positions and holdings, the receptacles, which are open, the contents of every
    receptacle seen so far, the objects' states and lit lamps.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from typing import Any, Sequence

from games.core import VIEWS, Game, GameInfo, view_field
from common.seeds import derive_seed

from games.household.evaluation import record_metrics
from games.household.expert import HouseholdExpert, solves
from games.household.state import HouseholdState, initial_state
from games.household.tasks import KINDS, SPLITS, candidate_goals
from games.household.text import GRAMMAR, RULES, canonical_command
from games.household.vocabulary import all_commands
from games.household.world import OBJECTS, ROOMS, draw_task, sample_world

__all__ = ["Household", "HouseholdOptions", "SIZES"]

SIZES = {"small": ((8, 12), (6, 12)), "medium": ((15, 25), (15, 30)),
         "large": ((30, 60), (40, 80))}
"""size -> ((receptacles low, high), (objects low, high))."""
_ROOMS = tuple(ROOMS) + ("any",)
_ATTEMPTS = 200


@dataclass
class HouseholdOptions:
    room: str = "any"
    """kitchen | bathroom | livingroom | bedroom | any."""
    task: str = "any"
    """put | clean | heat | cool | look | two | any."""
    size: str = "small"
    """small | medium | large: ranges of receptacles and objects."""
    receptacles: int = field(default=0, metadata={"range": (0, 60)})
    objects: int = field(default=0, metadata={"range": (0, 80)})
    max_steps: int = field(default=50, metadata={"range": (5, 200)})
    dense: bool = False
    players: int = field(default=1, metadata={"range": (1, 2)})
    split: str = "train"
    history: int = field(default=0, metadata={"range": (0, 50)})
    """Earlier commands and their feedback the observation repeats (0: the last only)."""
    memory: bool = False
    """The observation lists every receptacle seen so far and what is in/on it now."""
    view: str = view_field()
    """``text``: ALFWorld-style sentences; ``compact``: what the agent knows as short lines
    (:func:`games.household.text.compact_text`; ``history`` and ``memory`` do not apply)."""

    def __post_init__(self) -> None:
        for name, value, allowed in (("room", self.room, _ROOMS),
                                     ("task", self.task, KINDS + ("any",)),
                                     ("size", self.size, tuple(SIZES)),
                                     ("split", self.split, SPLITS)):
            if value not in allowed:
                raise ValueError(f"option {name}={value!r} for game 'household' must be one "
                                 f"of {', '.join(allowed)}; e.g. household:{name}={allowed[0]}")


class Household(Game):
    """Factory of verified household worlds; see the module docstring."""

    info = GameInfo(
        id="household",
        description="ALFWorld-like procedurally generated household tasks (1 or 2 agents)",
        min_players=1, max_players=2, roles=("agent", "agent_0", "agent_1"),
        chance="seeded", information="imperfect", min_utility=0.0, max_utility=1.0,
        utility_sum=None, max_length=50,
        action_grammar=GRAMMAR,
    )
    Options = HouseholdOptions
    views = VIEWS
    rules = RULES
    expert = HouseholdExpert

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        o = self.options
        self.info = dataclasses.replace(type(self).info, max_length=o.max_steps * o.players,
                                        simultaneous=o.players > 1)
        self.dense_rewards = o.dense  # returns() mid-episode: the goal conditions met so far
        self._rooms = {kind: tuple(r for r in ROOMS if candidate_goals(
            r, kind, o.split, ROOMS, OBJECTS)) for kind in KINDS + ("any",)}

    def new_state(self, seed: int = 0) -> HouseholdState:
        """A world drawn from ``seed`` and the options, verified solvable by the expert."""
        o = self.options
        rng = random.Random(derive_seed("household", o.split, seed))
        (rec_lo, rec_hi), (obj_lo, obj_hi) = SIZES[o.size]
        for _ in range(_ATTEMPTS):
            kind = o.task
            if kind == "any" and o.room == "any":  # task types uniform, then a room
                kind = KINDS[rng.randrange(len(KINDS))]
            rooms = self._rooms[kind] if o.room == "any" else (o.room,)
            room = rooms[rng.randrange(len(rooms))]
            task = draw_task(rng, room, kind, o.split)
            n_rec = o.receptacles or rng.randint(rec_lo, rec_hi)
            n_obj = o.objects or rng.randint(obj_lo, obj_hi)
            world = sample_world(rng, room, task, n_rec, n_obj)
            if solves(initial_state(self, world, 1), o.max_steps):
                return initial_state(self, world, self.num_players)
        raise ValueError(f"no solvable world found in {_ATTEMPTS} draws for {o}; raise "
                         "max_steps or lower receptacles")

    def all_actions(self) -> list[str]:
        return list(all_commands())

    def teams(self, roles: Sequence[str] | None = None) -> tuple[int, ...]:
        return (0,) * self.num_players

    def forfeit_returns(self, offender: int, roles: Sequence[str] | None = None
                        ) -> list[float]:
        """A forfeit is a failed episode: 0 to every agent."""
        return [0.0] * self.num_players

    def canonicalize(self, answer: str) -> str:
        """A typed command in canonical form (case, spacing and articles folded); raises
        :class:`IllegalAction` "Nothing happens." for text that is no command."""
        return canonical_command(answer)

    def record_metrics(self, records: Sequence[Any], seats: Sequence[int] | None = None
                       ) -> dict[str, float]:
        """Success per task type, steps and invalid rate of finished episodes (read by
        ``arena eval``; see :mod:`games.household.evaluation`). The agents of one house
        share its outcome, so ``seats`` (two agents) changes nothing."""
        return record_metrics(self, records)

    def example_action(self) -> str:
        return "[go to cabinet 1]"
