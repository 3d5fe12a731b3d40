"""``arena demo``: the main job on embedded defaults (no server, no download).

It lists the games, plays a match of each with scripted experts, evaluates agents exactly
(Kuhn Poker exploitability, TicTacToe optimal-move rate), runs a small tournament into a
SQLite store with ratings, builds the local model (``models/tiny``) if it is missing, and
trains it by self-play on Kuhn Poker for a short run whose exact exploitability falls.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

__all__ = ["run_demo"]


def _section(console: Console, title: str) -> None:
    console.rule(f"[bold]{title}")


def _exact_evaluation(console: Console) -> None:
    from agents import make_agent

    from arena.kuhn_eval import evaluate_kuhn
    from arena.tictactoe_eval import optimal_move_rate

    table = Table(title="Exact evaluation")
    for col in ("game", "agent", "metric", "value"):
        table.add_column(col)
    for spec in ("random", "kuhn-nash:alpha=0.2"):
        res = evaluate_kuhn(agent=make_agent(spec))
        table.add_row("kuhn_poker", spec, "exploitability", f"{res['exploitability']:.4f}")
        table.add_row("kuhn_poker", spec, "value as first", f"{res['value_as_first']:+.4f}")
    for spec in ("random", "minimax"):
        res = optimal_move_rate(make_agent(spec))
        table.add_row("tictactoe", spec, "optimal-move rate", f"{res['optimal_rate']:.4f}")
    console.print(table)


def _one_match_each(console: Console) -> None:
    import games
    from agents import make_agent

    from arena.runner import play_match

    for name in ("kuhn_poker", "tictactoe", "negotiation"):
        game = games.make(name)
        record = play_match(game, [make_agent("expert", seed=1), make_agent("random", seed=2)],
                            seed=7)
        moves = ", ".join(d.action or "-" for d in record.decisions)
        console.print(f"[bold]{name}[/] expert vs random: {len(record.decisions)} moves "
                      f"({moves[:70]}{'...' if len(moves) > 70 else ''}); returns {record.returns}",
                      markup=True, highlight=False)


def _tournament(console: Console, db: Path) -> None:
    if importlib.util.find_spec("arena.tournament") is None:
        return
    from arena.tournament import run_from_argv

    _section(console, "A round-robin tournament (resumable: run it again and it continues)")
    run_from_argv(["--game", "kuhn_poker", "--game", "tictactoe", "--agents",
                   "random,expert,mcts:simulations=50", "--rounds", "4", "--db", str(db)])


def _self_play(console: Console, work: Path, fast: bool) -> None:
    """Build the local model if needed, then a short self-play run on Kuhn Poker."""
    from agents.llm.tiny_model import build_model
    from arena.cli import commands, run_command

    if "train" not in commands():  # training is a package above the arena: found, not imported
        console.print("(no training package installed: self-play step skipped)")
        return
    model = Path("models/tiny")
    if not (model / "config.json").exists():
        _section(console, "Building the local model (tokenizer trained on game text, Qwen3-style)")
        build_model(model)
        console.print(f"wrote {model}")
    _section(console, "Self-play training on Kuhn Poker (choice mode, RAE): exploitability falls")
    iterations = "4" if fast else "30"
    run_command("train", ["--game", "kuhn_poker", "--model", str(model), "--iterations", iterations,
                             "--matches", "256", "--eval-every", "5" if not fast else "2",
                             "--eval-games", "40", "--out", str(work / "run")])


def run_demo(fast: bool = False) -> int:
    console = Console()
    import games

    _section(console, "Games")
    console.print(", ".join(games.available()))
    _section(console, "One match of each game")
    _one_match_each(console)
    _section(console, "Exact evaluation")
    _exact_evaluation(console)
    with tempfile.TemporaryDirectory() as tmp:
        _tournament(console, Path(tmp) / "demo.db")
        _self_play(console, Path(tmp), fast)
    console.print("\nNext: arena play tictactoe --agents minimax,random --watch")
    return 0
