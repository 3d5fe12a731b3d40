"""What a Simple Negotiation player reads, in either view, built from pieces kept between steps.

An observation text is five pieces of whole lines, joined by newlines:

- lead: who the player is and the turns left (``You are player 0 (first) in Simple
  Negotiation.`` / ``Turns left: 10 (5 of them yours) of 10.``), and
- final: whose turn it is or that the game is over; both one per (turn, player), kept in
  the game (``game.frames``, :func:`frame_row`);
- head: own inventory, own values per unit, own inventory value now and at the start,
  the opponent's inventory: kept in the state for its inventories, values and starting
  inventories (:func:`keep_head`), so rebuilt only after a trade;
- pending: the pending offer, its texts kept per offer and view (:func:`pending_texts`),
  only the opponent's value change formatted per step;
- log: ``History:`` and a line per move, kept in the state and extended by one line per
  move (:func:`keep_log`, each line's head read from a table per move index), with the
  moves of the information state beside it.

A kept piece is stored with the fields it was built from and used only while the state
still holds those very objects (fields are immutable tuples; replacing one makes the piece
rebuild), so nothing kept can go stale.

``view=compact``: :data:`COMPACT` rewrites each fixed phrase line by line (its one
two-line rule stays inside the head), so the compact text is the pieces' compact forms
joined the same way. Tests hold every observation equal to one built afresh from the
state's fields (:func:`fresh_text`) and the compact one to ``COMPACT.compact`` of it.

The state these functions read is a :class:`~games.negotiation.state.NegotiationState`,
typed as the base :class:`~games.core.State` (this module sits below the state's).
"""

from __future__ import annotations

import operator
import re
from typing import Any

from games.core import Observation, State, observation_of
from games.phrasebook import Phrasebook
from games.negotiation.moves import (
    INVENTORY, OFFER, OPPONENT, RESOURCES, TURNS, VALUES, Bundle, bundle_text, counts_text,
)

__all__ = ["GRAMMAR", "COMPACT", "TEXT_VIEW_START", "ROLES", "value_of", "frames",
           "observe", "information_state", "fresh_text", "fresh_information_state"]

ROLES = ("first", "second")

GRAMMAR = (
    "Reply with exactly one action, optionally followed by a message: "
    "[offer] 2 Wood, 1 Ore -> 3 Sheep (give the left for the right) | [accept] | [deny] | "
    "[pass], then optionally [say] <message to the opponent>. "
    "Example: \\boxed{[offer] 2 Wood -> 1 Ore [say] Wood for Ore?}"
)

