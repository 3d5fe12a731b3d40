"""Any installed TextArena environment as an arena game: ``games.make("textarena:KuhnPoker-v0")``.

Rules: whatever the TextArena environment implements; its prompt (each player's first
message) states them. The arena only relays.

Observation: a player's whole transcript, one message per line as TextArena's own LLM
wrapper writes it (``[GAME] ...``, ``[Player 1] [bet]``). The wrapper collects every
player's messages after each step, so any player's text can be read at any time.

Actions: where the environment advertises them ("Available Moves: '[0]', '[4]'", "Your
available actions are: '[check]', '[bet]'": a line saying available/valid/legal
actions/moves followed by bracketed tokens) and the advertisement is the newest such
line the player got since their own last action, those tokens are the legal actions; an
advertisement with a template in it (``'[bet X]'``) lists no moves. Otherwise the action
is free text (``legal_actions`` is None): ``canonicalize`` passes the answer through and
TextArena judges it. A move TextArena refuses raises ``IllegalAction`` with its reason
and leaves the transcripts unchanged; TextArena's own error allowance is set out of
reach, so the match's invalid-action policy alone decides what follows. Option
``legal="free"`` turns the heuristic off.

Random moves: ``TextArenaGame.random_text_action(obs, rng)`` (what the ``random`` agent
plays) draws a plausible move in the environment's format from the player's text
(:mod:`games.adapters.textarena_moves`); ``TextArenaState.random_action`` (the runner's
``--invalid random`` fallback, conformance playouts) keeps the first drawn move that
TextArena accepts on a private copy of the environment, and where none of ``_PROBES``
is accepted the player forfeits (the transcript says so). TextArena's prints are kept
off stdout.

Returns: the rewards of the environment's ``close()`` at the end (TextArena pays -1, 0 or
1 to most two-player games, a score in [0, 1] to most single-player ones; the declared
bounds are [-1, 1]); zeros if the game is cut at ``max_decisions`` decisions.

Options: ``players`` (default: read from the environment's ``reset`` source where it says
"TwoPlayerState", "num_players == 3", "2 <= num_players <= 15"; otherwise required),
``legal`` (``auto`` or ``free``), ``max_decisions`` (default 1000).

Limits:

- No ``clone()``: it raises ``NotImplementedError`` ("TextArena environments cannot be
  cloned; search agents need a native game"), and so do determinisations (a copy would
  show search the hidden state; ``random_action`` copies only to test a move).
- Its own randomness: TextArena draws from (and its ``reset`` seeds) the process-wide
  ``random`` module. Each state keeps a private copy of that generator's state, seeded
  from the game seed, and swaps it in only while TextArena runs: same seed, same game,
  and nothing else's use of ``random`` is disturbed. Not safe to step from two threads.
- Chance and information are unknown, so declared the general way (``seeded``,
  ``imperfect``); ``utility_sum`` is None.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import importlib
import inspect
import io
import random
import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Literal

from games.core import Game, GameInfo, IllegalAction, Observation, State
from games.adapters.textarena_moves import NoMoveFormat, is_template, sample_move

__all__ = ["TextArenaGame", "TextArenaState", "TextArenaOptions"]

NO_CLONE = "TextArena environments cannot be cloned; search agents need a native game"
_GAME_ID = -1  # TextArena's sender id for messages from the game
_ADVERT = re.compile(r"\b(?:available|valid|legal)\s+(?:actions|moves)\b[^:\n]*:([^\n]*)", re.I)
_TOKEN = re.compile(r"\[([^\[\]\n]+)\]")
_PLAYER_ACTION = "PLAYER_ACTION"
_NO_LIMIT = 10**9  # TextArena's error allowance, set out of reach: the match's policy rules
_PROBES = 256  # plausible moves drawn (distinct ones tried on a copy) before giving up
_REASON = re.compile(r"attempted an invalid move\. Reason: (.*?)(?: Please resubmit|$)", re.S)
_GAME_LINE = re.compile(r"^\[GAME\] ?", re.M)


def _textarena() -> Any:
    try:
        import textarena
    except ImportError as err:
        raise ImportError(
            "TextArena environments need the textarena package: pip install textarena"
        ) from err
    return textarena


@dataclass
class TextArenaOptions:
    players: int | None = None
    """Number of players; None reads it from the environment where it can."""
    legal: Literal["auto", "free"] = "auto"
    """``auto``: legal actions where the environment advertises them; ``free``: free text."""
    max_decisions: int = 1000
    """Decisions after which the game is cut (all returns 0); also ``info.max_length``."""

    def __post_init__(self) -> None:
        if isinstance(self.players, str):
            self.players = int(self.players)
        if self.players is not None and self.players < 1:
            raise ValueError(f"option players={self.players} must be >= 1, e.g. players=2")
        if self.legal not in ("auto", "free"):
            raise ValueError(f"option legal={self.legal!r} must be 'auto' or 'free'")
        if self.max_decisions < 1:
            raise ValueError(f"option max_decisions={self.max_decisions} must be >= 1")


def _player_range(entry_point: Any) -> tuple[int | None, int | None]:
    """(min, max) players read from the environment class's ``reset`` source."""
    if isinstance(entry_point, str):
        module, _, name = entry_point.partition(":")
        entry_point = getattr(importlib.import_module(module), name)
    try:
        source = inspect.getsource(entry_point.reset)
    except (OSError, TypeError, AttributeError):
        return None, None
    if "TwoPlayerState" in source:
        return 2, 2
    if "SinglePlayerState" in source:
        return 1, 1
    if m := re.search(r"num_players\s*==\s*(\d+)", source):
        return int(m[1]), int(m[1])
    if m := re.search(r"(\d+)\s*<=?\s*num_players\s*<=?\s*(\d+)", source):
        return int(m[1]), int(m[2])
    low = re.search(r"num_players\s*>=\s*(\d+)", source)
    high = re.search(r"num_players\s*<=\s*(\d+)", source)
    if low or high:
        return int(low[1]) if low else 2, int(high[1]) if high else None
    return None, None


