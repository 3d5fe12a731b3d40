"""Werewolf's in-game chance: the deal and the tie-breaks, each a pure function of the
game's seed.

A draw is a splitmix64 mix (an integer hash with full avalanche: every input bit flips
about half the output bits) of the seed and of what is drawn (the deal, a night's
choice between the wolves' targets, a day's tie-break), so the same seed always gives
the same game, no generator object is kept or built, and a draw costs a few integer
operations instead of a seeded ``random.Random``.

- :func:`deal`: the deck shuffled by one 64-bit hash read as a mixed-radix number
  (digit ``i`` picks among ``i + 1`` places, Fisher-Yates order): every arrangement of
  the deck has probability ``1/n!`` up to ``n!/2**64`` (below ``1e-7`` for 15 seats).
- :func:`pick`: an index below ``k`` from the top bits of ``hash * k`` (bias below
  ``k/2**64``).

Seeds are reduced to 64 bits (two's complement for negative seeds).
"""

from __future__ import annotations

from typing import Sequence

__all__ = ["mix", "deal", "pick", "NIGHT_TIE", "VOTE_TIE"]

_MASK = (1 << 64) - 1
DEAL, NIGHT_TIE, VOTE_TIE = 1, 2, 3
"""What a draw is for: part of the hashed input, so different draws never coincide."""


def mix(x: int) -> int:
    """splitmix64's step: a 64-bit integer to a well-mixed 64-bit integer."""
    x = (x + 0x9E37_79B9_7F4A_7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58_476D_1CE4_E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D0_49BB_1331_11EB) & _MASK
    return x ^ (x >> 31)


def _hash(seed: int, purpose: int, day: int) -> int:
    return mix(mix(seed & _MASK) ^ (day << 2 | purpose))


def deal(deck: Sequence[int], seed: int) -> tuple[int, ...]:
    """``deck`` in the order the seed deals it (uniform over arrangements)."""
    roles = list(deck)
    h = _hash(seed, DEAL, 0)
    for i in range(len(roles) - 1, 0, -1):
        h, j = divmod(h, i + 1)
        roles[i], roles[j] = roles[j], roles[i]
    return tuple(roles)


def pick(seed: int, purpose: int, day: int, k: int) -> int:
    """A uniform index below ``k`` for draw ``purpose`` on ``day`` of the seed's game."""
    return _hash(seed, purpose, day) * k >> 64
