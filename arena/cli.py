"""The ``arena`` command: a thin layer over functions that tests call directly.

Heavy imports happen inside the command that needs them, so ``arena --help`` is instant.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Sequence

from arena.argv import parse_args_once
from arena.exits import (COMMAND_ERRORS, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, error_line,
                         exit_status)

__all__ = ["main"]


def _print_json(obj) -> None:
    print(json.dumps(obj, indent=2, sort_keys=True))


def cmd_games(args: argparse.Namespace) -> int:
    import games

    rows = []
    for name in games.available():
        try:
            info = games.game_class(name).info
        except Exception as err:  # one broken plug-in is listed with its error, not fatal
            rows.append({"name": name, "players": "?", "roles": [], "information": "?",
                         "description": f"error: {err}", "actions": "", "error": str(err),
                         "views": []})
            continue
        rows.append({
            "name": name, "players": f"{info.min_players}" if info.min_players == info.max_players
            else f"{info.min_players}-{info.max_players}",
            "roles": list(info.roles), "information": info.information,
            "description": info.description, "actions": info.action_grammar,
            "views": list(games.game_class(name).views),
        })
    if args.json:
        _print_json(rows)
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from common.untrusted import terminal_safe

    table = Table(title="Registered games")
    for col in ("name", "players", "information", "views", "description"):
        table.add_column(col)
    for r in rows:  # plug-in text: cleaned, and plain Text so it is never read as markup
        r = {**r, "views": ", ".join(map(str, r["views"]))}
        table.add_row(*(Text(terminal_safe(r[k], multiline=False))
                        for k in ("name", "players", "information", "views", "description")))
    Console().print(table)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """The game's conformance checks (games.conformance): 0 all passed, 1 failures listed."""
    from games.conformance import check_game
    from common.untrusted import terminal_safe

    from games.conformance import MAX_SEEDS

    if not 1 <= args.seeds <= MAX_SEEDS:
        raise ValueError(f"--seeds {args.seeds} must be a whole number from 1 to {MAX_SEEDS} "
                         "(random games per check), e.g. --seeds 20")
    if not (math.isfinite(args.time_limit) and args.time_limit > 0):
        raise ValueError(f"--time-limit {args.time_limit} must be a finite number of seconds "
                         "> 0, e.g. --time-limit 300")
    report = check_game(args.game, seeds=range(args.seeds), time_limit=args.time_limit)
    if args.json:
        _print_json(report.to_dict())
    else:  # plug-in text (names, messages): cleaned before it reaches the terminal
        print(terminal_safe(report.summary()))
    return EXIT_OK if report.ok else EXIT_FAILURE


def seat_specs(game_spec: str, seats: int, specs: list[str]) -> list[str]:
    """The agent spec of every seat: one spec fills every seat (each seat still gets its
    own agent and seed, exactly as the spec written out once per seat would); a list
    names each seat in order and must have one spec per seat."""
    if len(specs) == 1:
        return specs * seats
    if len(specs) != seats:
        example = ",".join(["random"] * seats) if seats <= 7 else "random,random,..."
        raise SystemExit(
            f"error: {game_spec} needs {seats} agents, got {len(specs)}: {specs}; give one "
            f"spec per seat (e.g. --agents {example}) or one spec for every seat "
            "(e.g. --agents random)"
        )
    return specs


def cmd_play(args: argparse.Namespace) -> int:
    import games
    from agents.llm.model_cache import ModelCache, make_agent_sharing
    from agents.registry import split_agent_specs
    from common.seeds import derive_seed

    from arena.runner import MatchConfig, play_match

    game = games.make(args.game)
    specs = seat_specs(args.game, game.num_players, split_agent_specs(args.agents))
    models = ModelCache()  # seats naming one model play through one copy of its weights
    agents = [make_agent_sharing(s, derive_seed("play-agent", args.seed, i, s), models)
              for i, s in enumerate(specs)]
    config = MatchConfig(invalid=args.invalid, max_turns=args.max_turns)
    if args.watch:
        from arena.viewer import watch_match

        record = watch_match(game, agents, args.seed, config, delay=args.delay,
                             reveal=args.reveal)
    else:
        record = play_match(game, agents, args.seed, config)
    if args.json:  # every decision whole: clients read decision["observation"]
        from arena.export import expanded_dict

        _print_json(expanded_dict(record))
    elif not args.watch:
        # raw outputs appear as repr() in the transcript: control characters cannot reach
        # the terminal
        print(record.transcript(), end="")
    return 0