class TextArenaGame(Game):
    """One TextArena environment id; see the module docstring."""

    Options = TextArenaOptions
    info = GameInfo(
        id="textarena", description="a TextArena environment", min_players=1, max_players=99,
        roles=("Player 0",), chance="seeded", information="imperfect", min_utility=-1.0,
        max_utility=1.0, utility_sum=None, max_length=1000,
        action_grammar="as the environment's prompt says",
    )

    def __init__(self, env_id: str = "", options: Any = None, **kwargs: Any) -> None:
        registry = _textarena().envs.registration.ENV_REGISTRY
        if env_id not in registry:
            close = difflib.get_close_matches(env_id, list(registry), n=3)
            known = [k for k in ("KuhnPoker-v0", "TicTacToe-v0", "SimpleNegotiation-v0",
                                 "ConnectFour-v0", "Wordle-v0") if k in registry]
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise ValueError(
                f"unknown TextArena environment {env_id!r}; {hint}known ones include "
                f"{', '.join(known)} ({len(registry)} in all: "
                "textarena.envs.registration.ENV_REGISTRY)"
            )
        self.env_id = env_id
        self._range = _player_range(registry[env_id].entry_point)
        self.info = replace(TextArenaGame.info, id=f"textarena:{env_id}",
                            description=f"TextArena environment {env_id}")
        super().__init__(options, **kwargs)
        low, high = self._range
        n = self.num_players
        if (low is not None and n < low) or (high is not None and n > high):
            raise ValueError(
                f"{env_id} takes {low}..{high} players, got players={n}; pass players=N in "
                "that range"
            )
        self.info = replace(
            self.info, min_players=n, max_players=n, roles=tuple(f"Player {i}" for i in range(n)),
            max_length=self.options.max_decisions,
        )
        self.rules = (f"TextArena environment {env_id}: its rules are in each player's first "
                      "message.")

    def _num_players(self) -> int:
        if self.options.players is not None:
            return self.options.players
        if self._range[0] is None:
            raise ValueError(
                f"cannot tell how many players TextArena environment {self.env_id} takes; "
                f"pass players=N (e.g. games.make('textarena:{self.env_id}', players=2))"
            )
        return self._range[0]

    def all_actions(self) -> None:
        """None, stated on purpose: moves are read from each observation's text, so there
        is no fixed vocabulary (and no numeric PettingZoo mode)."""
        return None

    def new_state(self, seed: int = 0) -> "TextArenaState":
        ta = _textarena()
        s = object.__new__(TextArenaState)
        s.game, s.turn, s.result = self, 0, None
        s.rng_state = random.Random(seed).getstate()
        s.logs = [[] for _ in range(self.num_players)]
        s.env = s._private(ta.make, self.env_id)
        s.raw = s.env
        while isinstance(s.raw, ta.Wrapper):
            s.raw = s.raw.env
        s.last_resort = None
        s._private(s.env.reset, num_players=self.num_players, seed=seed)
        if hasattr(s.raw.state, "error_allowance"):
            s.raw.state.error_allowance = _NO_LIMIT
        s._collect()
        return s

    def random_text_action(self, obs: Observation, rng: random.Random) -> str:
        """A plausible move in the environment's own format, drawn from what the player
        sees (:mod:`games.adapters.textarena_moves`; TextArena judges it). One clear ValueError
        where the text shows no move format."""
        messages = [m for m in _GAME_LINE.split(obs.text) if m.strip()]
        try:
            return sample_move(messages, rng)
        except NoMoveFormat as err:
            raise ValueError(
                f"random cannot draw a move in {self.info.id}: {err}; play it with an llm "
                "or human agent"
            ) from err

    def canonicalize(self, answer: str) -> str:
        """Free text goes to TextArena as it is; TextArena judges it."""
        if not answer.strip():
            raise IllegalAction(f"empty action for {self.env_id}; {self.info.action_grammar}")
        return answer.strip()


