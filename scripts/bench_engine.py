"""The engine benchmark (``python scripts/bench.py engine``): our games against TextArena's.

Each subcommand is one ``cmd_<name>(args) -> int`` registered by ``_add_<name>(sub)``.

engine [--seconds S] [--games a,b] [--seed N] [--no-textarena] [--profile [STEPS]] [--json]
    Random legal play of kuhn_poker, tictactoe, negotiation and werewolf:speech=claims
    (7 players, beside TextArena's SecretMafia-v0 with 7 players); before every decision the
    observation of the player to move is built (its text is what a language model reads).
    Side by side in one run:

    - ours: steps/s and games/s (``games.make(name)``, ``state.observation(player)``,
      ``state.random_action(player, rng)``, ``state.apply``);
    - TextArena's versions of the games, the reference of the speed target:
      ``ta.make(env_id)`` with its default wrappers, a fresh environment per game (its
      observation wrappers keep history across resets), ``env.reset(num_players=2,
      seed=...)``, ``env.get_observation()`` every step and a random legal action string
      read off the environment's state; a step is one ``env.step``;
    - ours/TextArena in steps/s (target: at least 10x);
    - CPU time per step of both (``time.process_time`` over the same timed games) and
      their ratio, TextArena's CPU time per step over ours: on a machine shared with
      other work it moves less than the wall figures;
    - ``State.clone()`` in microseconds on a mid-game state, best of 5 ``timeit`` repeats
      (target: under 2 us for kuhn_poker and tictactoe);
    - with ``--profile``: cProfile of our play, the hottest functions in ``games/``.

    ``--seconds`` is spent per game and engine (default 4: about 30 s in all). ``--json``
    prints the figures as JSON. Without TextArena its figures read "n/a" with the reason.

Speed claims live here, never in timed tests. Figures depend on the machine and its load:
compare runs made on the same machine.
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import random
import sys
import time
import timeit
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import games  # noqa: E402

# ----- engine: our games against TextArena's ------------------------------------------

ENGINE_GAMES: dict[str, str] = {
    "kuhn_poker": "KuhnPoker-v0",
    "tictactoe": "TicTacToe-v0",
    "negotiation": "SimpleNegotiation-v0",
    "werewolf:speech=claims": "SecretMafia-v0",
}
"""Our game name -> the TextArena environment it is compared with."""
TA_PLAYERS = {"SecretMafia-v0": 7}
"""Players of a TextArena environment where not 2 (Werewolf's default table of 7)."""

RATIO_TARGET = 10.0
"""Ours/TextArena steps per second we aim for, at least."""
CLONE_TARGET_US = {"kuhn_poker": 2.0, "tictactoe": 2.0, "werewolf:speech=claims": 5.0}
"""Upper bound on ``State.clone()`` in microseconds, for the games that have one."""


def _timed(play_one: Callable[[int, random.Random], int], seconds: float,
           seed: int) -> dict[str, Any]:
    """Play games with seeds ``seed, seed + 1, ...`` until ``seconds`` have passed (at
    least one game), every action drawn from one ``random.Random(seed)``.
    ``play_one(game_seed, rng)`` returns the number of steps it made. Wall time gives
    the rates; the process's CPU time (``time.process_time``) over the same games gives
    ``cpu_us_per_step``, which a shared machine's other work disturbs less."""
    rng = random.Random(seed)
    steps = n_games = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    while True:
        steps += play_one(seed + n_games, rng)
        n_games += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    cpu = time.process_time() - cpu_start
    return {"steps": steps, "games": n_games, "seconds": round(elapsed, 4),
            "cpu_seconds": round(cpu, 6), "steps_per_s": steps / elapsed,
            "games_per_s": n_games / elapsed, "steps_per_game": steps / n_games,
            "cpu_us_per_step": cpu / steps * 1e6}


def play_ours(game: games.Game, seed: int, rng: random.Random) -> int:
    """One random legal game with an observation built before every decision; returns
    the number of decisions."""
    state = game.new_state(seed)
    steps = 0
    while not state.is_terminal():
        player = state.current_players()[0]
        state.observation(player)
        state.apply(player, state.random_action(player, rng))
        steps += 1
    return steps


def clone_us(game: games.Game, seed: int, number: int, repeat: int = 5) -> float:
    """Microseconds per ``state.clone()`` on a mid-game state (half of ``max_length``
    random moves, stopping short of the end), best of ``repeat`` timeit runs."""
    state = game.new_state(seed)
    rng = random.Random(seed)
    for _ in range(game.info.max_length // 2):
        nxt = state.clone()
        player = nxt.current_players()[0]
        nxt.apply(player, nxt.random_action(player, rng))
        if nxt.is_terminal():
            break
        state = nxt
    best = min(timeit.Timer(state.clone).repeat(repeat=repeat, number=number))
    return best / number * 1e6


def profile_ours(game: games.Game, steps: int, seed: int, top: int = 12) -> dict[str, Any]:
    """cProfile of :func:`play_ours` over at least ``steps`` decisions: the ``top``
    functions of ``games/`` by their own time, per decision (profiler overhead included)."""
    import cProfile
    import pstats

    prof, rng = cProfile.Profile(), random.Random(seed)
    done = n_games = 0
    start = time.perf_counter()
    prof.enable()
    while done < steps:
        done += play_ours(game, seed + n_games, rng)
        n_games += 1
    prof.disable()
    elapsed = time.perf_counter() - start
    rows = [{"function": f"{Path(file).name}:{line}({func})", "calls_per_step": calls / done,
             "own_us_per_step": own / done * 1e6, "total_us_per_step": total / done * 1e6}
            for (file, line, func), (_, calls, own, total, _) in pstats.Stats(prof).stats.items()
            if "games" in Path(file).parts[:-1]]  # games/ and its game packages
    rows.sort(key=lambda r: -r["own_us_per_step"])
    return {"steps": done, "profiled_us_per_step": elapsed / done * 1e6, "top": rows[:top]}


def profile_table(name: str, prof: dict[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title=f"profile of {name}: {prof['steps']} steps, "
                        f"{prof['profiled_us_per_step']:.1f} us/step under cProfile",
                  caption="per step: calls, own time, time with callees", caption_justify="left")
    table.add_column("function in games/", no_wrap=True)
    for head in ("calls", "own us", "total us"):
        table.add_column(head, justify="right")
    for r in prof["top"]:
        table.add_row(r["function"], f"{r['calls_per_step']:.2f}",
                      f"{r['own_us_per_step']:.2f}", f"{r['total_us_per_step']:.2f}")
    return table


# ----- TextArena: a random legal action string per environment ------------------------
# The legal actions follow from each environment's own state (textarena/envs/<Env>/env.py).


def _ta_kuhn_action(env: Any, rng: random.Random) -> str:
    legal = list(env.state.game_state["current_legal_action_tree"])  # check/bet/call/fold
    return f"[{legal[rng.randrange(len(legal))]}]"


def _ta_tictactoe_action(env: Any, rng: random.Random) -> str:
    board = env.state.game_state["board"]
    empty = [3 * r + c for r in range(3) for c in range(3) if board[r][c] == ""]
    return f"[{empty[rng.randrange(len(empty))]}]"


def _ta_negotiation_action(env: Any, rng: random.Random) -> str:
    """Uniform over the kinds its grammar allows now: a payable small offer, a plain
    message, and [Deny] / (when payable) [Accept] while the opponent's offer stands."""
    state = env.state
    me = state.current_player_id
    have = state.game_state["player_resources"]
    kinds = ["offer", "message"]
    offer = state.game_state["current_offer"]
    if offer and offer["from_player"] != me:
        kinds.append("deny")
        if all(have[me].get(r, 0) >= q for r, q in offer["requested_resources"].items()):
            kinds.append("accept")
    kind = kinds[rng.randrange(len(kinds))]
    if kind != "offer":
        return {"accept": "[Accept]", "deny": "[Deny]", "message": "Open to a fair trade."}[kind]
    mine = [r for r, q in have[me].items() if q > 0]
    give = mine[rng.randrange(len(mine))]
    wanted = [r for r, q in have[1 - me].items() if q > 0 and r != give]
    get = wanted[rng.randrange(len(wanted))]
    n_give = rng.randint(1, min(3, have[me][give]))
    n_get = rng.randint(1, min(3, have[1 - me][get]))
    return f"[Offer: {n_give} {give} -> {n_get} {get}]"


def _ta_mafia_action(env: Any, rng: random.Random) -> str:
    """A legal move of SecretMafia's phase: a living target ``[n]`` (wolves: a non-wolf;
    Doctor and Detective: another player) or, in the discussion, a short speech."""
    gs = env.state.game_state
    me, alive, roles = env.state.current_player_id, gs["alive_players"], gs["player_roles"]
    phase = env.phase.name
    if phase == "DAY_DISCUSSION":
        return ("I suspect [%d]." % alive[rng.randrange(len(alive))]) if rng.random() < 0.5 \
            else "I am a simple villager."
    if phase == "NIGHT_MAFIA":
        targets = [p for p in alive if roles[p] != "Mafia"]
    elif phase == "DAY_VOTING":
        targets = list(alive)
    else:
        targets = [p for p in alive if p != me]
    return f"[{targets[rng.randrange(len(targets))]}]"


TA_ACTIONS: dict[str, Callable[[Any, random.Random], str]] = {
    "KuhnPoker-v0": _ta_kuhn_action,
    "TicTacToe-v0": _ta_tictactoe_action,
    "SimpleNegotiation-v0": _ta_negotiation_action,
    "SecretMafia-v0": _ta_mafia_action,
}


def load_textarena() -> tuple[Any, str | None]:
    """``(module, None)``, or ``(None, reason)`` when TextArena cannot be imported."""
    try:
        import textarena
    except Exception as err:  # any import failure becomes an "n/a" column, not a crash
        return None, f"textarena not importable ({type(err).__name__}: {err})"
    return textarena, None


def _play_textarena(ta: Any, env_id: str, seed: int, rng: random.Random,
                    invalid: list[int]) -> int:
    """One random legal TextArena game; counts steps the environment refused in
    ``invalid[0]`` (should stay 0: the actions above are meant to be legal)."""
    choose = TA_ACTIONS[env_id]
    env = ta.make(env_id)
    env.reset(num_players=TA_PLAYERS.get(env_id, 2), seed=seed)
    steps, done = 0, False
    while not done:
        env.get_observation()
        before = env.state.turn
        done, _ = env.step(choose(env, rng))
        steps += 1
        invalid[0] += env.state.turn == before
    env.close()
    return steps


def time_textarena(ta: Any, env_id: str, seconds: float, seed: int) -> dict[str, Any]:
    """Timed TextArena play, or ``{"available": False, "reason": ...}`` if it fails."""
    invalid = [0]
    try:
        figures = _timed(lambda s, r: _play_textarena(ta, env_id, s, r, invalid),
                         seconds, seed)
    except Exception as err:  # a broken or changed environment: report it, keep going
        return {"env_id": env_id, "available": False,
                "reason": f"{env_id} failed: {type(err).__name__}: {err}"}
    return {"env_id": env_id, "available": True, "invalid_steps": invalid[0], **figures}


def run_engine(names: Sequence[str], seconds: float, seed: int, textarena: bool = True,
               profile_steps: int = 0) -> dict[str, Any]:
    """All engine figures as a JSON-ready dict (see the module docstring)."""
    saved = random.getstate()  # TextArena draws from and reseeds the process-wide generator
    try:
        return _run_engine(names, seconds, seed, textarena, profile_steps)
    finally:
        random.setstate(saved)


def _run_engine(names: Sequence[str], seconds: float, seed: int, textarena: bool,
                profile_steps: int) -> dict[str, Any]:
    ta, reason = load_textarena() if textarena else (None, "skipped (--no-textarena)")
    result: dict[str, Any] = {
        "benchmark": "engine", "seconds_per_run": seconds, "seed": seed,
        "python": platform.python_version(), "machine": platform.machine(),
        "textarena": {"available": ta is not None, "reason": reason,
                      "version": getattr(ta, "__version__", None) if ta else None},
        "targets": {"ratio_min": RATIO_TARGET, "clone_us_max": CLONE_TARGET_US},
        "games": {},
    }
    clone_number = int(max(1_000, 200_000 * min(1.0, seconds)))
    for name in names:
        game = games.make(name)
        ours = _timed(functools.partial(play_ours, game), seconds, seed)
        env_id = ENGINE_GAMES[name]
        theirs = (time_textarena(ta, env_id, seconds, seed) if ta is not None
                  else {"env_id": env_id, "available": False, "reason": reason})
        ratio = cpu_ratio = None
        if theirs["available"]:
            ratio = ours["steps_per_s"] / theirs["steps_per_s"]
            cpu_ratio = theirs["cpu_us_per_step"] / ours["cpu_us_per_step"]
        result["games"][name] = {
            "ours": ours,
            "textarena": theirs,
            "ratio_steps_per_s": ratio,
            "ratio_cpu": cpu_ratio,
            "clone_us": clone_us(game, seed, clone_number),
            "clone_target_us": CLONE_TARGET_US.get(name),
        }
        if profile_steps > 0:
            result["games"][name]["profile"] = profile_ours(game, profile_steps, seed)
    return result


def engine_table(result: dict[str, Any]) -> Any:
    """A rich Table of :func:`run_engine`'s figures: one column per game."""
    from rich.table import Table

    rows = result["games"]
    table = Table(title=f"engine benchmark ({result['seconds_per_run']:g} s per game and engine)",
                  caption=_caption(result), caption_justify="left")
    table.add_column("")
    for name in rows:
        table.add_column(name, justify="right", no_wrap=True)

    def line(label: str, cell: Callable[[dict[str, Any]], str]) -> None:
        table.add_row(label, *(cell(row) for row in rows.values()))

    def theirs(key: str, fmt: Callable[[float], str]) -> Callable[[dict[str, Any]], str]:
        return lambda r: fmt(r["textarena"][key]) if r["textarena"]["available"] else "n/a"

    line("ours steps/s", lambda r: _rate(r["ours"]["steps_per_s"]))
    line("TextArena steps/s", theirs("steps_per_s", _rate))
    line(f"ours/TextArena (>= {RATIO_TARGET:g}x)", _ratio_cell)
    line("ours CPU us/step", lambda r: f"{r['ours']['cpu_us_per_step']:.2f}")
    line("TextArena CPU us/step", theirs("cpu_us_per_step", lambda x: f"{x:.2f}"))
    line("ours/TextArena by CPU time", lambda r: "n/a" if r["ratio_cpu"] is None
         else f"{r['ratio_cpu']:.1f}x")
    line("ours games/s", lambda r: _rate(r["ours"]["games_per_s"]))
    line("TextArena games/s", theirs("games_per_s", _rate))
    line("ours steps/game", lambda r: f"{r['ours']['steps_per_game']:.1f}")
    line("TextArena steps/game", theirs("steps_per_game", lambda x: f"{x:.1f}"))
    line("clone us (target)", _clone_cell)
    return table


def _rate(x: float) -> str:
    return f"{x:,.0f}"


def _ratio_cell(row: dict[str, Any]) -> str:
    ratio = row["ratio_steps_per_s"]
    if ratio is None:
        return "n/a"
    return f"[{'green' if ratio >= RATIO_TARGET else 'red'}]{ratio:.1f}x[/]"


def _clone_cell(row: dict[str, Any]) -> str:
    us, target = row["clone_us"], row["clone_target_us"]
    if target is None:
        return f"{us:.2f}"
    return f"[{'green' if us < target else 'red'}]{us:.2f}[/] (<{target:g})"


def _caption(result: dict[str, Any]) -> str:
    ta_info = result["textarena"]
    if not ta_info["available"]:
        return f"TextArena: n/a: {ta_info['reason']}"
    notes = [f"TextArena {ta_info['version'] or '?'}: "
             + ", ".join(r["textarena"]["env_id"] for r in result["games"].values())]
    for name, row in result["games"].items():
        theirs = row["textarena"]
        if not theirs["available"]:
            notes.append(f"{name}: n/a: {theirs['reason']}")
        elif theirs["invalid_steps"]:
            notes.append(f"{name}: {theirs['invalid_steps']} TextArena steps refused")
    notes.append("Random legal play; every step builds the mover's text observation; "
                 "ours/TextArena compares steps/s.")
    return "\n".join(notes)


def cmd_engine(args: argparse.Namespace) -> int:
    names = [n.strip() for n in args.games.split(",") if n.strip()]
    unknown = [n for n in names if n not in ENGINE_GAMES]
    if unknown or not names:
        print(f"bench engine: unknown game(s) {', '.join(map(repr, unknown)) or '(none given)'}"
              f"; choose from {', '.join(ENGINE_GAMES)}, e.g. --games kuhn_poker,tictactoe",
              file=sys.stderr)
        return 2
    if args.seconds <= 0:
        print(f"bench engine: --seconds {args.seconds:g} must be > 0, e.g. --seconds 4",
              file=sys.stderr)
        return 2
    result = run_engine(names, args.seconds, args.seed, textarena=not args.no_textarena,
                        profile_steps=args.profile or 0)
    household = args.seconds if args.household is None else args.household
    if household > 0:  # household beside TextWorldExpress (scripts/bench_household.py)
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_household import run_household

        result["household"] = run_household(household, args.seed)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    from rich.console import Console

    console = Console()
    console.print(engine_table(result))
    for name, row in result["games"].items():
        if "profile" in row:
            console.print(profile_table(name, row["profile"]))
    if "household" in result:
        from bench_household import household_lines

        console.print("\n".join(household_lines(result["household"])), highlight=False)
    return 0


def _add_engine(sub: Any) -> None:
    p = sub.add_parser("engine", help="steps/s of our games next to TextArena's; clone time",
                       description="Random legal play with observation text every decision.")
    p.add_argument("--seconds", type=float, default=4.0,
                   help="seconds per game and engine (default 4: about 30 s in all)")
    p.add_argument("--games", default=",".join(ENGINE_GAMES),
                   help=f"comma-separated subset of {', '.join(ENGINE_GAMES)}")
    p.add_argument("--seed", type=int, default=0, help="seed of the first game (default 0)")
    p.add_argument("--no-textarena", action="store_true", help="skip the TextArena column")
    p.add_argument("--profile", type=int, nargs="?", const=5000, default=0, metavar="STEPS",
                   help="also profile our games over STEPS decisions each (default 5000)")
    p.add_argument("--household", type=float, default=None, metavar="S",
                   help="seconds per household setting and for TextWorldExpress "
                        "(default: --seconds; 0: skip)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_engine)


# ----- command line -------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench.py engine", description="Engine speed beside TextArena.")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True)
    _add_engine(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
