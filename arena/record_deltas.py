"""Long histories stored once: a field of a decision written as a delta of an earlier one.

In a game whose observation is a transcript (TextArena, long negotiations), decision k
sees everything decision k-2 saw and a few lines more; a model's prompt and its token
ids grow the same way. Written out in full, a record grows with the square of the game's
length. :func:`compress` writes such a field as ``[j, keep, add]``: the first ``keep``
items (characters, or token ids) of the same field of decision ``j``, then ``add``;
:func:`expand` gives the exact value back. Fields whose value is short or shares little
with the recent decisions stay as they are, so a record of a small game is unchanged.

The encoded fields live under ``"deltas"`` in a decision's dict (``{"observation": [j,
keep, add], "info.prompt": [...], "info.prompt_ids": [...]}``) and are absent from their
usual place; a decision dict without ``"deltas"`` (every record written before) reads as
it always did.
"""

from __future__ import annotations

from typing import Any, Sequence

__all__ = ["compress", "expand", "FIELDS"]

FIELDS = ("observation", "info.prompt", "info.prompt_ids")
"""The fields that may be written as deltas."""
_RECENT = 6  # earlier decisions searched for the longest shared prefix
_MIN_SHARED = 64  # items a delta must reuse to be worth writing


def _shared(a: Sequence, b: Sequence) -> int:
    """Length of the common prefix of ``a`` and ``b`` (slices compare in C)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _get(d: dict[str, Any], name: str) -> Any:
    if name.startswith("info."):
        return (d.get("info") or {}).get(name[5:])
    return d.get(name)


def _pop(d: dict[str, Any], name: str) -> None:
    if name.startswith("info."):
        d["info"] = {k: v for k, v in d["info"].items() if k != name[5:]}
    else:
        del d[name]


def _put(d: dict[str, Any], name: str, value: Any) -> None:
    if name.startswith("info."):
        d["info"] = {**(d.get("info") or {}), name[5:]: value}
    else:
        d[name] = value


def _best_base(values: list[Any], value: Any, index: int) -> tuple[int, int]:
    """(j, shared) of the recent earlier value of the same type sharing the longest prefix."""
    best = (-1, 0)
    for j in range(max(0, index - _RECENT), index):
        other = values[j]
        if type(other) is type(value):
            n = _shared(other, value)
            if n > best[1]:
                best = (j, n)
    return best


def compress(decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Decision dicts (``DecisionRecord.to_dict``) with long shared prefixes written as
    deltas; the input is left unchanged."""
    out = [dict(d) for d in decisions]
    for name in FIELDS:
        values = [_get(d, name) for d in decisions]
        for i, value in enumerate(values):
            if not isinstance(value, (str, list, tuple)) or len(value) < _MIN_SHARED:
                continue
            j, keep = _best_base(values, value, i)
            if keep < _MIN_SHARED:
                continue
            _pop(out[i], name)
            out[i]["deltas"] = {**out[i].get("deltas", {}), name: [j, keep, value[keep:]]}
    return out


def expand(decisions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The inverse of :func:`compress`: every delta replaced by its value. A ValueError
    names a delta that points anywhere but an earlier decision."""
    out = [dict(d) for d in decisions]
    for i, d in enumerate(out):
        deltas = d.pop("deltas", None)
        if not deltas:
            continue
        for name, (j, keep, add) in deltas.items():
            if name not in FIELDS or not isinstance(j, int) or not 0 <= j < i:
                raise ValueError(
                    f"decision {i}: delta {name!r} refers to decision {j!r}; a delta must "
                    "name a known field and an earlier decision (a damaged record?)"
                )
            base = _get(out[j], name)
            if not isinstance(base, (str, list, tuple)) or len(base) < keep:
                raise ValueError(f"decision {i}: delta {name!r} keeps {keep} items of "
                                 f"decision {j}, which has no such value (a damaged record?)")
            _put(d, name, base[:keep] + add)
    return out
