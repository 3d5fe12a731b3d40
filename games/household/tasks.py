"""The six task types, their goal conditions, and which combinations belong to which split.

=========  ===========================================  ==============================
kind       goal text                                    goal conditions, in order
=========  ===========================================  ==============================
``put``    put a mug in cabinet.                        hold a mug; a mug in a cabinet
``clean``  put a clean mug in cabinet.                  hold; cleaned; a clean mug in
``heat``   put a hot mug in cabinet.                    hold; heated; a hot mug in
``cool``   put a cool mug in cabinet.                   hold; cooled; a cool mug in
``look``   look at book under the desklamp.             hold a book; a desklamp on;
                                                        hold a book where a lit one is
``two``    put two mug in cabinet.                      hold; one in; two in one cabinet
=========  ===========================================  ==============================

Transformations need their appliance in the room: clean a sinkbasin (kitchen, bathroom),
heat a microwave and cool a fridge (kitchen); look needs a lamp (living room, bedroom).

Splits. A task's *combination* is (room, object type, receptacle type or lamp type). A
combination is *unseen* when ``derive_seed("household-split", room, object, place) % 5 ==
0`` (about one in five), else *seen*. ``train`` and ``valid_seen`` draw tasks only from seen
combinations (their worlds differ by seed: the two splits derive world seeds with their own
names), ``valid_unseen`` only from unseen ones, so no valid_unseen task's combination ever
occurs in train.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from common.seeds import derive_seed

__all__ = ["KINDS", "SPLITS", "Task", "candidate_goals", "is_unseen", "APPLIANCE"]

KINDS = ("put", "clean", "heat", "cool", "look", "two")
SPLITS = ("train", "valid_seen", "valid_unseen")
APPLIANCE = {"clean": "sinkbasin", "heat": "microwave", "cool": "fridge"}
_PROP = {"clean": 4, "heat": 1, "cool": 2}  # world.CLEAN, HEAT, COOL (no import circle)
_ADJECTIVE = {"clean": "clean", "heat": "hot", "cool": "cool"}
_CONTAINERS = frozenset({"box", "cabinet", "drawer", "fridge", "garbagecan", "microwave",
                         "safe", "sinkbasin", "bathtubbasin", "laundryhamper"})
_NOT_TARGETS = frozenset({"coffeemachine", "toaster", "stoveburner", "microwave",
                          "toiletpaperhanger", "towelholder", "handtowelholder"})


def preposition(receptacle_type: str) -> str:
    return "in" if receptacle_type in _CONTAINERS else "on"


@dataclass(frozen=True)
class Task:
    kind: str
    obj: str
    """Object type to move (or to look at)."""
    target: str = ""
    """Receptacle type to put it in/on ("" for look)."""
    lamp: str = ""
    """Lamp type for look ("" otherwise)."""
    home: str = ""
    """A receptacle type (not ``target``) where the object may start: always present."""

    @property
    def prop(self) -> int:
        """The property bit the object must carry at the end (0: none)."""
        return _PROP.get(self.kind, 0)

    @property
    def appliance(self) -> str:
        return APPLIANCE.get(self.kind, "")

    def text(self) -> str:
        if self.kind == "look":
            return f"look at {self.obj} under the {self.lamp}."
        where = f"{preposition(self.target)} {self.target}"
        if self.kind == "two":
            return f"put two {self.obj} {where}."
        adjective = _ADJECTIVE.get(self.kind)
        what = f"{adjective} {self.obj}" if adjective else self.obj
        article = "an" if what[0] in "aeiou" else "a"
        return f"put {article} {what} {where}."

    def needed_receptacles(self) -> tuple[str, ...]:
        """Receptacle types the world must hold for this task."""
        out = [t for t in (self.target, self.appliance, self.home) if t]
        return tuple(dict.fromkeys(out))

    def combo(self, room: str) -> tuple[str, str, str]:
        return (room, self.obj, self.lamp or self.target)

    def conditions(self) -> int:
        """Number of goal conditions (``dense=true`` pays 1/n for each first met)."""
        return 2 if self.kind == "put" else 3


def is_unseen(room: str, obj: str, place: str) -> bool:
    """The split rule: combination (room, object, place) is reserved for valid_unseen."""
    return derive_seed("household-split", room, obj, place) % 5 == 0


def _home(compatible: tuple[str, ...], room_types: tuple[str, ...], target: str) -> str:
    return next((t for t in compatible if t in room_types and t != target), "")


def candidate_goals(room: str, kind: str, split: str, rooms: Mapping, objects: Mapping
                    ) -> list[Task]:
    """Every task of ``kind`` valid in ``room`` whose combination is in ``split``."""
    if kind == "any":
        return [t for k in KINDS for t in candidate_goals(room, k, split, rooms, objects)]
    always, other, kinds = rooms[room]
    types = always + other
    unseen = split == "valid_unseen"
    out = []
    for obj in kinds:
        props, compatible = objects[obj]
        if props & 8:  # a lamp is never the object to move
            continue
        home = _home(compatible, always, "") or _home(compatible, types, "")
        if kind == "look":
            for lamp in (k for k in kinds if objects[k][0] & 8):
                if is_unseen(room, obj, lamp) == unseen and home:
                    out.append(Task("look", obj, lamp=lamp, home=home))
            continue
        if kind in _PROP and (not props & _PROP[kind] or APPLIANCE[kind] not in types):
            continue
        for target in compatible:
            if target not in types or target in _NOT_TARGETS or target == APPLIANCE.get(kind):
                continue
            home = _home(compatible, always, target) or _home(compatible, types, target)
            if home and is_unseen(room, obj, target) == unseen:
                out.append(Task(kind, obj, target=target, home=home))
    return out
