"""``arena serve``: its options, declared once, and the command.

Every option is a field of :class:`ServeConfig` whose metadata carries its help, type and
range: the parser (:func:`build_parser`), the checks (``ServeConfig.__post_init__``) and
the options table of docs/serving.md (:func:`options_table`) come from it. (arena/ cannot
import ``training.options``, the declaration helper of ``arena train``; this is the same
idea in the few lines this command needs.)
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Sequence

from arena.argv import parse_args_once
from arena.exits import COMMAND_ERRORS, EXIT_INTERRUPTED, EXIT_OK, exit_status

__all__ = ["ServeConfig", "build_parser", "serve_from_argv", "options_table", "INSTALL_HINT"]

INSTALL_HINT = "pip install 'selfplay-arena[serve]'"
_TOURNAMENT = re.compile(r"[A-Za-z0-9._-]{1,100}")


def _option(default: Any = dataclasses.MISSING, *, help: str, kind: type = str,
            many: bool = False, metavar: str | None = None, positional: bool = False) -> Any:
    meta = {"help": help, "kind": kind, "many": many, "metavar": metavar,
            "positional": positional}
    return dataclasses.field(default=default, metadata={"option": meta})


@dataclass(frozen=True)
class ServeConfig:
    """Every option of ``arena serve`` (see the module docstring)."""

    game: str = _option(help="game spec, options as in arena play: tictactoe:view=compact, "
                             "werewolf:speech=claims", positional=True)
    opponents: tuple[str, ...] = _option(
        ("random",), many=True, metavar="SPEC",
        help="agents of the other seats: one spec for all of them, or one per other seat "
             "in seat order (random, expert, mcts:simulations=200, llm:model=PATH); self "
             "makes a seat another client session's")
    seat: int = _option(0, kind=int, metavar="N", help="the seat a client session plays")
    host: str = _option("127.0.0.1", help="address to listen on; anything but loopback lets "
                                          "other machines play and write to --db")
    port: int = _option(8000, kind=int, metavar="P", help="port to listen on; 0: any free one")
    max_sessions: int = _option(8, kind=int, metavar="N",
                                help="open sessions at most (1 to 4096); more are refused")
    idle_timeout: float = _option(300.0, kind=float, metavar="S",
                                  help="seconds a session may stay idle before it is closed "
                                       "(checked every max(S/4, 5) s)")
    db: str | None = _option(None, metavar="FILE",
                             help="store every finished match here (arena leaderboard, "
                                  "arena replay); none: not stored")
    tournament: str | None = _option(None, metavar="ID",
                                     help="tournament id of the stored matches; none: "
                                          "serve-GAME-UTCTIME (an id given again appends)")
    invalid: str = _option("error", help="a reply naming no legal action: error (refused "
                                         "in the response, the client may answer again), "
                                         "forfeit, retry:K or random, as in arena play")
    max_turns: int | None = _option(None, kind=int, metavar="N",
                                    help="applied actions after which a match is a draw")
    wait_timeout: float = _option(30.0, kind=float, metavar="S",
                                  help="self-play: seconds a session waits for the other "
                                       "sessions of its match to move")
    seed: int = _option(0, kind=int, help="seed of the sequence that seeds resets that "
                                          "name no seed")

    def __post_init__(self) -> None:
        _range("--seat", self.seat, 0, 10**6)
        _range("--port", self.port, 0, 65535)
        _range("--max-sessions", self.max_sessions, 1, 4096)
        _range("--idle-timeout", self.idle_timeout, 1e-3, 86400.0)
        _range("--wait-timeout", self.wait_timeout, 1e-3, 3600.0)
        _range("--seed", self.seed, 0, 2**63 - 1)
        if self.max_turns is not None:
            _range("--max-turns", self.max_turns, 1, 10**9)
        if self.invalid != "error":
            from arena.runner import MatchConfig

            try:
                MatchConfig(invalid=self.invalid)
            except ValueError as err:
                raise ValueError(f"--invalid {self.invalid!r}: expected error, forfeit, "
                                 "retry:K or random") from err
        if self.tournament is not None and not _TOURNAMENT.fullmatch(self.tournament):
            raise ValueError(f"--tournament {self.tournament!r} must be 1 to 100 letters, "
                             "digits, dots, dashes or underscores, e.g. serve-ttt-1")
        if self.tournament is not None and self.db is None:
            raise ValueError("--tournament names where --db stores matches; give --db FILE too")

    def tournament_id(self, game_id: str) -> str:
        if self.tournament is not None:
            return self.tournament
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        return f"serve-{re.sub(r'[^A-Za-z0-9._-]', '_', game_id)}-{stamp}"


def _range(flag: str, value: float, low: float, high: float) -> None:
    if isinstance(value, float) and not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{flag} {value!r} must be from {low:g} to {high:g}")


def _declared() -> list[tuple[dataclasses.Field, dict]]:
    return [(f, f.metadata["option"]) for f in dataclasses.fields(ServeConfig)]


def build_parser() -> argparse.ArgumentParser:
    """``arena serve``'s parser: one argument per :class:`ServeConfig` field."""
    p = argparse.ArgumentParser(
        prog="arena serve", description="Serve a game over OpenEnv's protocol (HTTP and "
        "WebSocket sessions): a client plays one seat, agents or other sessions the others.")
    for f, meta in _declared():
        kwargs: dict[str, Any] = {"help": meta["help"] + ("" if meta["positional"] else
                                                          f" (default: {_shown(f.default)})")}
        kwargs["type"] = meta["kind"]
        if meta["many"]:
            kwargs["nargs"] = "+"
        if meta["metavar"]:
            kwargs["metavar"] = meta["metavar"]
        if meta["positional"]:
            p.add_argument(f.name, **kwargs)
        else:
            p.add_argument("--" + f.name.replace("_", "-"), dest=f.name,
                           default=argparse.SUPPRESS, **kwargs)
    return p


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return " ".join(value)
    return "none" if value is None else str(value)


