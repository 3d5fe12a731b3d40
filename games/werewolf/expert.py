"""The rule-based Werewolf player, a pure function of what one player reads: the game's
expert :class:`WerewolfRules` (agents ``expert`` and ``werewolf-rules``).

:func:`read_view` reads an observation's sections back into a :class:`WerewolfView`;
:func:`expert_action` picks the action, one behaviour per role:

- Seer: checks a living player it has not checked; in its speech reveals a living wolf
  it found, or a rival who claims to be the Seer (surely a wolf), as a wolf, else its
  latest unrevealed check as ``not`` (each reveal is a claim to be the Seer); votes for
  a wolf it knows.
- Doctor: protects itself the first night, then the claimed Seer (itself when there is
  none, or whoever is legal).
- Villager: trusts one claimed Seer (one who named a rival claimant as a wolf without
  being named back, else the first) and suspects, in order, players caught lying (two
  role claims, a claim of its own unique role, a reveal against its own checks), that
  Seer's wolves, rival claimants, the most accused; votes the first suspect not cleared
  by that Seer, else the first uncleared player in seat order (so the village votes
  together); speaks to accuse its first suspect.
- Werewolf: kills a claimed Seer first, then a claimed Doctor, else a random non-wolf;
  never votes for a partner (votes the claimed Seer, else the most accused non-wolf);
  when a claimed Seer names a partner or itself, fake-claims by revealing that Seer as
  a wolf; otherwise sometimes accuses a random villager.

A claimed Seer is anyone who said ``[claim seer]`` or revealed a check. Ties go to the
earliest statement. Randomness comes only from the ``rng`` passed in; every action
returned is legal (checked against the observation's legal actions; free speech is
``[say] ...``).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from games.core import Determiniser, Observation
from games.expert import Expert
from games.werewolf.compact import text_view
from games.werewolf.moves import statements

__all__ = ["WerewolfRules", "WerewolfView", "read_view", "expert_action"]

_SEAT = re.compile(r"Player (\d+)")
_YOU = re.compile(r"YOU: Player (\d+), (\w+)")
_CHECK = re.compile(r"  Night \d+: you checked Player (\d+): (werewolf|not a werewolf)\.")
_PROTECT = re.compile(r"  Night \d+: you protected Player (\d+)\.")
_SAID = re.compile(r"  Day \d+, Player (\d+) said: (.*)")


@dataclass
class WerewolfView:
    """One player's knowledge, as read from its observation text."""

    me: int
    role: str
    partners: set[int]
    living: list[int]
    phase: str
    """``night``, ``pack``, ``talk``, ``vote`` or ``over``."""
    legal: tuple[str, ...] | None
    checks: dict[int, bool] = field(default_factory=dict)
    protects: list[int] = field(default_factory=list)
    said: list[tuple[int, tuple]] = field(default_factory=list)
    """Every statement made in speeches, in order: ``(speaker, statement)``."""

    def claimed_seers(self) -> list[int]:
        out: list[int] = []
        for who, (kind, what, _) in self.said:
            if (kind == "claim" and what == "seer") or kind == "reveal":
                if who not in out:
                    out.append(who)
        return out

    def claimed(self, role: str) -> list[int]:
        return list(dict.fromkeys(w for w, (k, r, _) in self.said if k == "claim" and r == role))

    def revealed_wolves(self) -> list[int]:
        """Targets of claimed Seers' wolf reveals, most named first (ties: earliest)."""
        return _ranked([t for w, (k, t, v) in self.said if k == "reveal" and v == "werewolf"])

    def accused(self) -> list[int]:
        return _ranked([t for _, (k, t, v) in self.said
                        if k == "accuse" or (k == "reveal" and v == "werewolf")])


def _ranked(targets: list) -> list[int]:
    counts: dict[int, int] = {}
    for t in targets:
        if isinstance(t, int):
            counts[t] = counts.get(t, 0) + 1
    order = list(counts)
    return sorted(order, key=lambda t: (-counts[t], order.index(t)))