class TextArenaState(State):
    __slots__ = ("env", "raw", "logs", "rng_state", "result", "last_resort")

    def _private(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run TextArena code with this state's own ``random`` generator swapped in."""
        outer = random.getstate()
        random.setstate(self.rng_state)
        try:  # some environments print; our stdout carries --json output
            with contextlib.redirect_stdout(io.StringIO()):
                return fn(*args, **kwargs)
        finally:
            self.rng_state = random.getstate()
            random.setstate(outer)

    def _collect(self) -> None:
        """Move every player's pending TextArena messages into our transcripts."""
        pending = self.raw.state.observations
        for player, log in enumerate(self.logs):
            log.extend(pending.get(player, ()))
            pending[player] = []
        if self.raw.state.done and self.result is None:
            rewards, _ = self._private(self.env.close)
            self.result = [float((rewards or {}).get(p, 0.0)) for p in range(len(self.logs))]

    # ----- hooks ----------------------------------------------------------------------
    def current_players(self) -> list[int]:
        return [] if self.is_terminal() else [self.raw.state.current_player_id]

    def _legal(self, player: int) -> list[str] | None:
        if self.game.options.legal == "free":
            return None
        log = self.logs[player]
        start = 0
        for i in range(len(log) - 1, -1, -1):
            sender, _, kind = log[i]
            if sender == player and getattr(kind, "name", "") == _PLAYER_ACTION:
                start = i + 1
                break
        for _, message, _ in reversed(log[start:]):
            adverts = _ADVERT.findall(message)
            if adverts:
                tokens = [f"[{t.strip()}]" for t in _TOKEN.findall(adverts[-1])]
                if any(is_template(t) for t in tokens):  # "[bet X]": not a move
                    return None
                return list(dict.fromkeys(tokens)) or None
        return None

    def _apply(self, player: int, action: str) -> None:
        """Step TextArena. A move it refuses raises IllegalAction with its reason and
        leaves the transcripts as they were (the match's invalid-action policy decides
        what follows); a refused last-resort random move forfeits (see random_action)."""
        errors = getattr(self.raw.state, "error_count", 0)
        self._private(self.env.step, action)
        reason = self._refusal(player, errors)
        if reason is None:
            self.last_resort = None
            self._collect()
            return
        self._drop_pending(errors)
        if action != self.last_resort:
            raise IllegalAction(f"TextArena refused {action!r}: {reason}")
        note = (f"Player {player} has no move TextArena accepts among {_PROBES} drawn and "
                "forfeits.")
        for log in self.logs:
            log.append((_GAME_ID, note, None))
        self.result = [float(r) for r in self.game.forfeit_returns(player)]

    def _refusal(self, player: int, errors_before: int) -> str | None:
        """TextArena's reason if the last step refused the move, else None."""
        state = self.raw.state
        if getattr(state, "error_count", 0) <= errors_before:
            return None
        for _, message, _ in state.observations.get(player, ()):
            if m := _REASON.search(message):
                return m[1].strip()
        return "TextArena judged the move invalid"

    def _drop_pending(self, errors_before: int) -> None:
        """Forget what a refused move made TextArena say, and its error count."""
        state = self.raw.state
        for player in range(len(self.logs)):
            state.observations[player] = []
        state.error_count = errors_before

    def random_action(self, player: int, rng: random.Random) -> str:
        """A move TextArena accepts: a listed one where moves are listed; otherwise
        plausible moves drawn from the player's text (:mod:`games.adapters.textarena_moves`),
        each tried on a private copy of the environment, the first accepted returned.
        When none of ``_PROBES`` draws is accepted the last one is returned as a last
        resort: applying it, if refused, forfeits the game for ``player``."""
        legal = self._legal_now(player)
        if legal is not None:
            return super().random_action(player, rng)
        # the player's text as random_text_action reads it: the moves played included
        messages = [m for m in _GAME_LINE.split(self._text(player)) if m.strip()]
        move, tried = "[no move found]", set()
        for _ in range(_PROBES):
            try:
                move = sample_move(messages, rng)
            except NoMoveFormat:
                break
            if move not in tried and self._accepts(move):
                return move
            tried.add(move)
        self.last_resort = move
        return move

    def _accepts(self, action: str) -> bool:
        """Whether TextArena accepts ``action`` now, tried on a copy (this state unchanged)."""
        env = copy.deepcopy(self.env)
        raw = env
        while isinstance(raw, _textarena().Wrapper):
            raw = raw.env
        errors = getattr(raw.state, "error_count", 0)
        outer = random.getstate()
        random.setstate(self.rng_state)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                env.step(action)
        except Exception:  # an environment that crashes on a move does not accept it
            return False
        finally:
            random.setstate(outer)
        return getattr(raw.state, "error_count", 0) <= errors

    def _text(self, player: int) -> str:
        roles = self.raw.state.role_mapping
        lines = []
        for sender, message, _ in self.logs[player]:
            name = "GAME" if sender == _GAME_ID else roles.get(sender, f"Player {sender}")
            lines.append(f"[{name}] {message}")
        return "\n".join(lines)

    def is_terminal(self) -> bool:
        return self.result is not None or self.turn >= self.game.options.max_decisions

    def returns(self) -> list[float]:
        return list(self.result) if self.result is not None else [0.0] * len(self.logs)

    def role(self, player: int) -> str:
        return self.raw.state.role_mapping.get(player, f"Player {player}")

    def information_state(self, player: int) -> str:
        return f"{player}\n{self._text(player)}"

    def render(self, reveal: bool = False) -> str:
        board = getattr(self.raw, "get_board_str", None)
        if board is not None:
            try:
                return self._private(board)
            except Exception:  # a renderer that needs state we do not have: fall back
                pass
        return "\n".join(message for _, message in self.raw.state.logs[-8:])

    def clone(self) -> State:
        raise NotImplementedError(NO_CLONE)

    def _determinise(self, player: int, rng: random.Random) -> State:
        raise NotImplementedError(NO_CLONE)

    def determiniser(self, player: int) -> None:
        """None: a TextArena environment cannot be copied, so search agents cannot play it
        (the runner says so in one line). Observations are the base's plain data."""
        return None