COMPACT = Phrasebook([
    (r"^You are player (\d) \((first|second)\) in Simple Negotiation\.$", r"P\1 \2",
     r"^P(\d) (first|second)$", r"You are player \1 (\2) in Simple Negotiation."),
    (r"^Turns left: (\d+) \((\d+) of them yours\) of (\d+)\.$", r"turns \1 \2 /\3",
     r"^turns (\d+) (\d+) /(\d+)$", r"Turns left: \1 (\2 of them yours) of \3."),
    (r"^Your inventory: ", "have ", r"^have ", "Your inventory: "),
    (r"^Your values per unit: ", "values ", r"^values ", "Your values per unit: "),
    (r"^Your inventory value: (-?\d+) \(at the start (-?\d+), change ([+-]\d+)\)$",
     r"worth \1 \2 \3", r"^worth (-?\d+) (-?\d+) ([+-]\d+)$",
     r"Your inventory value: \1 (at the start \2, change \3)"),
    (r"^Opponent's inventory: (.*)\nThe opponent's values are private\.$", r"opp \1",
     r"^opp (.*)$", "Opponent's inventory: \\1\nThe opponent's values are private."),
    (r"^Pending offer: none\.$", "offer -", r"^offer -$", "Pending offer: none."),
    (r"^Pending offer from the opponent: you receive (.*); you give (.*) \(your value "
     r"changes by ([+-]\d+) if you accept\)\.$", r"offer in \1 ; out \2 ; \3",
     r"^offer in (.*) ; out (.*) ; ([+-]\d+)$", r"Pending offer from the opponent: you "
     r"receive \1; you give \2 (your value changes by \3 if you accept)."),
    (r"^Your pending offer: you give (.*); you get (.*) \(waiting for the opponent\)\.$",
     r"mine out \1 ; in \2", r"^mine out (.*) ; in (.*)$",
     r"Your pending offer: you give \1; you get \2 (waiting for the opponent)."),
    (r"^History: no moves yet\.$", "log -", r"^log -$", "History: no moves yet."),
    (r"^History:$", "log:", r"^log:$", "History:"),
    (r"^  Turn (\d+), (you|opponent): ", r"  \1 \2: ", r"^  (\d+) (you|opponent): ",
     r"  Turn \1, \2: "),
    ("^It is your turn. " + re.escape(GRAMMAR) + "$", "now", r"^now$",
     lambda m, legal: "It is your turn. " + GRAMMAR),
    (r"^It is the opponent's turn\.$", "wait", r"^wait$", "It is the opponent's turn."),
    (r"^The game is over\.$", "over", r"^over$", "The game is over."),
])
"""``view=compact``: each fixed phrase of the text view as a short code, e.g.
``P0 first / turns 10 5 /10 / have 6 Wheat, ... / values Wheat 24, ... / worth 679 679 +0 /
opp 18 Wheat, ... / offer - / log - / now``; ``COMPACT.expand`` gives the text view back
exactly (messages and moves stay verbatim)."""

TEXT_VIEW_START = "You are player "
"""How every text-view observation begins (a reader skips :data:`COMPACT`'s expansion)."""

_NO_OFFER = {"text": "Pending offer: none.", "compact": "offer -"}
_NO_MOVES = {"text": "History: no moves yet.", "compact": "log -"}
_HISTORY = {"text": "History:", "compact": "log:"}
_MOVE_LINE = {"text": "\n  Turn {}, {}: {}", "compact": "\n  {} {}: {}"}
"""A history line after a newline, from (turn number, ``you``/``opponent``, reply)."""

_BUNDLES: dict[Bundle, str] = {}
"""Bundle texts by bundle (offers repeat: random play has a few hundred)."""
_MAX_BUNDLES = 1 << 14


def value_of(inventory: Bundle, values: Bundle) -> int:
    """Total value of ``inventory`` at ``values`` per unit."""
    return sum(map(operator.mul, inventory, values))


def bundle(items: Bundle) -> str:
    """:func:`~games.negotiation.moves.bundle_text`, each bundle's text built once."""
    text = _BUNDLES.get(items)
    if text is None:
        if len(_BUNDLES) >= _MAX_BUNDLES:
            _BUNDLES.clear()
        text = _BUNDLES[items] = bundle_text(items)
    return text


# ----- the pieces, each a function of the state's fields -------------------------------
def frame(turns: int, turn: int, player: int, view: str) -> tuple[str, str]:
    """(lead, final) of ``player`` at ``turn`` of a game of ``turns``."""
    left = max(0, turns - turn)
    mine_left = (left + (1 if turn % 2 == player else 0)) // 2
    lead = (f"You are player {player} ({ROLES[player]}) in Simple Negotiation.\n"
            f"{TURNS}{left} ({mine_left} of them yours) of {turns}.")
    if turn >= turns:
        final = "The game is over."
    elif turn % 2 == player:
        final = f"It is your turn. {GRAMMAR}"
    else:
        final = "It is the opponent's turn."
    if view == "compact":
        return COMPACT.compact(lead), COMPACT.compact(final)
    return lead, final


def head(inventory: tuple[Bundle, Bundle], values: tuple[Bundle, Bundle],
         start: tuple[Bundle, Bundle], player: int, view: str) -> tuple[str, str]:
    """(head piece, information-state prefix ``p<player>|values=..|start=..|``)."""
    own = values[player]
    now, was = value_of(inventory[player], own), value_of(start[player], own)
    text = "\n".join([
        f"{INVENTORY}{counts_text(inventory[player])}",
        VALUES + ", ".join(f"{RESOURCES[i]} {v}" for i, v in enumerate(own)),
        f"Your inventory value: {now} (at the start {was}, change {now - was:+d})",
        f"{OPPONENT}{counts_text(inventory[1 - player])}",
        "The opponent's values are private.",
    ])
    return (COMPACT.compact(text) if view == "compact" else text), _info_prefix(
        values, start, player)


