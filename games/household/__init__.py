"""Household: ALFWorld-like procedurally generated household tasks, everything in one place,
in the layout every game uses (game.py, state.py, text.py, expert.py, evaluation.py) and
the modules beside them.

- :mod:`~games.household.game`: the game (options, verified generation);
- :mod:`~games.household.world`: rooms, receptacles, objects, the compatibility table and
  drawing a world;
- :mod:`~games.household.tasks`: the six task types, goal conditions, the split rule;
- :mod:`~games.household.state`: the state (ints and tuples) and the rules of commands;
- :mod:`~games.household.text`: feedback templates, rules text, typed commands, the
  observation text, information state and the viewer board;
- :mod:`~games.household.vocabulary`: the fixed command vocabulary (``all_actions``);
- :mod:`~games.household.expert`: the planner as a pure function of its knowledge, the
  game's expert ``HouseholdExpert`` (agents ``expert`` and ``household-expert``);
- :mod:`~games.household.evaluation`: success per task type from match records.
"""

from games.household.expert import (
    HouseholdExpert, Knowledge, expert_command, read_knowledge, solves,
)
from games.household.game import SIZES, Household, HouseholdOptions
from games.household.state import HouseholdState
from games.household.tasks import KINDS, SPLITS, Task, is_unseen
from games.household.world import OBJECTS, RECEPTACLES, ROOMS, World

__all__ = ["Household", "HouseholdOptions", "HouseholdState", "SIZES", "KINDS", "SPLITS",
           "Task", "is_unseen", "OBJECTS", "RECEPTACLES", "ROOMS", "World", "Knowledge",
           "read_knowledge", "expert_command", "solves", "HouseholdExpert"]
