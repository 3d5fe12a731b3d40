"""Household: ALFWorld-like procedurally generated household tasks, everything in one place.

- :mod:`~games.household.world`: rooms, receptacles, objects, the compatibility table and
  drawing a world;
- :mod:`~games.household.tasks`: the six task types, goal conditions, the split rule;
- :mod:`~games.household.state`: the state (ints and tuples) and the rules of commands;
- :mod:`~games.household.views`: observation text, information state, the viewer board;
- :mod:`~games.household.text`: feedback templates, rules text, typed commands;
- :mod:`~games.household.vocabulary`: the fixed command vocabulary (``all_actions``);
- :mod:`~games.household.expert`: the planner as a pure function of its knowledge, the
  game's expert ``HouseholdExpert`` (agents ``expert`` and ``household-expert``);
- :mod:`~games.household.evaluation`: success per task type from match records;
- :mod:`~games.household.rules`: the game (options, verified generation).
"""

from games.household.expert import (
    HouseholdExpert, Knowledge, expert_command, read_knowledge, solves,
)
from games.household.rules import SIZES, Household, HouseholdOptions
from games.household.state import HouseholdState
from games.household.tasks import KINDS, SPLITS, Task, is_unseen
from games.household.world import OBJECTS, RECEPTACLES, ROOMS, World

__all__ = ["Household", "HouseholdOptions", "HouseholdState", "SIZES", "KINDS", "SPLITS",
           "Task", "is_unseen", "OBJECTS", "RECEPTACLES", "ROOMS", "World", "Knowledge",
           "read_knowledge", "expert_command", "solves", "HouseholdExpert"]
