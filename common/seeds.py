"""One way to derive a seed: every seed in the arena comes from :func:`derive_seed`.

A seed is derived from its parts' text (a tournament seed and a match index, a run seed,
an iteration and a match, a match seed, a player, a turn and an attempt), so it is the
same in every process, run and machine, and two different recipes cannot collide by
arithmetic accident (``seed * 100 + i`` makes seed 1, agent 0 equal seed 0, agent 100).
"""

from __future__ import annotations

import hashlib
from typing import Any

__all__ = ["derive_seed"]


def derive_seed(*parts: Any) -> int:
    """A stable 31-bit seed from the parts' text: ``derive_seed("match", 7, 3)``.

    Name the purpose in the first part (``"match"``, ``"agent"``, ``"decision"``,
    ``"eval"``...), so that seeds of different purposes never coincide.
    """
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF
