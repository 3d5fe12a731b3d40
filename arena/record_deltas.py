"""Long histories stored once: a field of a decision written as a delta of an earlier one.

In a game whose observation is a transcript (TextArena, long negotiations), decision k
sees everything decision k-2 saw and a few lines more; a model's prompt and its token
ids grow the same way. Written out in full, a record grows with the square of the game's
length. :func:`compress` writes such a field as ``[j, keep, add]``: the first ``keep``
items (characters, or token ids) of the same field of decision ``j``, then ``add``;
:func:`expand` gives the exact value back. Fields whose value is short or shares little
with the recent decisions stay as they are, so a record of a small game is unchanged.

A transcript that grows in its middle (Werewolf: a status line above the public log
changes while the log grows) shares a long block with an earlier decision but little
prefix; a text field is then written as ``[j, keep, add, start, end, tail]``: the first
``keep`` characters of decision ``j``'s, ``add``, the characters ``start:end`` of decision
``j``'s (the longest run of whole lines they share, :func:`_block`), then ``tail``. The
record of a 15-seat Werewolf game whose every speech is 2,000 characters grows with the
game's log rather than with the log times its decisions.

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
_SPLICE_FROM = 4096  # characters a prefix delta leaves to write before a block is sought


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


class _Lines:
    """Whole lines of the recent text values, each split once (a window of
    :data:`_RECENT` decisions: a long game's texts are not all held split at once)."""

    def __init__(self) -> None:
        self._held: dict[int, tuple[list[str], dict[str, int]]] = {}

    def of(self, i: int, text: str) -> tuple[list[str], dict[str, int]]:
        found = self._held.get(i)
        if found is None:
            lines = text.splitlines(keepends=True)
            where: dict[str, int] = {}
            for n, line in enumerate(lines):
                where.setdefault(line, n)
            found = self._held[i] = (lines, where)
            for old in [k for k in self._held if k < i - _RECENT]:
                del self._held[old]
        return found


def _block(base: tuple[list[str], dict[str, int]], lines: list[str], keep: int
           ) -> tuple[int, int, int] | None:
    """``(start, end, at)``: the longest run of whole lines of the base text (characters
    ``start:end``) that the value (``lines``) holds at ``at >= keep``, or None when it is
    short. Runs are tried from each line's first place in the base: linear in the lines."""
    base_lines, where = base
    first, seen = 0, 0
    while first < len(lines) and seen + len(lines[first]) <= keep:
        seen += len(lines[first])
        first += 1
    best = (0, 0, 0)  # (base line, value line, lines)
    b = first
    while b < len(lines):
        a = where.get(lines[b])
        if a is None:
            b += 1
            continue
        n = 0
        while a + n < len(base_lines) and b + n < len(lines) and base_lines[a + n] == lines[b + n]:
            n += 1
        if n > best[2]:
            best = (a, b, n)
        b += n
    if best[2] == 0:
        return None
    start = sum(map(len, base_lines[:best[0]]))
    end = start + sum(map(len, base_lines[best[0]:best[0] + best[2]]))
    at = seen + sum(map(len, lines[first:best[1]]))
    return (start, end, at) if end - start >= _MIN_SHARED else None


def _delta(values: list[Any], value: Any, i: int, split: _Lines) -> list[Any] | None:
    """The shortest delta of ``value`` (decision ``i``) against a recent earlier one."""
    j, keep = _best_base(values, value, i)
    best = [j, keep, value[keep:]] if keep >= _MIN_SHARED else None
    saved = keep if best else 0
    if isinstance(value, str) and len(value) - keep >= _SPLICE_FROM:
        lines = split.of(i, value)[0]
        for k in range(max(0, i - _RECENT), i):
            base = values[k]
            if not isinstance(base, str):
                continue
            shared = _shared(base, value)
            found = _block(split.of(k, base), lines, shared)
            if found is None:
                continue
            start, end, at = found
            if shared + end - start > saved:
                saved = shared + end - start
                best = [k, shared, value[shared:at], start, end, value[at + end - start:]]
    return best


def compress(decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Decision dicts (``DecisionRecord.to_dict``) with long shared prefixes (or blocks)
    written as deltas; the input is left unchanged."""
    out = [dict(d) for d in decisions]
    for name in FIELDS:
        values = [_get(d, name) for d in decisions]
        split = _Lines()
        for i, value in enumerate(values):
            if not isinstance(value, (str, list, tuple)) or len(value) < _MIN_SHARED:
                continue
            delta = _delta(values, value, i, split)
            if delta is None:
                continue
            _pop(out[i], name)
            out[i]["deltas"] = {**out[i].get("deltas", {}), name: delta}
    return out


def expand(decisions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The inverse of :func:`compress`: every delta replaced by its value. A ValueError
    names a delta that points anywhere but an earlier decision."""
    out = [dict(d) for d in decisions]
    for i, d in enumerate(out):
        deltas = d.pop("deltas", None)
        if not deltas:
            continue
        for name, delta in deltas.items():
            j = delta[0] if isinstance(delta, list) and len(delta) in (3, 6) else None
            if name not in FIELDS or not isinstance(j, int) or not 0 <= j < i:
                raise ValueError(
                    f"decision {i}: delta {name!r} refers to decision {j!r}; a delta must "
                    "name a known field and an earlier decision (a damaged record?)"
                )
            keep, add = delta[1], delta[2]
            base = _get(out[j], name)
            if not isinstance(base, (str, list, tuple)) or len(base) < keep:
                raise ValueError(f"decision {i}: delta {name!r} keeps {keep} items of "
                                 f"decision {j}, which has no such value (a damaged record?)")
            if len(delta) == 3:
                _put(d, name, base[:keep] + add)
                continue
            start, end, tail = delta[3], delta[4], delta[5]
            if not (isinstance(base, str) and isinstance(start, int) and isinstance(end, int)
                    and 0 <= start <= end <= len(base)):
                raise ValueError(f"decision {i}: delta {name!r} copies characters "
                                 f"{start!r}:{end!r} of decision {j}, which has no such text "
                                 "(a damaged record?)")
            _put(d, name, base[:keep] + add + base[start:end] + tail)
    return out
