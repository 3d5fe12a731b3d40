"""What each player reads, and what a spectator sees: Werewolf's text built by sections.

An observation is five sections, each built from small cached pieces (a seat's YOU line
once per deal, the living/dead line once per set of living players; the state keeps its
STATE line, PRIVATE sections and acting players' NOW lines, see
:class:`~games.werewolf.state.WerewolfState`)::

    YOU: ...            seat, role, team, partner wolves
    STATE: ...          night or day, phase, living and dead players
    PRIVATE:            own checks (Seer), protections (Doctor), the pack's nights (wolves)
    PUBLIC LOG:         deaths, speeches, vote tables, at the end every role
    NOW: ...            what to do now, with the legal actions, or whom we wait for

:func:`render` is the spectator's table (roles hidden until the end unless ``reveal``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

from games.werewolf.roles import (
    DOCTOR, NIGHT, OVER, PACK, PHASE_NAMES, ROLE_NAMES, SEER, TALK, VILLAGER, VOTE, WOLF,
)

__all__ = ["you_lines", "private_lines", "night_lines", "private_sections", "observation_text",
           "fast_text", "now_line", "acting_now", "pack_secret", "state_line", "render",
           "living_text"]

NOTHING_YET = "\n  (nothing yet)"


@lru_cache(maxsize=4096)
def you_lines(roles: tuple[int, ...]) -> tuple[str, ...]:
    """Each seat's YOU section: seat, role, team and (wolves) partner wolves (cached per
    deal: a 7-seat table has 420 deals)."""
    wolves = [s for s, r in enumerate(roles) if r == WOLF]
    out = []
    for seat, role in enumerate(roles):
        line = f"YOU: Player {seat}, {ROLE_NAMES[role]}"
        if role == WOLF:
            partners = [f"Player {w}" for w in wolves if w != seat]
            line += f" (wolves team). Partner wolves: {', '.join(partners) or 'none'}."
        else:
            line += " (village team)."
        out.append(line)
    return tuple(out)


def _night_line(seat: int, role: int, day: int, night: tuple) -> str | None:
    check, protect = night[2], night[3]
    if role == WOLF:
        return _pack_line(day, night)
    if role == SEER and check is not None and check[0] == seat:
        return _check_line(day, night)
    if role == DOCTOR and protect is not None and protect[0] == seat:
        return _protect_line(day, night)
    return None


def _pack_line(day: int, night: tuple) -> str:
    proposals, target, _, _, died = night[:5]
    props = ", ".join([f"Player {w} -> Player {t}" for w, t in proposals])
    end = f"Player {died} died" if died >= 0 else "no one died"
    return f"  Night {day}: the pack attacked Player {target} ({props}); {end}."


def _protect_line(day: int, night: tuple) -> str:
    return f"  Night {day}: you protected Player {night[3][1]}."


def _check_line(day: int, night: tuple) -> str:
    return (f"  Night {day}: you checked Player {night[2][1]}: "
            f"{'werewolf' if night[5] else 'not a werewolf'}.")


def private_lines(roles: Sequence[int], nights: Sequence[tuple], n: int) -> tuple[str, ...]:
    """Each seat's PRIVATE lines from the resolved nights (``""`` where there are none).
    A night record is ``(proposals, target, check, protect, died, check_is_wolf)``."""
    out = []
    for seat in range(n):
        role = roles[seat]
        if role == VILLAGER:
            out.append("")
            continue
        lines = [_night_line(seat, role, d + 1, night) for d, night in enumerate(nights)]
        out.append("\n".join(x for x in lines if x is not None))
    return tuple(out)


def night_lines(roles: Sequence[int], day: int, night: tuple) -> dict[int, str]:
    """The PRIVATE line of one resolved night for each seat that gets one: the increment
    of :func:`private_lines` (each seat's lines joined by newlines, night by night)."""
    check, protect = night[2], night[3]
    wolf = _pack_line(day, night)  # every wolf reads the same line
    out = {seat: wolf for seat, role in enumerate(roles) if role == WOLF}
    if check is not None and roles[check[0]] == SEER:
        out[check[0]] = _check_line(day, night)
    if protect is not None and roles[protect[0]] == DOCTOR:
        out[protect[0]] = _protect_line(day, night)
    return out


def private_sections(private: Sequence[str]) -> tuple[str, ...]:
    """Each seat's PRIVATE section as the text shows it after the STATE line."""
    return tuple("\nPRIVATE:\n" + lines if lines else "" for lines in private)


def living_text(game: Any, alive: int) -> str:
    """``Living (5 of 7): Player 0, ... Dead: Player 1, Player 4.`` (cached per game)."""
    found = game._texts.get(alive)
    if found is None:
        n = game.num_players
        living = [f"Player {s}" for s in range(n) if alive >> s & 1]
        dead = [f"Player {s}" for s in range(n) if not alive >> s & 1]
        found = (f"Living ({len(living)} of {n}): {', '.join(living)}. "
                 f"Dead: {', '.join(dead) or 'none'}.")
        game._texts[alive] = found
    return found


def state_line(s: Any) -> str:
    """The STATE line from the state's fields (the state keeps it as ``line``)."""
    phase = s.phase
    if phase == OVER:
        head = f"Day {s.day}, game over"
    elif phase in (NIGHT, PACK):
        head = f"Night {s.day}" + (" (the pack decides)" if phase == PACK else "")
    elif phase == TALK:
        head = f"Day {s.day}, discussion (speech {s.spoke + 1} of {len(s.speakers)})"
    else:
        head = f"Day {s.day}, vote"
    return f"STATE: {head}. {living_text(s.game, s.alive)}"


_ASK = {WOLF: "choose a non-wolf to kill", SEER: "choose a player to check",
        DOCTOR: "choose a player to protect", VILLAGER: "you sleep"}


def _now(s: Any, p: int) -> str:
    phase = s.phase
    if phase == OVER:
        return "NOW: the game is over."
    if p not in s.waiting:
        if not s.alive >> p & 1:
            return "NOW: you are dead; you may only watch."
        if phase == TALK:
            return f"NOW: Player {s.speakers[s.spoke]} is speaking."
        mine = s.pending[p]
        return f"NOW: waiting for the others ({PHASE_NAMES[phase]}); you chose {mine}."
    legal = s._legal_tuple(p) if (phase != TALK or s.game.claims) else None
    if phase == PACK:
        if legal == s.game.SLEEP:
            return "NOW: the pack's leader decides; you sleep: [sleep]"
        return (f"NOW: proposals: {pack_secret(s, p).split(' | ')[0]}. Decide the victim: "
                + ", ".join(legal))
    return acting_now(s.game, phase, s.day, s.roles[p], legal)


now_line = _now
"""``p``'s NOW line built from the state's fields (the state keeps the acting players')."""


def pack_secret(s: Any, p: int) -> str:
    """``p``'s own knowledge of the pack's step (``"<first step> | <own action>"``; a
    wolf's first step: the pack's proposals), for the information state."""
    own = s.pending[p] or ""
    if s.tonight is None:
        return own
    if s.roles[p] == WOLF:
        props = [f"Player {w} proposed {a[6:-1]}" for w, a in enumerate(s.tonight)
                 if a is not None and a.startswith("[kill")]
        return "; ".join(props) + f" | {own}"
    return f"{s.tonight[p] or ''} | {own}"


def acting_now(game: Any, phase: int, day: int, role: int, legal: Any) -> str:
    """The NOW line of a player who acts now in the phase (not the pack's step): it
    follows from the phase, the day (at night), the role and the legal actions."""
    if phase == TALK:
        if legal is None:
            cap = game.options.max_speech_chars
            return (f"NOW: your speech. Answer [say] <your speech> (at most {cap} "
                    "characters; longer is cut).")
        return "NOW: your speech; choose one statement: " + game.joined(legal)
    if phase == VOTE:
        return "NOW: vote to eliminate a player: " + game.joined(legal)
    return f"NOW: night {day}; {_ASK[role]}: " + game.joined(legal)


def observation_text(s: Any, p: int) -> str:
    """``p``'s text built from the state's fields alone (the reference :func:`fast_text`
    must equal; tests compare them)."""
    private = s.private[p]
    parts = [s.you[p], state_line(s)]
    if private:
        parts.append("PRIVATE:\n" + private)
    parts.append("PUBLIC LOG:" + (s.log or NOTHING_YET))
    parts.append(_now(s, p))
    return "\n".join(parts)


def fast_text(s: Any, p: int) -> str:
    """:func:`observation_text` from the pieces the state keeps (``line``, ``psec``, and
    ``nowt``: the NOW line of each player who acts in the phase, None in the pack's step)."""
    now = s.nowt[p] if p in s.waiting else None
    if now is None:
        now = _now(s, p)
    return f"{s.you[p]}\n{s.line}{s.psec[p]}\nPUBLIC LOG:{s.log or NOTHING_YET}\n{now}"


def render(s: Any, reveal: bool = False) -> str:
    """The spectator's view: phase, a table of players (role shown when ``reveal`` or
    at the end), the public log and, when ``reveal``, every secret action."""
    n = s.game.num_players
    if s.phase == OVER:
        result = {0: "the village wins", 1: "the wolves win"}.get(s.winner, "a draw")
        head = f"Werewolf: day {s.day}, game over: {result}"
    else:
        head = f"Werewolf: {state_line(s)[7:].split('. Living')[0].lower()}"
    rows = [head, f"{'seat':<10}{'status':<8}{'role':<10}to act"]
    for seat in range(n):
        status = "alive" if s.alive >> seat & 1 else "dead"
        role = ROLE_NAMES[s.roles[seat]] if reveal or s.phase == OVER else "?"
        acting = "*" if seat in s.waiting else ""
        rows.append(f"{f'Player {seat}':<10}{status:<8}{role:<10}{acting:<7}".rstrip())
    rows.append("Public log:" + (s.log or " (nothing yet)"))
    if reveal:
        rows.append("Secret actions (spectator):")
        for d, night in enumerate(s.nights):
            rows.append("  " + _secret_night(d + 1, night))
        now = [f"Player {seat} {a}" for seat, a in enumerate(s.pending) if a is not None]
        if now:
            rows.append("  now: " + ", ".join(now))
    return "\n".join(rows)


def _secret_night(day: int, night: tuple) -> str:
    proposals, target, check, protect, died = night[:5]
    parts = [f"Night {day}: wolves " + ", ".join(f"Player {w} -> Player {t}" for w, t in proposals)
             + f" (victim Player {target})"]
    if check is not None:
        parts.append(f"seer Player {check[0]} checked Player {check[1]}")
    if protect is not None:
        parts.append(f"doctor Player {protect[0]} protected Player {protect[1]}")
    parts.append(f"Player {died} died" if died >= 0 else "no one died")
    return "; ".join(parts)
