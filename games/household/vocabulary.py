"""The fixed command vocabulary: every command any household world can admit.

Receptacle names run up to each type's limit (``cabinet 1`` .. ``cabinet 20``), object
names up to :data:`~games.household.world.MAX_INSTANCES` per type; ``take``/``put`` pair
only an object type with the receptacle types it may stand in or on, ``heat``/``cool``/
``clean`` only an object with the property and its appliance, ``use`` only lamps. The
order is fixed (PettingZoo's numeric mode indexes it).
"""

from __future__ import annotations

from functools import lru_cache

from games.household.world import CLEAN, COOL, HEAT, LAMP, MAX_INSTANCES, OBJECTS, RECEPTACLES

__all__ = ["all_commands"]

_APPLIANCES = (("heat", HEAT, "microwave"), ("cool", COOL, "fridge"),
               ("clean", CLEAN, "sinkbasin"))


def _recs(kind: str) -> list[str]:
    return [f"{kind} {i}" for i in range(1, RECEPTACLES[kind][1] + 1)]


@lru_cache(maxsize=1)
def all_commands() -> tuple[str, ...]:
    """Every command, in a fixed order (computed once)."""
    recs = [r for kind in sorted(RECEPTACLES) for r in _recs(kind)]
    out = ["look", "inventory"]
    out += [f"{verb} {r}" for verb in ("go to", "open", "close", "examine") for r in recs]
    for kind in sorted(OBJECTS):
        props, places = OBJECTS[kind]
        for i in range(1, MAX_INSTANCES + 1):
            name = f"{kind} {i}"
            if props & LAMP:
                out.append(f"use {name}")
                continue
            out.append(f"examine {name}")
            for place in sorted(places):
                for r in _recs(place):
                    out += [f"take {name} from {r}", f"put {name} in/on {r}"]
            for verb, bit, appliance in _APPLIANCES:
                if props & bit:
                    out += [f"{verb} {name} with {r}" for r in _recs(appliance)]
    return tuple(f"[{c}]" for c in out)