def _phase(state_line: str) -> str:
    if "game over" in state_line:
        return "over"
    if "pack decides" in state_line:
        return "pack"
    if state_line.startswith("STATE: Night"):
        return "night"
    return "talk" if "discussion" in state_line else "vote"


def read_view(text: str, legal: tuple[str, ...] | None) -> WerewolfView:
    """Read a Werewolf observation text; ValueError when it is not one."""
    lines = text.split("\n")
    you = _YOU.match(lines[0]) if lines else None
    if you is None or len(lines) < 2 or not lines[1].startswith("STATE: "):
        raise ValueError("not a werewolf observation (no 'YOU:' and 'STATE:' lines); pass "
                         "State.observation(p).text")
    living_part = lines[1].split("Living", 1)[1].split("Dead:", 1)[0]
    partners = set()
    if "Partner wolves:" in lines[0]:
        partners = {int(x) for x in _SEAT.findall(lines[0].split("Partner wolves:", 1)[1])}
    view = WerewolfView(int(you.group(1)), you.group(2), partners,
                        [int(x) for x in _SEAT.findall(living_part)], _phase(lines[1]), legal)
    section = ""
    for line in lines[2:]:
        if not line.startswith("  "):
            section = line.split(":", 1)[0]
            continue
        if section == "PRIVATE":
            m = _CHECK.match(line) or _PROTECT.match(line)
            if m and m.re is _CHECK:
                view.checks[int(m.group(1))] = m.group(2) == "werewolf"
            elif m:
                view.protects.append(int(m.group(1)))
        elif section == "PUBLIC LOG":
            m = _SAID.match(line)
            if m:
                view.said += [(int(m.group(1)), st) for st in statements(m.group(2))]
    return view


def _pick(options: list[int], rng: random.Random) -> int:
    return options[rng.randrange(len(options))]


def _night(v: WerewolfView, rng: random.Random) -> str:
    legal = v.legal or ()
    targets = [int(_SEAT.search(a).group(1)) for a in legal if _SEAT.search(a)]
    if not targets:
        return legal[0]
    kind = legal[0].split(" ", 1)[0]
    if kind == "[kill":
        for seat in v.claimed_seers() + v.claimed("doctor"):
            if seat in targets:
                return f"[kill Player {seat}]"
        return f"[kill Player {_pick(targets, rng)}]"
    if kind == "[check":
        fresh = [t for t in targets if t not in v.checks]
        return f"[check Player {_pick(fresh or targets, rng)}]"
    wanted = [v.me] if not v.protects else [s for s in v.claimed_seers() if s != v.me] + [v.me]
    for seat in wanted:
        if seat in targets:
            return f"[protect Player {seat}]"
    return f"[protect Player {_pick(targets, rng)}]"


def _statement(v: WerewolfView, rng: random.Random) -> str:
    others = [s for s in v.living if s != v.me]
    if v.role == "seer":
        wolves = [s for s, w in v.checks.items() if w and s in others]
        wolves += [s for s in v.claimed_seers() if s in others]  # a rival Seer is a wolf
        if wolves:
            return f"[reveal Player {wolves[0]} werewolf]"
        told = {t for w, (k, t, _) in v.said if w == v.me and k == "reveal"}
        fresh = [s for s in v.checks if s not in told and s in others]
        return f"[reveal Player {fresh[-1]} not]" if fresh else "[pass]"
    if v.role == "werewolf":
        pack = v.partners | {v.me}
        for seer in v.claimed_seers():
            named = [t for w, (k, t, x) in v.said
                     if w == seer and k == "reveal" and x == "werewolf"]
            if seer in others and seer not in pack and pack & set(named):
                return f"[reveal Player {seer} werewolf]"
        villagers = [s for s in others if s not in pack]
        if villagers and rng.random() < 0.25:
            return f"[accuse Player {_pick(villagers, rng)}]"
        return "[pass]"
    suspects = [s for s in _suspects(v) if s in others]
    return f"[accuse Player {suspects[0]}]" if suspects else "[pass]"