def _info_prefix(values: tuple[Bundle, Bundle], start: tuple[Bundle, Bundle],
                 player: int) -> str:
    own = ",".join(map(str, values[player]))
    starts = ";".join(",".join(map(str, inv)) for inv in start)
    return f"p{player}|values={own}|start={starts}|"


_COUNTS = ", ".join(f"%s {name}" for name in RESOURCES)
_VALUES = {"text": VALUES, "compact": "values "}
_VALUES_LINE = ", ".join(f"{name} %s" for name in RESOURCES)
_NUMBERS = ",".join(["%s"] * len(RESOURCES))
_STARTS = f"{_NUMBERS};{_NUMBERS}"
_PREFIX = f"p%s|values={_NUMBERS}|start=%s|"
"""``%`` templates of a bundle's counts (as :func:`counts_text`), of a values line, of a
bundle's numbers, of both starting inventories and of the information state's prefix
(:func:`_info_prefix`; ``%s`` formats a number as ``str`` and ``{}`` do)."""


def _seats(values: tuple[Bundle, Bundle], start: tuple[Bundle, Bundle],
           view: str) -> tuple[tuple[str, int, str], ...]:
    """Per player what the values and starting inventories fix for the whole game: (own
    values line, own inventory value at the start, information-state prefix)."""
    (v0, v1), (s0, s1) = values, start
    starts = _STARTS % (*s0, *s1)
    lead = _VALUES[view]
    return ((lead + _VALUES_LINE % v0, value_of(s0, v0), _PREFIX % (0, *v0, starts)),
            (lead + _VALUES_LINE % v1, value_of(s1, v1), _PREFIX % (1, *v1, starts)))


_HEAD = {"text": (f"{INVENTORY}%s\n%s\nYour inventory value: %d (at the start %d, change "
                  f"%+d)\n{OPPONENT}%s\nThe opponent's values are private."),
         "compact": "have %s\n%s\nworth %d %d %+d\nopp %s"}
"""``%`` templates of :func:`head`'s text from (own counts, own values line, own value now,
at the start, the change, the opponent's counts); ``%d`` writes an int as ``{}`` does."""


def _heads(inventory: tuple[Bundle, Bundle], values: tuple[Bundle, Bundle],
           seats: tuple[tuple[str, int, str], ...], view: str) -> tuple[str, str]:
    """:func:`head` of both players from :func:`_seats`, each count formatted once."""
    c0, c1 = _COUNTS % inventory[0], _COUNTS % inventory[1]
    (line0, was0, _), (line1, was1, _) = seats
    now0, now1 = value_of(inventory[0], values[0]), value_of(inventory[1], values[1])
    template = _HEAD[view]
    return (template % (c0, line0, now0, was0, now0 - was0, c1),
            template % (c1, line1, now1, was1, now1 - was1, c0))


def pending_line(pending: tuple[int, Bundle, Bundle] | None, own: Bundle, player: int,
                 view: str) -> str:
    """The pending-offer line of ``player``, whose values per unit are ``own``."""
    if pending is None:
        return _NO_OFFER[view]
    proposer, give, get = pending
    if proposer == player:
        if view == "compact":
            return f"mine out {bundle(give)} ; in {bundle(get)}"
        return (f"Your pending offer: you give {bundle(give)}; you get {bundle(get)} "
                "(waiting for the opponent).")
    change = value_of(give, own) - value_of(get, own)
    if view == "compact":
        return f"offer in {bundle(give)} ; out {bundle(get)} ; {change:+d}"
    return (f"{OFFER}{bundle(give)}; you give {bundle(get)} "
            f"(your value changes by {change:+d} if you accept).")


