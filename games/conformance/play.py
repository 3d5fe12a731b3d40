"""Checks over random legal playouts, derived from the game's ``GameInfo`` declaration.

Each check takes the game and the seeds to play (seed ``s`` deals game ``s`` and seeds the
random moves) and raises :class:`CheckFailed` with the seed, the turn and the fix.
"""

from __future__ import annotations

import random
from typing import Iterator, Sequence

from games.core import Game, IllegalAction, Observation, State
from games.parse import parse_action

from games.conformance.report import CheckFailed

__all__ = ["playout", "check_playout", "check_clone", "check_same_seed",
           "check_observations", "check_turns", "check_fuzz"]


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def playout(game: Game, seed: int, rng: random.Random) -> Iterator[State]:
    """Random legal play of game ``seed``: yields the state before each decision (the
    caller must not change it) and finally the terminal state, checking as it goes that a
    running game has a current player, unique legal actions and ends in time."""
    state = game.new_state(seed)
    limit = game.info.max_length
    while not state.is_terminal():
        players = state.current_players()
        _expect(bool(players), f"seed {seed}, turn {state.turn}: the game is not over but "
                "current_players() is empty; return the players who must move")
        for p in players:
            legal = state.legal_actions(p)
            if legal is not None:
                _expect(bool(legal), f"seed {seed}, turn {state.turn}: player {p} is current "
                        "but has no legal action; end the game or skip the player")
                _expect(len(set(legal)) == len(legal),
                        f"seed {seed}, turn {state.turn}: duplicate legal actions {legal}")
            yield state
            action = state.random_action(p, rng)
            try:
                state.apply(p, action)
            except IllegalAction as err:
                raise CheckFailed(
                    f"seed {seed}, turn {state.turn}: random_action gave {action!r}, which "
                    f"apply refused ({err}); random_action must draw a legal move"
                ) from err
            if state.is_terminal():
                break
        _expect(state.turn <= limit, f"seed {seed}: still running after {state.turn} decisions "
                f"but GameInfo.max_length is {limit}; raise max_length or end the game")
    yield state


def _final(game: Game, seed: int) -> State:
    state = None
    for state in playout(game, seed, random.Random(seed)):
        pass
    return state


def check_playout(game: Game, seeds: Sequence[int]) -> None:
    """Playouts end; returns have one entry per player, stay in the declared bounds and
    sum as declared; every role is declared."""
    info = game.info
    for seed in seeds:
        state = _final(game, seed)
        returns = state.returns()
        _expect(len(returns) == game.num_players, f"seed {seed}: returns() has {len(returns)} "
                f"entries for {game.num_players} players")
        for r in returns:
            _expect(info.min_utility - 1e-9 <= r <= info.max_utility + 1e-9,
                    f"seed {seed}: return {r} outside the declared bounds "
                    f"[{info.min_utility}, {info.max_utility}]; fix returns() or GameInfo")
        if info.utility_sum is not None:
            _expect(abs(sum(returns) - info.utility_sum) < 1e-6,
                    f"seed {seed}: returns {returns} sum to {sum(returns)}, not the declared "
                    f"utility_sum {info.utility_sum}; fix returns() or declare None")
        for p in range(game.num_players):
            _expect(state.role(p) in info.roles, f"seed {seed}: role {state.role(p)!r} of "
                    f"player {p} is not in GameInfo.roles {info.roles}")


def _snapshot(state: State) -> tuple:
    n = state.num_players
    return (state.turn, state.is_terminal(), state.render(),
            tuple(state.information_state(p) for p in range(n)),
            tuple(state.observation(p).text for p in range(n)))


def check_clone(game: Game, seeds: Sequence[int]) -> None:
    """A clone looks like the original, and applying a move to it leaves the original as
    it was (search clones states and plays on the copies)."""
    for seed in seeds:
        rng = random.Random(seed)
        state = game.new_state(seed)
        while not state.is_terminal():
            before = _snapshot(state)
            p = state.current_players()[0]
            action = state.random_action(p, rng)
            copy = state.clone()
            _expect(copy is not state and _snapshot(copy) == before,
                    f"seed {seed}, turn {state.turn}: clone() differs from the original")
            copy.apply(p, action)
            _expect(_snapshot(state) == before, f"seed {seed}, turn {state.turn}: playing "
                    f"{action!r} on a clone changed the original; copy mutable fields in clone()")
            state.apply(p, action)
            _expect(_snapshot(state) == _snapshot(copy), f"seed {seed}, turn {state.turn}: the "
                    "clone and the original differ after the same move")