def _liars(v: WerewolfView) -> list[int]:
    """Players whose statements cannot all be true: two different role claims, a claim
    of my own unique role, or a reveal that contradicts my own checks."""
    roles: dict[int, set[str]] = {}
    liars: list[int] = []
    for who, (kind, what, verdict) in v.said:
        if who == v.me:
            continue
        claim = what if kind == "claim" else ("seer" if kind == "reveal" else None)
        if claim is not None:
            roles.setdefault(who, set()).add(claim)
        wrong = kind == "reveal" and what in v.checks and v.checks[what] != (verdict == "werewolf")
        if wrong or (claim is not None and claim == v.role and v.role in ("seer", "doctor")):
            liars.append(who)
    liars += [w for w, claimed in roles.items() if len(claimed) > 1]
    return list(dict.fromkeys(liars))


def _trusted_seer(v: WerewolfView, liars: list[int]) -> int:
    if v.role == "seer":
        return v.me
    claimants = [s for s in v.claimed_seers() if s not in liars]
    named = {(w, t) for w, (k, t, x) in v.said if k == "reveal" and x == "werewolf"}
    for seat in claimants:  # a claimant who named a rival as a wolf, unanswered
        if any((seat, r) in named and (r, seat) not in named for r in claimants):
            return seat
    return claimants[0] if claimants else -1


def _suspects(v: WerewolfView) -> list[int]:
    """Village suspicion, most suspect first: my own wolf checks, liars, the trusted
    Seer's wolf reveals, then the most accused."""
    liars = _liars(v)
    seer = _trusted_seer(v, liars)
    told = [t for w, (k, t, x) in v.said if w == seer and k == "reveal" and x == "werewolf"]
    mine = [s for s, w in v.checks.items() if w]
    rivals = [s for s in v.claimed_seers() if s != seer and seer >= 0]
    return list(dict.fromkeys(mine + liars + told + rivals))


def _speech(v: WerewolfView, rng: random.Random) -> str:
    said = _statement(v, rng)
    if v.legal is None:
        return "[say]" if said == "[pass]" else f"[say] {said}"
    return said if said in v.legal else "[pass]"


def _village_vote(v: WerewolfView, others: list[int]) -> list[int]:
    liars = _liars(v)
    seer = _trusted_seer(v, liars)
    cleared = {s for s, w in v.checks.items() if not w} | {seer}
    cleared |= {t for w, (k, t, x) in v.said if w == seer and k == "reveal" and x == "not"}
    ranked = [s for s in _suspects(v) + v.accused() if s in others and s not in cleared]
    pool = [s for s in others if s not in cleared] or others
    return ranked + pool


def _vote(v: WerewolfView, rng: random.Random) -> str:
    others = [s for s in v.living if s != v.me]
    if v.role == "werewolf":
        pool = [s for s in others if s not in v.partners]
        ranked = [s for s in v.claimed_seers() + v.accused() if s in pool]
        if ranked:
            return f"[vote Player {ranked[0]}]"
        return f"[vote Player {_pick(pool, rng)}]" if pool else "[vote none]"
    ranked = _village_vote(v, others)
    return f"[vote Player {ranked[0]}]" if ranked else "[vote none]"


def expert_action(v: WerewolfView, rng: random.Random) -> str:
    """The rule-based action for this view (legal by construction)."""
    if v.phase in ("night", "pack"):
        action = _night(v, rng)
    elif v.phase == "talk":
        action = _speech(v, rng)
    else:
        action = _vote(v, rng)
    if v.legal is not None and action not in v.legal:
        return v.legal[rng.randrange(len(v.legal))]
    return action


class WerewolfRules(Expert):
    """:func:`expert_action` on the observation read back (either view)."""

    name = "werewolf-rules"

    def act(self, obs: Observation, rng: random.Random,
            determiniser: Determiniser | None = None) -> tuple[str, None]:
        view = read_view(text_view(obs.text, obs.legal_actions), obs.legal_actions)
        return expert_action(view, rng), None
