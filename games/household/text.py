"""Household text: what an agent reads and writes. Feedback templates, the rules, free-text
commands to canonical form; the observation text, the information state and the viewer's
board (the state they read is a :class:`~games.household.state.HouseholdState`, typed as
the base :class:`~games.core.State`: this module sits below the state's).

Canonical commands (lower case, one space, no articles, in brackets as every finite
action of the arena: ``[go to cabinet 3]``; the shared parser reads ``\\boxed{go to cabinet
3}`` or ``[Go to  cabinet 3]`` as that)::

    look | inventory | go to R | open R | close R | examine X | use L
    take O from R | put O in/on R | heat O with R | cool O with R | clean O with R

:func:`canonical_command` turns what a person or a model typed ("Take the Apple 1 from
countertop  1", "put mug 1 on the cabinet 2") into that form: case and spacing folded,
the articles ``a``/``an``/``the`` dropped, ``put O in R`` and ``put O on R`` written
``put O in/on R``. Whether the command is admissible now is the rules' business.

The information state (:func:`knowledge`) is machine-readable knowledge, one ``key=value`` field per ``|``::

    household|task=heat,mug,cabinet,|step=3|seat=0|at=countertop 1|hold=|other=,|
    recs=cabinet 1;cabinet 2;...|open=cabinet 2|seen=countertop 1:mug 1,knife 2;cabinet 2:|
    hot=|cool=|clean=|lit=

``seen`` lists every receptacle the team has seen with its contents now (only agents move
objects, so this is what the agents know); ``at``/``hold`` are empty in the middle of the
room / with empty hands. :func:`games.household.expert.read_knowledge` reads it back.
"""

from __future__ import annotations

import re
from typing import Sequence

from games.core import IllegalAction, State

__all__ = ["RULES", "GRAMMAR", "NOTHING", "canonical_command", "listing", "contents_line",
           "object_phrase", "observation_text", "compact_text", "knowledge", "render"]

NOTHING = "Nothing happens."
GRAMMAR = ("look | inventory | go to R | open R | close R | examine X | use L | "
           "take O from R | put O in/on R | heat O with microwave R | cool O with fridge R "
           "| clean O with sinkbasin R  (R, O, L: names with numbers, e.g. cabinet 3)")

RULES = f"""Household: you are a helper in a house; do the task stated in the first
observation ("Your task is to: put a hot mug in cabinet.") within the step limit.
Receptacles (cabinet 3, countertop 1, fridge 1...) are listed at the start; what is in or
on one you see only when you are at it, and a closed one (cabinet, drawer, fridge,
microwave, safe, box start closed) must be opened first. "go to R" takes one step from
anywhere. You hold at most one object. Heat with a microwave, cool with a fridge, clean
with a sinkbasin (being at it, holding the object). To look at something under a lamp,
hold it where the lamp stands and turn the lamp on (use). "put two X in Y" needs two of
them in one Y. Any cabinet counts for "in cabinet". Success scores 1, anything else 0.
Commands: {GRAMMAR}. Anything else: "{NOTHING}"
"""

_ARTICLES = re.compile(r"\b(a|an|the|some)\b")
_SPACES = re.compile(r"\s+")
_VERBS = ("look", "inventory", "go to ", "open ", "close ", "examine ", "use ", "take ",
          "put ", "heat ", "cool ", "clean ")


def _article(name: str) -> str:
    return "an" if name[0] in "aeiou" else "a"


def listing(names: Sequence[str]) -> str:
    """``"a mug 1, a knife 2, and an apple 1"``; ``"nothing"`` when empty."""
    if not names:
        return "nothing"
    items = [f"{_article(n)} {n}" for n in names]
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + ", and " + items[-1]


def contents_line(receptacle: str, preposition: str, names: Sequence[str]) -> str:
    return f"{preposition.capitalize()} the {receptacle}, you see {listing(names)}."


def object_phrase(name: str, hot: bool, cold: bool, clean: bool) -> str:
    states = [s for s, on in (("hot", hot), ("cool", cold), ("clean", clean)) if on]
    return f"{name} ({', '.join(states)})" if states else name