def _with_option(spec: str, key: str, value: str) -> str:
    """``spec`` with ``key=value`` added; refused when the spec already sets ``key``."""
    import games

    name, options = games.parse_game_spec(spec)
    if key in options:
        raise ValueError(f"{spec!r} already sets {key}={options[key]}; give it once "
                         f"(either in the game spec or as --{key})")
    options[key] = value
    return name + ":" + ",".join(f"{k}={v}" for k, v in options.items())


def cmd_eval(args: argparse.Namespace) -> int:
    import games
    from agents.registry import split_agent_specs
    from common.seeds import derive_seed

    from arena.evaluate import PolicyAgent, evaluate, load_policy

    if (args.agent is None) == (args.policy is None):
        raise ValueError("arena eval needs exactly one of --agent SPEC (e.g. --agent expert) "
                         "or --policy FILE.json")
    if args.agent is not None and len(named := split_agent_specs(args.agent)) > 1:
        raise ValueError(
            f"--agent {args.agent!r} names {len(named)} agents ({', '.join(named)}); arena "
            "eval evaluates one, with its opponents in the other seats: give one spec, "
            f"e.g. --agent {named[0]}")
    if args.split is not None:
        args.game = _with_option(args.game, "split", args.split)
    if args.policy is not None:
        agent = PolicyAgent(load_policy(games.make(args.game), args.policy), name=args.policy,
                            seed=derive_seed("eval-agent", args.seed, args.policy))
    else:
        agent = args.agent
    result = evaluate(args.game, agent, games=args.games, seed=args.seed)
    if args.json:
        _print_json(result.to_dict())
    else:
        from rich.console import Console

        from arena.evaluate_view import print_evaluation

        print_evaluation(result, Console())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from arena.demo import run_demo

    train = (lambda argv: run_command("train", argv)) if "train" in commands() else None
    return run_demo(fast=args.fast, out=args.out, train=train)


DELEGATED = {
    "tournament": ("arena.tournament_cli", "run_from_argv", "run (or resume) a tournament"),
    "leaderboard": ("arena.tournament_cli", "leaderboard_from_argv", "ratings from the store"),
    "export": ("arena.tournament_cli", "export_from_argv", "export stored records (jsonl)"),
}
"""Commands whose own module parses their arguments (``arena tournament --help``)."""

COMMAND_GROUP = "arena.commands"
"""Entry-point group through which packages above the arena add commands: ``arena train``
and ``arena plot`` come from the training package this way, so the arena never imports it.
A command is a function ``(argv: list[str]) -> int``; its docstring's first line is its help."""


def commands() -> dict[str, tuple[str, str, str]]:
    """Every delegated command: (module, function, help) by name, the arena's own first."""
    from importlib.metadata import entry_points

    found = dict(DELEGATED)
    for ep in entry_points(group=COMMAND_GROUP):
        if ep.name in found or ":" not in ep.value:
            continue
        module, func = ep.value.split(":", 1)
        found[ep.name] = (module.strip(), func.strip(), f"from the {module.split('.')[0].strip()} package (arena {ep.name} --help)")
    return found


def _delegate(module: str, func: str):
    """Commands whose arguments are parsed by the module that does the work."""

    def run(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(module), func)(args.rest)

    return run


def run_command(name: str, argv: Sequence[str]) -> int:
    """Run a delegated command by name (``arena demo`` runs ``train`` this way); a
    ``LookupError`` names what is installed when ``name`` is not."""
    known = commands()
    if name not in known:
        raise LookupError(f"no arena command {name!r} is installed (known: {', '.join(known)}); "
                          "install the package that provides it, e.g. pip install -e .")
    module, func, _ = known[name]
    return _delegate(module, func)(argparse.Namespace(rest=list(argv)))


