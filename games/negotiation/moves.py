"""Simple Negotiation's moves: the reply grammar players write, and the structured
observation lines they read, read back (:func:`read_view`).

Replies
-------
Grammar (tags are case-insensitive and may hold spaces inside the brackets: ``[ Offer ]``)::

    reply    := action [ "[say]" message ]          canonical: the action first
              | "[say]" message action              also accepted: the message first
    action   := "[offer]" bundle "->" bundle        give the left bundle for the right one
              | "[accept]" | "[deny]" | "[pass]"
    bundle   := item { "," item }
    item     := count resource                      "2 Wood"; count a whole number >= 1
    resource := Wheat | Wood | Sheep | Brick | Ore  any case; a plural "s" is allowed

How a reply splits into action and message, unambiguously:

- If the reply begins with an action tag, the action runs up to the first ``[say]`` and
  everything after that ``[say]`` is the message (brackets inside it are plain text).
- If it begins with ``[say]``, the action starts at the *last* action tag (``[offer]``,
  ``[accept]``, ``[deny]``, ``[pass]``) and runs to the end; it may not contain ``[say]``.
  Everything between is the message.
- Anything else (text before the first tag, a reply without an action) is refused.

``"->"`` may also be written ``"→"``. A message has its white space folded to single
spaces and may hold at most :data:`MAX_MESSAGE` characters; an empty message is dropped.

Canonical form: the action first, lower-case tags, the items of a bundle in resource order
(Wheat, Wood, Sheep, Brick, Ore) as ``"<count> <Name>"`` joined by ``", "``, then
``" [say] <message>"`` if there is a message::

    [offer] 2 Wood, 1 Ore -> 3 Sheep [say] Fair, no?

Parsing checks syntax only; whether a player can pay is the state's business.

Observation lines
-----------------
The observation text (built in :mod:`games.negotiation.text`) states the numbers on lines that
begin with fixed prefixes (:data:`INVENTORY`, :data:`VALUES`, :data:`OPPONENT`,
:data:`TURNS`, :data:`OFFER`); :func:`read_view` reads them back for scripted agents.
Messages appear only inside history lines, which begin otherwise, so they cannot forge them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from common.text import shorten

from games.core import IllegalAction

__all__ = [
    "RESOURCES", "QUANTITY_RANGE", "VALUE_RANGE", "MAX_MESSAGE", "Bundle", "Move", "parse_reply", "bundle_text", "counts_text",
    "NegotiationView", "read_view", "INVENTORY", "VALUES", "OPPONENT", "TURNS", "OFFER",
]

RESOURCES: tuple[str, ...] = ("Wheat", "Wood", "Sheep", "Brick", "Ore")
"""Resource names, in canonical order; a bundle is a tuple of counts in this order."""

QUANTITY_RANGE = (5, 25)
"""Starting units of each resource, inclusive."""
VALUE_RANGE = (5, 40)
"""Private value per unit, inclusive."""

MAX_MESSAGE = 400
"""Longest message (characters, after white space is folded)."""

MAX_COUNT_DIGITS = 6

Bundle = tuple[int, ...]

_INDEX = {name.lower(): i for i, name in enumerate(RESOURCES)}
_TAG = re.compile(r"\[\s*(offer|accept|deny|pass|say)\s*\]", re.IGNORECASE)
_ITEM = re.compile(r"(\d+)\s*([^\W\d_]+)")
_ARROW = re.compile(r"->|→")
_KNOWN = ", ".join(RESOURCES)

INVENTORY = "Your inventory: "
VALUES = "Your values per unit: "
OPPONENT = "Opponent's inventory: "
TURNS = "Turns left: "
OFFER = "Pending offer from the opponent: you receive "
_SHAPE = "[offer] 2 Wood, 1 Ore -> 3 Sheep, [accept], [deny] or [pass]"


@dataclass(frozen=True)
class Move:
    """One parsed reply. ``give``/``get`` are the proposer's bundles (offers only)."""

    kind: str
    """``"offer"``, ``"accept"``, ``"deny"`` or ``"pass"``."""
    give: Bundle = ()
    get: Bundle = ()
    message: str = ""

    @property
    def action(self) -> str:
        """The canonical action without the message."""
        if self.kind == "offer":
            return f"[offer] {bundle_text(self.give)} -> {bundle_text(self.get)}"
        return f"[{self.kind}]"

    def canonical(self) -> str:
        return f"{self.action} [say] {self.message}" if self.message else self.action