def log_pieces(history: tuple[tuple[int, str], ...], view: str) -> tuple[str, str, str]:
    """(log of player 0, log of player 1, the moves of the information state)."""
    if not history:
        return _NO_MOVES[view], _NO_MOVES[view], ""
    line = _MOVE_LINE[view].format
    logs = ["".join(line(i + 1, "you" if who == p else "opponent", reply)
                    for i, (who, reply) in enumerate(history)) for p in (0, 1)]
    moves = ";".join(f"{who}:{reply}" for who, reply in history)
    return _HISTORY[view] + logs[0], _HISTORY[view] + logs[1], moves


def fresh_text(s: State, player: int, view: str = "text") -> str:
    """The observation text of ``player`` built afresh from the state's fields (nothing
    kept is read): the reference the kept pieces are tested against."""
    lead, final = frame(s.game.options.turns, s.turn, player, view)
    log = log_pieces(s.history, view)[player]
    return "\n".join([lead, head(s.inventory, s.values, s.start, player, view)[0],
                      pending_line(s.pending, s.values[player], player, view), log, final])


def fresh_information_state(s: State, player: int) -> str:
    """The information state of ``player`` built afresh (the reference, as above)."""
    return _info_prefix(s.values, s.start, player) + ";".join(
        f"{who}:{reply}" for who, reply in s.history)


# ----- the kept pieces ------------------------------------------------------------------
def frames(turns: int) -> list[Any]:
    """A game's table of (lead, final) per turn and player, filled by :func:`frame_row`."""
    return [None] * (turns + 1)


def frame_row(game: Any, turn: int) -> tuple[tuple[str, str], tuple[str, str]]:
    """((lead, final) of player 0, of player 1) at ``turn``, kept in ``game.frames``."""
    turns = game.options.turns
    row = (frame(turns, turn, 0, game.view), frame(turns, turn, 1, game.view))
    if 0 <= turn <= turns:
        game.frames[turn] = row
    return row


def keep_head(s: State) -> tuple[Any, ...]:
    """Keep both players' heads, ``s._head = (inventory, values, start, view, seats,
    heads)`` (:func:`_seats`, :func:`_heads`): the seats are built again only when the
    values, starting inventories or view are not those kept."""
    kept = s._head
    inventory, values, start, view = s.inventory, s.values, s.start, s.game.view
    if kept is not None and kept[1] is values and kept[2] is start and kept[3] == view:
        seats = kept[4]
    else:
        seats = _seats(values, start, view)
    s._head = (inventory, values, start, view, seats, _heads(inventory, values, seats, view))
    return s._head


def keep_log(s: State) -> tuple[Any, ...]:
    """Keep :func:`log_pieces` of the state's history with that history and view,
    ``s._log = (history, view, (log of player 0, of player 1, moves))``: the kept pieces
    extended by the moves made since (each line's head read from :func:`line_heads`), or
    built afresh when the history does not extend them."""
    kept, history, view = s._log, s.history, s.game.view
    if (kept is None or kept[1] != view or not history
            or history[:len(kept[0])] != kept[0]):  # also when the history is shorter
        return _keep(s, history, view, log_pieces(history, view))
    done = len(kept[0])
    if done:
        log0, log1, moves = kept[2]
    else:  # from no moves yet: the heading alone
        log0 = log1 = _HISTORY[view]
        moves = ""
    heads = _LINE_HEADS[view]
    if len(heads) < len(history):
        heads = line_heads(view, len(history))
    for i in range(done, len(history)):
        who, reply = history[i]
        if who.__class__ is not int or who >> 1:  # not a seat: as log_pieces writes it
            return _keep(s, history, view, log_pieces(history, view))
        head0, head1, sep = heads[i][who]
        log0 = f"{log0}{head0}{reply}"
        log1 = f"{log1}{head1}{reply}"
        moves = f"{moves}{sep}{reply}"
    pieces = (log0, log1, moves)
    return _keep(s, history, view, pieces)