def cmd_replay(args: argparse.Namespace) -> int:
    from arena.store import Store
    from arena.viewer import replay

    # read-only: a missing --db is an error, never a new empty store
    with Store(args.db, create=False) as store:
        record = store.get_match(args.match_id)
    replay(record, delay=args.delay, reveal=args.reveal)
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    if args.model_command == "new":
        from agents.llm.tiny_model import build_model

        out = build_model(args.out, size=args.size, seed=args.seed, force=args.force)
        print(f"wrote a {args.size} model to {out} (use it as llm:model={out})")
    else:
        from agents.llm.gguf import import_gguf

        out = import_gguf(args.file, args.out, overwrite=args.force)
        print(f"converted {args.file} to {out} (use it as llm:model={out})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arena", description="Multi-agent text games for self-play RL of language models."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("games", help="list registered games")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_games)

    p = sub.add_parser("check", help="run the conformance checks on a game (a plug-in's "
                       "first test): exit 0 when all pass, 1 with the failures listed")
    p.add_argument("game", help="game name, options as kuhn_poker:hands=3")
    p.add_argument("--seeds", type=int, default=20,
                   help="random games played per check, 1 to 10000")
    p.add_argument("--time-limit", type=float, default=300.0, metavar="SECONDS",
                   help="seconds each check may run before it is stopped and reported as a "
                        "failure (a hook that hangs)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("play", help="play one match and print it")
    p.add_argument("game", help="game name, options as kuhn_poker:hands=5")
    p.add_argument("--agents", required=True,
                   help="agent specs by seat, e.g. random,expert; one spec plays every seat")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--invalid", default="forfeit", help="forfeit | retry:K | random")
    p.add_argument("--max-turns", type=int, default=None)
    p.add_argument("--watch", action="store_true", help="live terminal view")
    p.add_argument("--delay", type=float, default=0.5, help="seconds between moves with --watch")
    p.add_argument("--reveal", action="store_true",
                   help="spectator mode with --watch: show roles and secret actions (games "
                        "with hidden roles, e.g. werewolf, hide them until the end)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_play)

    p = sub.add_parser("eval", help="evaluate an agent on any game: the game's exact "
                       "evaluators and games against random and the expert")
    p.add_argument("game", help="game spec, options as kuhn_poker:hands=3")
    p.add_argument("--agent", help="agent spec, e.g. kuhn-nash:alpha=0.2 or llm:model=PATH")
    p.add_argument("--policy", help="policy JSON {info state: {action: p}} (Kuhn Poker: "
                   "{\"K:\": 1.0, \"Q:check,bet\": 0.3, ...})")
    p.add_argument("--games", "--episodes", type=int, default=100,
                   help="games per seat and opponent; episodes of a one-player game "
                   "(0: exact evaluators only)")
    p.add_argument("--split", help="shorthand for the game option split=S of games that "
                   "declare one, e.g. household --split valid_unseen")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    for name, (module, func, text) in commands().items():
        p = sub.add_parser(name, help=text, add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=_delegate(module, func))

    p = sub.add_parser("replay", help="replay a stored match in the terminal")
    p.add_argument("match_id", help="TOURNAMENT:INDEX, as listed by arena export")
    p.add_argument("--db", default="arena.db")
    p.add_argument("--delay", type=float, default=None, help="seconds per move (default: Enter)")
    p.add_argument("--reveal", action="store_true",
                   help="show roles and secret actions (games with hidden roles hide them "
                        "until the end)")
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("model", help="build a local model or import a GGUF file")
    msub = p.add_subparsers(dest="model_command", required=True)
    q = msub.add_parser("new", help="train a tokenizer on game text and build a small model")
    q.add_argument("--out", default="models/tiny", help="a new or empty folder")
    q.add_argument("--size", choices=["tiny", "small", "base"], default="tiny",
                   help="tiny (~0.2M parameters, tests and the demo), small (~4M), base (~80M, "
                        "a GPU check)")
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--force", action="store_true", help="replace what a non-empty --out holds")
    q = msub.add_parser("import-gguf", help="convert a GGUF file into a transformers folder")
    q.add_argument("file")
    q.add_argument("--out", required=True)
    q.add_argument("--force", action="store_true", help="replace a model already in --out")
    p.set_defaults(func=cmd_model)

    p = sub.add_parser("demo", help="the main job on embedded defaults")
    p.add_argument("--fast", action="store_true", help="a shorter demo")
    p.add_argument("--out", default=None,
                   help="folder for the demo's tournament and training run "
                        "(default runs/demo-<UTC time>; kept after the demo)")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    delegated = commands()
    try:
        if argv and argv[0] in delegated:
            args = argparse.Namespace(func=_delegate(*delegated[argv[0]][:2]), rest=argv[1:])
        else:
            args = parse_args_once(parser, argv)
        return args.func(args)
    except SystemExit as err:  # argparse (its own status) or a command's "error: ..." text
        if err.code is None or isinstance(err.code, int):
            return err.code or 0
        error_line(err.code)
        return EXIT_USAGE
    except (KeyboardInterrupt, *COMMAND_ERRORS) as err:
        return exit_status(err)


if __name__ == "__main__":
    sys.exit(main())