def bundle_text(bundle: Bundle) -> str:
    """``(0, 2, 0, 0, 1)`` -> ``"2 Wood, 1 Ore"``; ``"nothing"`` for an empty bundle."""
    items = [f"{n} {RESOURCES[i]}" for i, n in enumerate(bundle) if n]
    return ", ".join(items) if items else "nothing"


def counts_text(inventory: Bundle) -> str:
    """Every resource with its count, zeros included: ``"12 Wheat, 0 Wood, ..."``."""
    return ", ".join(f"{n} {RESOURCES[i]}" for i, n in enumerate(inventory))


def parse_reply(text: str) -> Move:
    """Parse a whole reply (see the module docstring) or raise :class:`IllegalAction`."""
    if not isinstance(text, str):
        raise IllegalAction(f"a reply must be text such as '[pass]', got {type(text).__name__}")
    reply = text.strip()
    tags = list(_TAG.finditer(reply))
    if not tags or tags[0].start() != 0:
        raise IllegalAction(
            f"a reply must begin with an action ({_SHAPE}) or with [say] <message> "
            f"followed by an action; got {shorten(reply)!r}"
        )
    if tags[0].group(1).lower() == "say":
        return _parse_message_first(reply, tags)
    kind = tags[0].group(1).lower()
    says = [m for m in tags if m.group(1).lower() == "say"]
    if says:
        body, message = reply[tags[0].end() : says[0].start()], reply[says[0].end() :]
    else:
        body, message = reply[tags[0].end() :], ""
    return _build(kind, body, message)


def _parse_message_first(reply: str, tags: list[re.Match[str]]) -> Move:
    actions = [m for m in tags if m.group(1).lower() != "say"]
    if not actions:
        raise IllegalAction(
            f"the message has no action after it: write [say] <message> then one of "
            f"{_SHAPE}, e.g. '[say] Hello [pass]'"
        )
    last = actions[-1]
    if any(m.group(1).lower() == "say" for m in tags if m.start() > last.start()):
        raise IllegalAction(
            "a reply holds one message: after the final action there may be no second "
            "[say]; write '<action> [say] <message>' or '[say] <message> <action>'"
        )
    message = reply[tags[0].end() : last.start()]
    return _build(last.group(1).lower(), reply[last.end() :], message)


def _build(kind: str, body: str, message: str) -> Move:
    message = " ".join(message.split())
    if len(message) > MAX_MESSAGE:
        raise IllegalAction(
            f"the message has {len(message)} characters; at most {MAX_MESSAGE} are "
            "allowed, so shorten it"
        )
    if kind != "offer":
        if body.strip():
            raise IllegalAction(
                f"[{kind}] takes nothing after it (got {shorten(body.strip())!r}); "
                f"put a message after [say]: '[{kind}] [say] <message>'"
            )
        return Move(kind, message=message)
    give, get = _parse_offer(body)
    return Move("offer", give, get, message)


def _parse_offer(body: str) -> tuple[Bundle, Bundle]:
    sides = _ARROW.split(body)
    if len(sides) != 2:
        raise IllegalAction(
            f"an offer needs exactly one '->' between what you give and what you get, "
            f"e.g. '[offer] 2 Wood, 1 Ore -> 3 Sheep'; got {len(sides) - 1} in "
            f"{shorten(body.strip())!r}"
        )
    give = _parse_bundle(sides[0], "give")
    get = _parse_bundle(sides[1], "get")
    both = [RESOURCES[i] for i in range(len(RESOURCES)) if give[i] and get[i]]
    if both:
        raise IllegalAction(
            f"{', '.join(both)} appear(s) on both sides of the offer; a resource may be "
            "given or asked for, not both: net it out on one side"
        )
    return give, get