def options_table() -> str:
    """The options as a Markdown table (docs/serving.md holds a copy; a test compares)."""
    rows = ["| option | default | what it does |", "| --- | --- | --- |"]
    for f, meta in _declared():
        name = f.name.upper() if meta["positional"] else "--" + f.name.replace("_", "-")
        default = "(required)" if meta["positional"] else _shown(f.default)
        rows.append(f"| `{name}` | `{default}` | {meta['help']} |")
    return "\n".join(rows) + "\n"


def _config(args: argparse.Namespace) -> ServeConfig:
    values = vars(args)
    if "opponents" in values:
        values["opponents"] = tuple(values["opponents"])
    return ServeConfig(**values)


def _require_server_packages() -> None:
    try:
        import openenv.core.env_server  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as err:
        raise ImportError(f"arena serve needs openenv-core ({err.name or err} is missing): "
                          f"{INSTALL_HINT}") from None


class _SafeFormatter(logging.Formatter):
    """Log lines quote clients' text (names, replies): made terminal-safe."""

    def format(self, record: logging.LogRecord) -> str:
        from common.untrusted import terminal_safe

        return terminal_safe(super().format(record))


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("arena").setLevel(logging.INFO)


def serve_from_argv(argv: Sequence[str] | None = None) -> int:
    """Serve a game over OpenEnv's protocol (``arena serve GAME``). Exit 2 for a bad option,
    a store that cannot be used, a port in use or openenv-core missing; 130 once stopped
    by Ctrl-C (every finished match stored)."""
    from common.untrusted import terminal_safe

    args = parse_args_once(build_parser(), argv)
    try:
        config = _config(args)
        _require_server_packages()
        from arena.serve.hub import Hub
        from arena.serve.server import Server, build_app, is_loopback
        from arena.serve.sink import RecordSink

        hub = Hub(config.game, config.opponents, config.seat, config.invalid,
                  config.max_turns, config.wait_timeout, config.seed)
        if config.db is not None:
            tid = config.tournament_id(hub.game.info.id)
            hub.sink = RecordSink(config.db, tid, {
                "kind": "serve", "game": config.game, "seats": hub.seats,
                "invalid": config.invalid, "max_turns": config.max_turns})
        interrupted = False
        try:
            server = Server(build_app(hub, config.max_sessions, config.idle_timeout),
                            config.host, config.port)
            _setup_logging()
            _announce(config, hub, server.url, is_loopback(config.host))
            server.run()
            # in the foreground only a signal ends a server that started; uvicorn passes
            # Ctrl-C on as KeyboardInterrupt after its graceful stop, or not (its versions
            # and the signal's timing differ), so its return counts as the interruption too
            interrupted = server.started
        except KeyboardInterrupt:  # uvicorn stops gracefully, then passes Ctrl-C on
            interrupted = True
        finally:
            hub.close()  # commits every record still queued
        where = (f"; matches are in {config.db} under tournament {hub.sink.tournament_id}"
                 if hub.sink is not None else "")
        print(terminal_safe(f"stopped{where}", multiline=False), file=sys.stderr)
        if interrupted:
            return EXIT_INTERRUPTED
    except COMMAND_ERRORS as err:
        return exit_status(err)
    return EXIT_OK


def _announce(config: ServeConfig, hub: Any, url: str, loopback: bool) -> None:
    from common.untrusted import terminal_safe

    seats = ", ".join(f"{i}: {'client' if s == 'self' else s}" for i, s in enumerate(hub.seats))
    ws = url.replace("http://", "ws://", 1) + "/ws"
    lines = [f"arena serve: {config.game} on {url} (OpenEnv sessions: {ws})",
             f"seats: {seats}; at most {config.max_sessions} sessions, closed after "
             f"{config.idle_timeout:g} s idle; Ctrl-C stops"]
    if hub.sink is not None:
        lines.append(f"storing finished matches in {config.db} as tournament "
                     f"{hub.sink.tournament_id}")
    if not loopback:
        lines.append(f"warning: listening on {config.host}, not loopback: any machine that "
                     "reaches it can play" + (" and write to the store" if config.db else ""))
    for line in lines:
        print(terminal_safe(line, multiline=False), file=sys.stderr, flush=True)
