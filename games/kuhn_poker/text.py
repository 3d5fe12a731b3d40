"""What players and spectators read of a Kuhn Poker state: the rules text, each player's
observation text (own card, betting, pot, earlier hands, whose move) and the spectator's
rendering (both cards). Pure functions of the state; the state's hooks call them, so the
state they read is a :class:`~games.kuhn_poker.state.KuhnState`, typed here as the base
:class:`~games.core.State` (this module sits below the state's)."""

from __future__ import annotations

from games.core import State
from games.kuhn_poker.betting import CARDS, LEGAL, OUTCOME, PAST, hand_result

__all__ = ["RULES", "observation_text", "compact_text", "render"]

RULES = """\
Kuhn Poker. The deck has three cards: J < Q < K. Each player antes 1 chip and gets one \
card; the third card stays hidden. The first player may [check] or [bet] (1 chip). \
After a check, the second player may [check] (showdown) or [bet]. Facing a bet, a player \
may [call] (add 1 chip; showdown) or [fold] (give up the pot). At a showdown the higher \
card wins the pot. Your goal is to win as many chips as possible. In a match of several \
hands the first player alternates and chips add up. Answer with exactly one legal action \
in brackets, e.g. [check]."""

_TEXT_CACHE: dict[tuple, str] = {}
"""Observation texts by (hands, player, hand, history, net, past, cards): a text is a pure
function of those, and a one-hand game has only 108. Cleared when it reaches
:data:`_TEXT_CACHE_MAX` entries (long matches have too many positions to keep)."""
_TEXT_CACHE_MAX = 1 << 16


def observation_text(state: State, player: int) -> str:
    """The observation text of ``player`` (cached: the hot path of self-play)."""
    hands = state.game.options.hands
    key = (hands, player, state.hand, state.history, state.net, state.past, state.cards)
    text = _TEXT_CACHE.get(key)
    if text is None:
        if len(_TEXT_CACHE) >= _TEXT_CACHE_MAX:
            _TEXT_CACHE.clear()
        text = _TEXT_CACHE[key] = _build_text(state, player)
    return text


def compact_text(state: State, player: int) -> str:
    """``view=compact``: the same facts as :func:`observation_text` as short codes, one
    hand per line. The current hand is ``<card> <1|2> :<actions>`` (own card, acting
    first or second this hand, the betting so far as words): ``K 2 : check bet``. A match
    of several hands starts with ``<hand>/<hands> <own chips>`` (``2/3 +1``) and lists the
    finished hands as ``<own card>-<opponent's card or ?> : <actions>``. At the end
    ``= <own chips>``. Cached like the text."""
    hands = state.game.options.hands
    key = ("compact", hands, player, state.hand, state.history, state.net, state.past,
           state.cards)
    text = _TEXT_CACHE.get(key)
    if text is None:
        if len(_TEXT_CACHE) >= _TEXT_CACHE_MAX:
            _TEXT_CACHE.clear()
        text = _TEXT_CACHE[key] = _build_compact(state, player)
    return text


def _build_compact(state: State, player: int) -> str:
    hands = state.game.options.hands
    cards = state.cards
    you = state.net if player == 0 else -state.net
    lines = [] if hands == 1 else [f"{state.hand + 1}/{hands} {you:+d}"]
    for h, hist in state.past_hands():
        opp = CARDS[cards[2 * h + 1 - player]] if OUTCOME[hist][1] else "?"
        lines.append(f"{CARDS[cards[2 * h + player]]}-{opp} : {hist.replace(',', ' ')}")
    if state.history not in OUTCOME:  # the current hand is still being played
        pos = 1 if player == state.hand % 2 else 2
        lines.append(f"{CARDS[cards[2 * state.hand + player]]} {pos} :"
                     + "".join(" " + w for w in state.history.split(",") if w))
    if state.is_terminal():
        lines.append(f"= {you:+d}")
    return "\n".join(lines)