def check_same_seed(game: Game, seeds: Sequence[int]) -> None:
    """Same seed and same moves, same game (no hidden global randomness)."""
    for seed in seeds:
        a = [(s.turn, s.render()) for s in playout(game, seed, random.Random(seed))]
        b = [(s.turn, s.render()) for s in playout(game, seed, random.Random(seed))]
        _expect(a == b, f"seed {seed}: two games with the same seed and moves differ; draw "
                "all randomness from the seed given to new_state")
        ra, rb = _final(game, seed).returns(), _final(game, seed).returns()
        _expect(ra == rb, f"seed {seed}: same seed, different returns {ra} and {rb}")


def _check_observation(game: Game, state: State, p: int, where: str) -> None:
    obs = state.observation(p)
    legal = state.legal_actions(p)
    ids = (obs.game, obs.player, obs.turn, obs.role)
    truth = (game.info.id, p, state.turn, state.role(p))
    _expect(ids == truth, f"{where}: observation ids (game, player, turn, role) {ids} do "
            f"not match the state's {truth}")
    _expect(isinstance(obs.text, str), f"{where}: observation text must be a str")
    _expect(obs.info_state == state.information_state(p),
            f"{where}: observation info_state differs from information_state({p})")
    _expect(obs.legal_actions == (None if legal is None else tuple(legal)),
            f"{where}: observation legal_actions differ from legal_actions({p})")
    if p not in state.current_players():
        _expect(legal == [], f"{where}: player {p} is not current but legal_actions gives "
                f"{legal!r}; return [] off turn")
    _expect(Observation.from_dict(obs.to_dict()) == obs,
            f"{where}: the observation does not survive to_dict/from_dict")


def check_observations(game: Game, seeds: Sequence[int]) -> None:
    """Every player's observation agrees with the state at every step (ids, legal actions,
    information state) and is plain data (a to_dict/from_dict round trip)."""
    for seed in seeds:
        for state in playout(game, seed, random.Random(seed)):
            for p in range(game.num_players):
                _check_observation(game, state, p, f"seed {seed}, turn {state.turn}, player {p}")


def check_turns(game: Game, seeds: Sequence[int]) -> None:
    """Moves out of turn and after the end are refused with IllegalAction."""
    seed = seeds[0] if seeds else 0
    rng = random.Random(seed)
    movers = game.new_state(seed).current_players()
    for p in (p for p in range(game.num_players) if p not in movers):
        state = game.new_state(seed)  # a fresh state per try: no clone needed
        action = state.random_action(movers[0], rng)
        try:
            state.apply(p, action)
        except IllegalAction:
            continue
        raise CheckFailed(f"seed {seed}: player {p} played {action!r} out of turn and it was "
                          "accepted; the base State.apply refuses it unless _legal_now says so")
    final = _final(game, seed)
    for p in range(game.num_players):
        try:
            final.apply(p, game.example_action())
        except IllegalAction:
            continue
        raise CheckFailed(f"seed {seed}: a move after the end was accepted")


def _fuzz_strings(rng: random.Random, n: int) -> Iterator[str]:
    alphabet = "[]{}\\boxed 0123456789abcdefghijklmnopqrstuvwxyz,->ABCXYZ\n\t\u00e9\u4e2d"
    pieces = ["\\boxed{", "}", "[", "]", "[offer]", "[accept]", "[pass]", " -> ", "3", "-1", "1e9"]
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(0, 6)):
            if rng.random() < 0.5:
                parts.append(rng.choice(pieces))
            else:
                parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))))
        yield "".join(parts)


def check_fuzz(game: Game, seeds: Sequence[int], strings: int = 2000) -> None:
    """Any text, parsed with games.parse and applied, is a legal move or a clear
    IllegalAction with a message; never another exception."""
    rng = random.Random(1234)
    states = [s for seed in seeds[:20] for s in _positions(game, seed, rng)]
    if not states:
        return
    for i, text in enumerate(_fuzz_strings(rng, strings)):
        state = states[i % len(states)].clone()
        p = state.current_players()[0]
        legal = state.legal_actions(p)
        if legal:
            text += rng.choice(["", "", rng.choice(legal)])
        try:
            state.apply(p, parse_action(text, legal, game))
        except IllegalAction as err:
            _expect(bool(str(err).strip()), f"IllegalAction without a message for {text!r}")
        except Exception as err:
            raise CheckFailed(f"text {text!r} at turn {state.turn} raised {type(err).__name__}: "
                              f"{err}; bad text must raise IllegalAction saying why") from err


def _positions(game: Game, seed: int, rng: random.Random) -> list[State]:
    """A few non-terminal positions of one random game."""
    out = []
    for state in playout(game, seed, random.Random(seed)):
        if not state.is_terminal() and rng.random() < 0.5:
            out.append(state.clone())
    return out