def canonical_command(text: str) -> str:
    """The canonical form of a typed command, or :class:`IllegalAction` ("Nothing
    happens.") when it is no command of the grammar."""
    s = _ARTICLES.sub(" ", text.lower().replace("\\boxed{", " ").strip(" []{}.!\n\t"))
    s = _SPACES.sub(" ", s).strip()
    if s.startswith("put ") and " in/on " not in s:
        for prep in (" in ", " on ", " into ", " onto "):
            if prep in s:
                head, _, tail = s.partition(prep)
                s = f"{head} in/on {tail}"
                break
    if s in ("look", "inventory") or (s.startswith(_VERBS[2:]) and len(s.split()) >= 3):
        return f"[{s}]"
    raise IllegalAction(f"{NOTHING} {text.strip()[:60]!r} is not a command; commands: "
                        f"{GRAMMAR}")


# ----- what an agent sees, and the viewer's board ------------------------------------
def _where(s: State, p: int) -> str:
    r = s.loc[p]
    return "in the middle of the room" if r < 0 else f"at {s.lay.world.receptacles[r]}"


def _holding(s: State, p: int) -> str:
    o = s.hold[p]
    return "nothing" if o < 0 else s._phrase(o)


def observation_text(s: State, p: int) -> str:
    limit = s.game.options.max_steps
    command, feedback = s.last[p]
    lines = [s.lay.task_line,
             f"Step {s.step} of {limit}. You are {_where(s, p)}, holding {_holding(s, p)}."]
    if len(s.loc) > 1:
        q = 1 - p
        lines.append(f"The other agent (agent_{q}) is {_where(s, q)}, holding "
                     f"{_holding(s, q)}.")
    if s.game.options.memory:
        lines.append(_memory_line(s))
    for earlier, said in s.log[p]:  # option history: earlier exchanges, oldest first
        lines += ([f"> {earlier}"] if earlier else []) + [said]
    if command:
        lines.append(f"> {command}")
    lines.append(feedback)
    if s.success:
        lines.append("You have completed the task.")
    legal = s._legal_now(p)
    if legal:
        lines.append("Admissible commands: " + ", ".join(legal) + ".")
    return "\n".join(lines)


def compact_text(s: State, p: int) -> str:
    """``view=compact``: what the agent knows (its information state, :func:`knowledge`)
    as short lines, whatever ``history`` and ``memory`` say::

        task heat mug cabinet
        step 3/50 at countertop 1 hold -
        room cabinet 1, cabinet 2, countertop 1, fridge 1
        open cabinet 2
        seen countertop 1: mug 1, knife 2 ; cabinet 2: -
        hot - ; cool - ; clean - ; lit -

    (two agents: an ``other`` line with where the other agent is and what it holds; at the
    end ``done`` once the task is complete)."""
    w = s.lay.world
    recs, objs, task = w.receptacles, w.objects, w.task
    contents: dict[int, list[str]] = {r: [] for r in range(len(recs)) if s.seen >> r & 1}
    for o, r in enumerate(s.obj_loc):
        if r in contents:
            contents[r].append(objs[o])
    known = sum(1 << o for o, r in enumerate(s.obj_loc) if r in contents or r < 0)

    def at(q: int) -> str:
        return (f"at {'-' if s.loc[q] < 0 else recs[s.loc[q]]} "
                f"hold {'-' if s.hold[q] < 0 else objs[s.hold[q]]}")

    def names(pool: tuple[str, ...], mask: int) -> str:
        return ", ".join(n for i, n in enumerate(pool) if mask >> i & 1) or "-"

    lines = [" ".join(x for x in ("task", task.kind, task.obj, task.target, task.lamp) if x),
             f"step {s.step}/{s.game.options.max_steps} {at(p)}"]
    if len(s.loc) > 1:
        lines.append(f"other {at(1 - p)}")
    lines += [f"room {', '.join(recs)}", f"open {names(recs, s.opened & s.seen)}",
              "seen " + (" ; ".join(f"{recs[r]}: {', '.join(held) or '-'}"
                                    for r, held in contents.items()) or "-"),
              f"hot {names(objs, s.hot & known)} ; cool {names(objs, s.cold & known)} ; "
              f"clean {names(objs, s.clean & known)} ; lit {names(objs, s.lit & known)}"]
    if s.success:
        lines.append("done")
    return "\n".join(lines)