def _build_text(state: State, player: int) -> str:
    hands = state.game.options.hands
    lines = ["Kuhn Poker" + (f", hand {state.hand + 1} of {hands}." if hands > 1 else ".")]
    first = state.hand % 2
    pos = "first" if player == first else "second"
    lines.append(f"You are player {player}; you act {pos} this hand.")
    lines.append(f"Your card: {CARDS[state.cards[2 * state.hand + player]]}")
    lines.append(f"Betting this hand: {_betting_words(state, player)}.")
    mine, theirs = in_pot(state, player)
    lines.append(f"Pot: {mine + theirs} chips (you put in {mine}, opponent {theirs}).")
    for h, hist in state.past_hands():
        lines.append(_hand_summary(state, player, h, hist))
    you = state.net if player == 0 else -state.net
    lines.append(f"Match chips so far: you {you:+d}, opponent {-you:+d}.")
    if state.is_terminal():
        lines.append("The match is over.")
    elif state.actor() == player:
        lines.append("Your move. Legal actions: " + ", ".join(LEGAL[state.history]))
    else:
        lines.append(f"Waiting for the opponent (player {1 - player}).")
    return "\n".join(lines)


def _betting_words(state: State, player: int) -> str:
    if not state.history:
        return "no action yet"
    actor = state.hand % 2
    words = []
    for word in state.history.split(","):
        who = "you" if actor == player else "opponent"
        words.append(f"{who} {PAST[word]}")
        actor = 1 - actor
    return ", ".join(words)


def in_pot(state: State, player: int) -> tuple[int, int]:
    """Chips each side has put into the current hand's pot (ante included)."""
    put = [1, 1]
    actor = state.hand % 2
    for word in state.history.split(",") if state.history else ():
        if word in ("bet", "call"):
            put[actor] += 1
        actor = 1 - actor
    return put[player], put[1 - player]


def _hand_summary(state: State, player: int, hand: int, history: str) -> str:
    won = hand_result(state.cards, hand, history) * (1 if player == 0 else -1)
    own = CARDS[state.cards[2 * hand + player]]
    showdown = OUTCOME[history][1]
    opp = f"opponent {CARDS[state.cards[2 * hand + 1 - player]]} (showdown)"
    if not showdown:
        opp = "opponent's card unseen (fold)"
    return (
        f"Hand {hand + 1}: you had {own}, {opp}; betting {history.replace(',', ', ')}; "
        f"you {'won' if won > 0 else 'lost'} {abs(won)}."
    )


def render(state: State) -> str:
    """The spectator's view: both cards, the pot, match chips and earlier hands."""
    hands = state.game.options.hands
    first = state.hand % 2
    put = in_pot(state, 0)
    cards = state.cards
    rows = [
        ("", "player 0", "player 1"),
        ("card", CARDS[cards[2 * state.hand]], CARDS[cards[2 * state.hand + 1]]),
        ("this hand", "first" if first == 0 else "second", "first" if first == 1 else "second"),
        ("in pot", str(put[0]), str(put[1])),
        ("match chips", f"{state.net:+d}", f"{-state.net:+d}"),
    ]
    lines = [f"Kuhn Poker  hand {state.hand + 1} of {hands}"]
    lines += [f"{a:<12}{b:<10}{c}" for a, b, c in rows]
    lines.append("betting: " + (state.history.replace(",", ", ") or "-"))
    for h, hist in enumerate(state.past):
        c0, c1 = CARDS[cards[2 * h]], CARDS[cards[2 * h + 1]]
        result = hand_result(cards, h, hist)
        lines.append(f"hand {h + 1}: {c0} vs {c1}  {hist.replace(',', ', ')}  p0 {result:+d}")
    if state.is_terminal():
        lines.append(f"match over: player 0 {state.net:+d}, player 1 {-state.net:+d}")
    else:
        lines.append(f"to act: player {state.actor()}  " + " ".join(LEGAL[state.history]))
    return "\n".join(lines)
