"""The facts of the household: rooms, receptacles, objects and where objects may stand.

Everything here is data written for the arena (not taken from any other project's files):

- :data:`RECEPTACLES`: each receptacle type with whether it opens (closed at the start)
  and how many of it one room may hold;
- :data:`OBJECTS`: each object type with its properties (heatable, coolable, cleanable,
  a light source) and the receptacle types it may stand in or on (the compatibility
  table; the first listed are the likeliest places);
- :data:`ROOMS`: each room's receptacle types (those always present first) and objects.

A :class:`World` is one generated episode's static facts (names, types, the task, where
every object starts); the moving parts (positions, open receptacles, object states) live
in the game state. Worlds are drawn by :func:`sample_world`; the game keeps one only when
the expert solves it (see :mod:`games.household.game`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from games.household.tasks import KINDS, Task, candidate_goals

__all__ = ["RECEPTACLES", "OBJECTS", "ROOMS", "HEAT", "COOL", "CLEAN", "LAMP", "OPENABLE",
           "World", "sample_world", "room_capacity", "type_of"]

HEAT, COOL, CLEAN, LAMP = 1, 2, 4, 8
"""Object property bits: heatable (microwave), coolable (fridge), cleanable (sinkbasin),
a light source (``use`` turns it on; it cannot be taken)."""

RECEPTACLES: dict[str, tuple[bool, int]] = {
    # type: (opens, most per room)
    "armchair": (False, 2), "bathtubbasin": (False, 1), "bed": (False, 1),
    "box": (True, 3), "cabinet": (True, 20), "coffeemachine": (False, 1),
    "coffeetable": (False, 2), "countertop": (False, 4), "desk": (False, 2),
    "diningtable": (False, 2), "drawer": (True, 20), "dresser": (False, 2),
    "fridge": (True, 1), "garbagecan": (False, 1), "handtowelholder": (False, 2),
    "laundryhamper": (False, 1), "microwave": (True, 1), "safe": (True, 1),
    "shelf": (False, 8), "sidetable": (False, 3), "sinkbasin": (False, 2),
    "sofa": (False, 2), "stoveburner": (False, 4), "toaster": (False, 1),
    "toilet": (False, 1), "toiletpaperhanger": (False, 1), "towelholder": (False, 2),
    "tvstand": (False, 1),
}
OPENABLE = frozenset(t for t, (opens, _) in RECEPTACLES.items() if opens)

_FOOD = ("countertop", "diningtable", "fridge", "microwave", "sinkbasin", "garbagecan")
_DISH = ("cabinet", "countertop", "diningtable", "shelf", "fridge", "microwave", "sinkbasin",
         "desk", "sidetable", "coffeetable")
_COOKWARE = ("stoveburner", "countertop", "cabinet", "sinkbasin", "diningtable", "fridge",
             "shelf")
_CUTLERY = ("drawer", "countertop", "diningtable", "sinkbasin")
_SMALL = ("sidetable", "drawer", "dresser", "coffeetable", "desk", "shelf", "sofa",
          "armchair", "tvstand", "box", "safe", "diningtable", "bed")
_READING = ("desk", "sidetable", "coffeetable", "sofa", "armchair", "bed", "dresser", "shelf",
            "diningtable")
_DECOR = ("shelf", "coffeetable", "sidetable", "tvstand", "dresser", "desk", "diningtable",
          "safe", "box")
_BATH = ("countertop", "cabinet", "shelf", "toilet", "drawer", "garbagecan")

OBJECTS: dict[str, tuple[int, tuple[str, ...]]] = {
    # type: (property bits, compatible receptacle types, likeliest first)
    "apple": (HEAT | COOL | CLEAN, _FOOD), "bread": (HEAT | COOL, _FOOD),
    "egg": (HEAT | COOL | CLEAN, _FOOD), "potato": (HEAT | COOL | CLEAN, _FOOD),
    "tomato": (HEAT | COOL | CLEAN, _FOOD), "lettuce": (COOL | CLEAN, _FOOD),
    "cup": (HEAT | COOL | CLEAN, _DISH + ("coffeemachine",)),
    "mug": (HEAT | COOL | CLEAN, _DISH + ("coffeemachine",)),
    "plate": (HEAT | COOL | CLEAN, _DISH), "bowl": (COOL | CLEAN, _DISH),
    "pan": (COOL | CLEAN, _COOKWARE), "pot": (COOL | CLEAN, _COOKWARE),
    "kettle": (CLEAN, _COOKWARE[:5]),
    "winebottle": (COOL, ("countertop", "diningtable", "fridge", "cabinet", "shelf",
                          "garbagecan")),
    "fork": (CLEAN, _CUTLERY), "knife": (CLEAN, _CUTLERY), "spoon": (CLEAN, _CUTLERY),
    "butterknife": (CLEAN, _CUTLERY), "spatula": (CLEAN, _CUTLERY),
    "ladle": (CLEAN, _CUTLERY),
    "dishsponge": (CLEAN, ("sinkbasin", "countertop", "cabinet", "drawer", "garbagecan")),
    "saltshaker": (0, ("countertop", "diningtable", "cabinet", "shelf", "drawer")),
    "peppershaker": (0, ("countertop", "diningtable", "cabinet", "shelf", "drawer")),
    "soapbottle": (0, _BATH),
    "soapbar": (CLEAN, ("sinkbasin", "bathtubbasin", "countertop", "cabinet", "toilet",
                        "garbagecan")),
    "cloth": (CLEAN, ("countertop", "sinkbasin", "bathtubbasin", "cabinet", "drawer",
                      "toilet", "garbagecan")),
    "towel": (0, ("towelholder", "countertop", "cabinet", "shelf")),
    "handtowel": (0, ("handtowelholder", "countertop", "cabinet")),
    "toiletpaper": (0, ("toiletpaperhanger",) + _BATH),
    "spraybottle": (0, _BATH), "candle": (0, _BATH),
    "tissuebox": (0, ("countertop", "toilet", "shelf", "cabinet")),
    "remotecontrol": (0, _SMALL[:10]), "keychain": (0, _SMALL), "creditcard": (0, _SMALL),
    "watch": (0, _SMALL[:8]), "cellphone": (0, _SMALL),
    "pen": (0, ("desk", "drawer", "sidetable", "dresser", "shelf", "garbagecan")),
    "pencil": (0, ("desk", "drawer", "sidetable", "dresser", "shelf", "garbagecan")),
    "cd": (0, ("desk", "drawer", "sidetable", "shelf", "safe", "garbagecan")),
    "book": (0, _READING), "newspaper": (0, _READING + ("garbagecan",)),
    "laptop": (0, _READING[:7]), "vase": (0, _DECOR), "statue": (0, _DECOR),
    "pillow": (0, ("sofa", "armchair", "bed")),
    "alarmclock": (0, ("desk", "sidetable", "dresser", "shelf")),
    "teddybear": (0, ("bed", "sofa", "armchair", "shelf")),
    "desklamp": (LAMP, ("desk", "sidetable", "dresser")),
    "floorlamp": (LAMP, ("sidetable", "sofa", "armchair", "bed")),
}

ROOMS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # room: (receptacle types always present, other receptacle types, object types)
    "kitchen": (
        ("countertop", "cabinet", "drawer", "fridge", "microwave", "sinkbasin",
         "garbagecan"),
        ("stoveburner", "shelf", "diningtable", "coffeemachine", "toaster"),
        ("apple", "bread", "egg", "potato", "tomato", "lettuce", "cup", "mug", "plate",
         "bowl", "pan", "pot", "kettle", "winebottle", "fork", "knife", "spoon",
         "butterknife", "spatula", "ladle", "dishsponge", "saltshaker", "peppershaker",
         "soapbottle")),
    "bathroom": (
        ("countertop", "sinkbasin", "toilet", "cabinet", "garbagecan"),
        ("drawer", "shelf", "bathtubbasin", "towelholder", "handtowelholder",
         "toiletpaperhanger"),
        ("soapbar", "cloth", "towel", "handtowel", "toiletpaper", "spraybottle", "candle",
         "tissuebox", "soapbottle")),
    "livingroom": (
        ("sofa", "coffeetable", "sidetable", "garbagecan"),
        ("armchair", "tvstand", "shelf", "drawer", "cabinet", "dresser", "box", "safe",
         "diningtable"),
        ("remotecontrol", "keychain", "creditcard", "watch", "book", "newspaper", "laptop",
         "vase", "statue", "pillow", "plate", "floorlamp", "desklamp")),
    "bedroom": (
        ("bed", "desk", "sidetable", "garbagecan"),
        ("dresser", "drawer", "shelf", "safe", "armchair", "laundryhamper", "cabinet"),
        ("cellphone", "pen", "pencil", "cd", "creditcard", "keychain", "book", "laptop",
         "pillow", "alarmclock", "mug", "bowl", "teddybear", "desklamp")),
}

MAX_INSTANCES = 4
"""Most objects of one type in a world (``apple 1`` .. ``apple 4``)."""


def type_of(name: str) -> str:
    """``"cabinet 3"`` -> ``"cabinet"``."""
    return name.rsplit(" ", 1)[0]


def room_capacity(room: str) -> int:
    """Most receptacles the room can hold (the sum of its types' limits)."""
    always, other, _ = ROOMS[room]
    return sum(RECEPTACLES[t][1] for t in always + other)


@dataclass(frozen=True)
class World:
    """One episode's static facts, shared by every clone of its states."""

    room: str
    task: Task
    receptacles: tuple[str, ...]
    """Names in listing order (``"cabinet 1"``...)."""
    rec_type: tuple[str, ...]
    openable: int
    """Bit i set: receptacle i opens (closed at the start)."""
    objects: tuple[str, ...]
    obj_type: tuple[str, ...]
    props: tuple[int, ...]
    start: tuple[int, ...]
    """Receptacle index where each object starts."""
    compatible: tuple[int, ...]
    """Per object, bit r set: the object may be put in/on receptacle r."""
    combo: tuple[str, str, str]
    """(room, object type, receptacle or lamp type) of the task: the split key."""


def _receptacle_types(rng: random.Random, room: str, needed: tuple[str, ...],
                      count: int) -> list[str]:
    """``count`` receptacle types of ``room`` (one entry per instance), ``needed`` first;
    never fewer than the room's always-present and the task's needed types."""
    always, other, _ = ROOMS[room]
    chosen = list(dict.fromkeys(always + needed))
    optional = [t for t in other if t not in chosen]
    rng.shuffle(optional)
    extra = max(0, count - len(chosen))
    take = min(len(optional), max(extra // 3, min(extra, 2)))
    chosen += optional[:take]
    optional = optional[take:]
    counts = {t: 1 for t in chosen}
    pool = [t for t in chosen for _ in range(RECEPTACLES[t][1] - 1)]
    rng.shuffle(pool)
    while len(pool) < count - len(counts) and optional:  # small limits: more types
        t = optional.pop()
        counts[t] = 1
        pool += [t] * (RECEPTACLES[t][1] - 1)
    for t in pool[:max(0, count - len(counts))]:
        counts[t] += 1
    return [t for t in sorted(counts) for _ in range(counts[t])]


def _names(types: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for t in types:
        seen[t] = seen.get(t, 0) + 1
        out.append(f"{t} {seen[t]}")
    return out


def _place(rng: random.Random, kinds: list[str], rec_types: list[str], avoid: str,
           goal_type: str) -> list[int]:
    """A receptacle index for each object type in ``kinds``: a compatible one, never a
    receptacle of type ``avoid`` for objects of ``goal_type`` (the goal starts unmet)."""
    out = []
    for kind in kinds:
        ok = [i for i, t in enumerate(rec_types) if t in OBJECTS[kind][1]
              and not (kind == goal_type and t == avoid)]
        out.append(ok[rng.randrange(len(ok))])
    return out


def _object_types(rng: random.Random, room: str, task: Task, rec_types: list[str],
                  count: int) -> list[str]:
    """The object types of a world: the task's objects (and lamp) first, then fillers
    that have a compatible receptacle here, at most MAX_INSTANCES of a type."""
    present = set(rec_types)
    kinds = [task.obj] * (2 if task.kind == "two" else 1)
    if task.lamp:
        kinds.append(task.lamp)
    pool = [t for t in ROOMS[room][2] if any(r in present for r in OBJECTS[t][1])]
    tally = {t: kinds.count(t) for t in pool}
    tries = 0
    while len(kinds) < count and tries < 8 * count:
        tries += 1
        t = pool[rng.randrange(len(pool))]
        if tally.get(t, 0) < MAX_INSTANCES:
            tally[t] = tally.get(t, 0) + 1
            kinds.append(t)
    return kinds


def sample_world(rng: random.Random, room: str, task: Task, receptacles: int,
                 objects: int) -> World:
    """One candidate world for ``task`` in ``room`` (not yet verified solvable)."""
    needed = task.needed_receptacles()
    rec_types = _receptacle_types(rng, room, needed, min(receptacles, room_capacity(room)))
    kinds = _object_types(rng, room, task, rec_types, objects)
    places = _place(rng, kinds, rec_types, task.target, task.obj)
    order = sorted(range(len(kinds)), key=lambda i: (kinds[i], i))
    kinds = [kinds[i] for i in order]
    places = [places[i] for i in order]
    compatible = []
    for kind in kinds:
        allowed = OBJECTS[kind][1]
        compatible.append(sum(1 << i for i, t in enumerate(rec_types) if t in allowed))
    return World(
        room=room, task=task, receptacles=tuple(_names(rec_types)), rec_type=tuple(rec_types),
        openable=sum(1 << i for i, t in enumerate(rec_types) if t in OPENABLE),
        objects=tuple(_names(kinds)), obj_type=tuple(kinds),
        props=tuple(OBJECTS[k][0] for k in kinds), start=tuple(places),
        compatible=tuple(compatible), combo=task.combo(room),
    )


def draw_task(rng: random.Random, room: str, kind: str, split: str) -> Task:
    """A task of ``kind`` ("any": a kind the room offers, uniformly) valid in ``room`` whose
    combination belongs to ``split``; ValueError naming the options when there is none."""
    kinds = KINDS if kind == "any" else (kind,)
    by_kind = [goals for k in kinds if (goals := candidate_goals(room, k, split, ROOMS, OBJECTS))]
    if not by_kind:
        raise ValueError(
            f"no {kind!r} task exists in the {room} for split {split!r}; choose another "
            "room or task (e.g. household:room=kitchen,task=heat)")
    goals = by_kind[rng.randrange(len(by_kind))]  # task types uniform, then a goal
    return goals[rng.randrange(len(goals))]