def _memory_line(s: State) -> str:
    """``memory=true``: each receptacle seen so far with what is in/on it now (only agents
    move objects, so this is known), in the order first listed in the room."""
    w = s.lay.world
    if not s.seen:
        return "You remember: nothing seen yet."
    held: dict[int, list[str]] = {r: [] for r in range(len(w.receptacles)) if s.seen >> r & 1}
    for o, r in enumerate(s.obj_loc):
        if r in held:
            held[r].append(s._phrase(o))
    parts = [f"{w.receptacles[r]}: {', '.join(objs) if objs else 'nothing'}"
             for r, objs in held.items()]
    return "You remember: " + "; ".join(parts) + "."


def _names(names: tuple[str, ...], mask: int) -> str:
    return ",".join(n for i, n in enumerate(names) if mask >> i & 1)


def knowledge(s: State, p: int) -> str:
    w = s.lay.world
    recs = w.receptacles
    task = w.task
    contents: dict[int, list[str]] = {r: [] for r in range(len(recs)) if s.seen >> r & 1}
    for o, r in enumerate(s.obj_loc):
        if r in contents:
            contents[r].append(w.objects[o])
    seen = ";".join(f"{recs[r]}:{','.join(objs)}" for r, objs in contents.items())
    q = len(s.loc) - 1 - p
    other = (f"{'' if s.loc[q] < 0 else recs[s.loc[q]]},"
             f"{'' if s.hold[q] < 0 else w.objects[s.hold[q]]}") if len(s.loc) > 1 else ","
    known = sum(1 << o for o, r in enumerate(s.obj_loc) if r in contents or r < 0)
    objs = w.objects
    return (f"household|task={task.kind},{task.obj},{task.target},{task.lamp}|step={s.step}"
            f"|seat={p}|at={'' if s.loc[p] < 0 else recs[s.loc[p]]}"
            f"|hold={'' if s.hold[p] < 0 else objs[s.hold[p]]}|other={other}"
            f"|recs={';'.join(recs)}|open={_names(recs, s.opened & s.seen)}|seen={seen}"
            f"|hot={_names(objs, s.hot & known)}|cool={_names(objs, s.cold & known)}"
            f"|clean={_names(objs, s.clean & known)}|lit={_names(objs, s.lit & known)}")


def render(s: State) -> str:
    """The whole truth for the viewer: task, step, agents, every receptacle's state and
    contents (``>`` marks where an agent stands), and the outcome at the end."""
    w = s.lay.world
    limit = s.game.options.max_steps
    rows = [f"Household ({w.room}), step {s.step} of {limit}",
            f"Task: {w.task.text()}"]
    for p in range(len(s.loc)):
        who = "agent" if len(s.loc) == 1 else f"agent_{p}"
        rows.append(f"{who}: {_where(s, p)}, holding {_holding(s, p)}")
    for r, name in enumerate(w.receptacles):
        mark = ">" if r in s.loc else " "
        status = ""
        if w.openable >> r & 1:
            status = " [open]" if s.opened >> r & 1 else " [closed]"
        objs = [s._phrase(o) for o, at in enumerate(s.obj_loc) if at == r]
        lit = [w.objects[o] for o, at in enumerate(s.obj_loc) if at == r and s.lit >> o & 1]
        extra = f" (lit: {', '.join(lit)})" if lit else ""
        rows.append(f" {mark} {name}{status}: {listing(objs)}{extra}")
    if s.is_terminal():
        rows.append("Task completed." if s.success else "Out of steps: task failed.")
    return "\n".join(rows)
