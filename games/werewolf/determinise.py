"""Werewolf determinisations: full states consistent with what one player knows.

What a player knows about roles (kept exactly): their own role; a wolf, every wolf (so
every role's team); a Seer, the side of each player it checked; a Doctor whose
protection saved someone, that the protected player is not a wolf; everyone, that night
victims are not wolves (wolves cannot kill wolves), the roles of the dead when
``reveal_on_death``, that a doctor was alive on every night no one died, and that the
game did not end before now (after every death the wolves were alive and outnumbered).

A draw: roles first (fixed ones placed, wolves drawn among the seats that may hold one,
then the other roles shuffled), rejected until consistent (the true roles after 64
tries, which are always consistent). Then every secret action the player did not make
or see is redrawn for the drawn roles, consistent with the public outcome: the pack's
target (the victim, or on a night no one died the drawn Doctor's protection), the drawn
Seer's checks and the drawn Doctor's protections, and the others' pending actions in
the phase now running. Uniform over consistent role deals, not weighted by how likely
each would have produced the moves seen.
"""

from __future__ import annotations

import random
from typing import Any

from games.werewolf.roles import DOCTOR, NIGHT, OVER, PACK, SEER, VOTE, WOLF, deck
from games.werewolf.text import private_lines, private_sections, you_lines

__all__ = ["determinise", "known_roles"]

_TRIES = 64


def known_roles(s: Any, p: int) -> tuple[dict[int, int], set[int], set[int]]:
    """What ``p`` knows: (exact roles by seat, seats known to be wolves, seats known not
    to be wolves)."""
    exact = {p: s.roles[p]}
    wolf, not_wolf = set(), set()
    if s.roles[p] == WOLF:
        wolf = {q for q in range(len(s.roles)) if s.wolves >> q & 1}
        not_wolf = set(range(len(s.roles))) - wolf
    for night in s.nights:
        _, _, check, protect, died, seen = night
        if check is not None and check[0] == p:
            (wolf if seen else not_wolf).add(check[1])
        if protect is not None and protect[0] == p and died < 0:
            not_wolf.add(protect[1])
    for seat, _, by_vote in s.deaths:
        if not by_vote:
            not_wolf.add(seat)
        if s.game.options.reveal_on_death:
            exact[seat] = s.roles[seat]
    for seat, role in exact.items():
        (wolf if role == WOLF else not_wolf).add(seat)
    return exact, wolf, not_wolf


def _draw_roles(s: Any, exact: dict[int, int], wolf: set[int], not_wolf: set[int],
                rng: random.Random) -> tuple[int, ...] | None:
    n = len(s.roles)
    pool = list(deck(s.game.options))
    for role in exact.values():
        pool.remove(role)
    roles: list[int] = [-1] * n
    for seat, role in exact.items():
        roles[seat] = role
    free = [q for q in range(n) if q not in exact]
    must = [q for q in free if q in wolf]
    may = [q for q in free if q not in wolf and q not in not_wolf]
    extra = pool.count(WOLF) - len(must)
    if extra < 0 or extra > len(may):
        return None
    for q in must + rng.sample(may, extra):
        roles[q] = WOLF
    rest = [r for r in pool if r != WOLF]
    rng.shuffle(rest)
    for q, role in zip((q for q in free if roles[q] < 0), rest):
        roles[q] = role
    return tuple(roles)


def _alive_at(s: Any, day: int) -> list[int]:
    """Seats alive on night ``day`` (no death on an earlier day)."""
    dead = {seat for seat, d, _ in s.deaths if d < day}
    return [q for q in range(len(s.roles)) if q not in dead]


def _consistent(s: Any, roles: tuple[int, ...]) -> bool:
    doctors = [q for q, r in enumerate(roles) if r == DOCTOR]
    for d, night in enumerate(s.nights, start=1):
        if night[4] < 0 and not (doctors and doctors[0] in _alive_at(s, d)):
            return False
    wolves = sum(r == WOLF for r in roles)
    others = len(roles) - wolves
    for seat, _, _ in s.deaths:
        if roles[seat] == WOLF:
            wolves -= 1
        else:
            others -= 1
        if s.phase != OVER and (wolves == 0 or wolves >= others):
            return False
    return True


def _redraw_night(s: Any, p: int, roles: tuple[int, ...], d: int, night: tuple,
                  last: int, rng: random.Random) -> tuple:
    proposals, target, check, protect, died, _ = night
    alive = _alive_at(s, d)
    wolves = [q for q in alive if roles[q] == WOLF]
    if roles[p] != WOLF:
        if died >= 0:
            target = died
        elif protect is not None and protect[0] == p:
            target = protect[1]
        else:
            target = rng.choice([q for q in alive if roles[q] != WOLF])
        proposals = tuple((w, target) for w in wolves)
    seer = next((q for q in alive if roles[q] == SEER), -1)
    if seer != p:
        check = None if seer < 0 else (seer, rng.choice([q for q in alive if q != seer]))
    doctor = next((q for q in alive if roles[q] == DOCTOR), -1)
    if doctor != p:
        if doctor < 0:
            protect = None
        elif died < 0:
            protect = (doctor, target)
        else:
            choices = [q for q in alive if q != died and q != last] or [
                q for q in alive if q != died]
            protect = (doctor, rng.choice(choices))
    seen = check is not None and roles[check[1]] == WOLF
    return (proposals, target, check, protect, died, seen)


def _redraw_nights(s: Any, p: int, roles: tuple[int, ...], rng: random.Random) -> tuple:
    out, last = [], -1
    repeat = s.game.options.doctor_repeat
    for d, night in enumerate(s.nights, start=1):
        night = _redraw_night(s, p, roles, d, night, -1 if repeat else last, rng)
        last = night[3][1] if night[3] is not None else -1
        out.append(night)
    return tuple(out)


def _redraw_pending(d: Any, p: int, rng: random.Random) -> None:
    """The others' secret actions of the phase now running, drawn for the drawn roles."""
    keep_pack = d.roles[p] == WOLF
    if d.phase == PACK and d.tonight is not None:
        d.phase = NIGHT
        tonight = list(d.tonight)
        for q, a in enumerate(tonight):
            if a is not None and q != p and not (keep_pack and d.roles[q] == WOLF):
                legal = d._legal_tuple(q)
                tonight[q] = legal[rng.randrange(len(legal))]
        d.tonight = tuple(tonight)
        d.phase = PACK
    if d.phase in (NIGHT, PACK, VOTE):
        pending = list(d.pending)
        for q, a in enumerate(pending):
            if a is not None and q != p:
                legal = d._legal_tuple(q)
                pending[q] = legal[rng.randrange(len(legal))]
        d.pending = tuple(pending)


def determinise(s: Any, p: int, rng: random.Random) -> Any:
    """A state consistent with player ``p``'s information (see the module doc)."""
    d = s.clone()
    if s.phase == OVER:
        return d
    exact, wolf, not_wolf = known_roles(s, p)
    roles = s.roles
    for _ in range(_TRIES):
        drawn = _draw_roles(s, exact, wolf, not_wolf, rng)
        if drawn is not None and _consistent(s, drawn):
            roles = drawn
            break
    n = len(roles)
    d.roles = roles
    d.wolves = sum(1 << q for q in range(n) if roles[q] == WOLF)
    d.you = you_lines(roles)
    d.nights = _redraw_nights(s, p, roles, rng)
    d.private = private_lines(roles, d.nights, n)
    _redraw_pending(d, p, rng)
    d.psec = private_sections(d.private)
    d._refresh_legal()
    return d