def _keep(s: State, history: tuple, view: str, pieces: tuple) -> tuple:
    s._log = (history, view, pieces)
    return s._log


_LINE_HEADS: dict[str, list[tuple[tuple[str, str, str], ...]]] = {"text": [], "compact": []}
"""Per view and move index, per mover: (the head of the history line player 0 reads, that
player 1 reads, the separator and mover of the information state's moves)."""


def line_heads(view: str, moves: int) -> list[tuple[tuple[str, str, str], ...]]:
    """:data:`_LINE_HEADS` of ``view``, extended to at least ``moves`` moves (strings as
    :func:`log_pieces` builds them)."""
    heads, line = _LINE_HEADS[view], _MOVE_LINE[view].format
    for i in range(len(heads), moves):
        heads.append(tuple((line(i + 1, "you" if who == 0 else "opponent", ""),
                            line(i + 1, "you" if who == 1 else "opponent", ""),
                            f"{';' if i else ''}{who}:") for who in (0, 1)))
    return heads


def observe(s: State, player: int) -> Observation:
    """The observation of ``player`` (0 or 1), as :meth:`State.observation` builds it:
    its text in the game's view and information state from the kept pieces, each first
    checked against the fields it was built from."""
    game = s.game
    view, turn, rows = game.view, s.turn, game.frames
    row = rows[turn] if 0 <= turn < len(rows) else None
    if row is None:
        row = frame_row(game, turn)
    kept = s._head
    if (kept is None or kept[0] is not s.inventory or kept[1] is not s.values
            or kept[2] is not s.start or kept[3] != view):
        kept = keep_head(s)
    log = s._log
    if log is None or log[0] is not s.history or log[1] != view:
        log = keep_log(s)
    lead, final = row[player]
    pending = s.pending
    if pending is None:
        pending = _NO_OFFER[view]
    else:
        texts = _PENDING[view].get(pending)
        if texts is None:
            texts = pending_texts(pending, view)
        if pending[0] == player:
            pending = texts[0]
        else:
            pending = f"{texts[1]}{sum(map(operator.mul, texts[3], s.values[player])):+d}{texts[2]}"
    logs = log[2]
    return observation_of((
        game.info.id, player, ROLES[player], turn,
        f"{lead}\n{kept[5][player]}\n{pending}\n{logs[player]}\n{final}",
        None if turn < game.options.turns and turn & 1 == player else (), game.rules,
        kept[4][player][2] + logs[2], None))


_PENDING: dict[str, dict[tuple, tuple[str, str, str, tuple[int, ...]]]] = {
    "text": {}, "compact": {}}
"""Per view, by pending offer ``(proposer, give, get)``: :func:`pending_texts`."""
_MAX_PENDING = 1 << 14


def pending_texts(pending: tuple[int, Bundle, Bundle],
                  view: str) -> tuple[str, str, str, tuple[int, ...]]:
    """Kept in :data:`_PENDING`: (the proposer's pending line, the opponent's line before
    and after its value change, the change per unit of each resource), so that
    :func:`pending_line` of the opponent is ``before + f"{change:+d}" + after``."""
    kept = _PENDING[view]
    if len(kept) >= _MAX_PENDING:
        kept.clear()
    proposer, give, get = pending
    theirs = pending_line(pending, (0,) * len(give), 1 - proposer, view)
    cut = theirs.rindex("+0")
    texts = kept[pending] = (pending_line(pending, (), proposer, view), theirs[:cut],
                             theirs[cut + 2:], tuple(g - r for g, r in zip(give, get)))
    return texts


def information_state(s: State, player: int) -> str:
    """The information state of ``player`` (0 or 1) from the kept pieces (checked as in
    :func:`observe`)."""
    kept, log = s._head, s._log
    if (kept is None or kept[0] is not s.inventory or kept[1] is not s.values
            or kept[2] is not s.start or kept[3] != s.game.view):
        kept = keep_head(s)
    if log is None or log[0] is not s.history or log[1] != s.game.view:
        log = keep_log(s)
    return kept[4][player][2] + log[2][2]