def _parse_bundle(text: str, side: str) -> Bundle:
    """One side of an offer; ``side`` ("give" or "get") names it in messages."""
    what = "what you give (left of '->')" if side == "give" else "what you get (right of '->')"
    if not text.strip():
        raise IllegalAction(
            f"{what} is empty; list at least one item such as '2 Wood' ({_KNOWN})"
        )
    counts = [0] * len(RESOURCES)
    for raw in text.split(","):
        item = raw.strip()
        match = _ITEM.fullmatch(item)
        if match is None:
            raise IllegalAction(
                f"cannot read {shorten(item)!r} in {what}: write items as '<count> "
                f"<resource>' separated by commas, e.g. '2 Wood, 1 Ore' ({_KNOWN})"
            )
        digits, name = match.groups()
        index = _resource_index(name)
        if len(digits.lstrip("0")) > MAX_COUNT_DIGITS:
            raise IllegalAction(f"the count {shorten(digits)!r} in {what} is far too large")
        count = int(digits)
        if count == 0:
            raise IllegalAction(
                f"{shorten(item)!r} in {what} has count 0; counts must be at least 1, "
                "so leave the resource out"
            )
        if counts[index]:
            raise IllegalAction(
                f"{RESOURCES[index]} is listed twice in {what}; write it once with the "
                f"total, e.g. '{counts[index] + count} {RESOURCES[index]}'"
            )
        counts[index] = count
    return tuple(counts)


def _resource_index(name: str) -> int:
    key = name.lower()
    if key in _INDEX:
        return _INDEX[key]
    if key.endswith("s") and key[:-1] in _INDEX:
        return _INDEX[key[:-1]]
    raise IllegalAction(f"unknown resource {shorten(name)!r}; the resources are {_KNOWN}")


# ----- reading an observation back (scripted agents) -----------------------------------
@dataclass(frozen=True)
class NegotiationView:
    """What one player's observation text states, as numbers."""

    inventory: Bundle
    values: Bundle
    opponent_inventory: Bundle
    offer_receive: Bundle | None
    """What the opponent's pending offer gives this player (None: no offer pending)."""
    offer_give: Bundle | None
    """What accepting it costs this player."""
    turns_left: int
    my_turns_left: int


_COUNT_ITEM = re.compile(r"(\d+) (\w+)")
_VALUE_ITEM = re.compile(r"(\w+) (\d+)")
_TURNS = re.compile(r"(\d+) \((\d+) of them yours\)")


def _line(text: str, prefix: str) -> str | None:
    for line in text.splitlines():
        if line.startswith(prefix):
            return line[len(prefix) :]
    return None


def _pairs(body: str, pattern: re.Pattern[str], count_first: bool) -> Bundle:
    out = [0] * len(RESOURCES)
    for a, b in pattern.findall(body):
        count, name = (a, b) if count_first else (b, a)
        if name in RESOURCES:
            out[RESOURCES.index(name)] = int(count)
    return tuple(out)


def read_view(text: str) -> NegotiationView:
    """Read the numbered lines of an observation text (see the module docstring).
    Raises ValueError on text that is not a negotiation observation."""
    fields = {k: _line(text, k) for k in (INVENTORY, VALUES, OPPONENT, TURNS)}
    absent = [k.strip() for k, v in fields.items() if v is None]
    turns = _TURNS.match(fields[TURNS] or "")
    if absent or turns is None:
        raise ValueError(
            "not a negotiation observation: missing or unreadable line(s) "
            f"{', '.join(absent) or TURNS.strip()}; pass State.observation(p).text"
        )
    offer = _line(text, OFFER)
    receive = give = None
    if offer is not None:
        got, _, rest = offer.partition("; you give ")
        receive = _pairs(got, _COUNT_ITEM, True)
        give = _pairs(rest.split(" (")[0], _COUNT_ITEM, True)
    return NegotiationView(
        inventory=_pairs(fields[INVENTORY], _COUNT_ITEM, True),
        values=_pairs(fields[VALUES], _VALUE_ITEM, False),
        opponent_inventory=_pairs(fields[OPPONENT], _COUNT_ITEM, True),
        offer_receive=receive,
        offer_give=give,
        turns_left=int(turns.group(1)),
        my_turns_left=int(turns.group(2)),
    )
