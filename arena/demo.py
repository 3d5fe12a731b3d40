"""``arena demo``: the main job on embedded defaults (no server, no download).

It lists the games, plays a match of each (its scripted expert against random), runs
every exact evaluator each game declares for ``random`` and ``expert``, runs a small
tournament into a SQLite store with ratings, builds the local model (``models/tiny``) if it
is missing, and trains it by self-play on Kuhn Poker read in its compact view (``K 2 :
check``, a bare prompt) with RAE and MCTS step preferences (step-DPO) for a short run
whose exact exploitability falls below 0.1. Everything it
writes goes under ``out`` (default ``runs/demo-<UTC time>``), which outlives the demo:
``arena leaderboard --db OUT/tournament.db`` and ``arena plot OUT/selfplay`` work
afterwards.

Every string that comes from a game or a model passes :func:`common.untrusted.markup_safe`
before it reaches the terminal (a move such as ``[bet]`` prints as written).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Sequence

from rich.console import Console
from rich.table import Table

from common.untrusted import markup_safe

__all__ = ["run_demo", "default_out", "TOURNAMENT_GAMES", "SELFPLAY_GAME"]

TOURNAMENT_GAMES = ("kuhn_poker", "tictactoe")
"""The demo tournament's games (small, with experts MCTS can search)."""
Train = Callable[[Sequence[str]], int]
SELFPLAY_GAME = "kuhn_poker:view=compact"
"""The demo's self-play game: its exact exploitability shows learning in a few minutes.
The compact view (``K 2 : check``, four tokens) with a bare prompt: the model reads its
card within 5 iterations, where the 300-token text prompt keeps it at the card-blind
plateau (1/3) for about 25."""
STEP_PREFERENCES = ("--prompt", "bare", "--pg-coef", "1", "--dpo-coef", "2",
                    "--pref-prob", "0.5", "--pref-sims", "64", "--lr-final", "0.01",
                    "--entropy-coef", "0.3")
"""The demo's learning signal: the RAE policy gradient and step-DPO on the preferences of
PUCT searches at half the policy's decisions (64 simulations each), the learning rate
decaying to 1% (cosine) so that the last evaluations settle, and the entropy bonus at 0.3
(measured so in 60 iterations; the default 0.1 suits longer runs)."""


def default_out() -> Path:
    return Path("runs") / time.strftime("demo-%Y%m%d-%H%M%S", time.gmtime())


def _section(console: Console, title: str) -> None:
    console.rule(f"[bold]{markup_safe(title, multiline=False)}")


def _player(game) -> str:
    return "expert" if type(game).expert is not None else "random"


def one_match_each(console: Console, seed: int = 7) -> None:
    """A match of every registered game: its expert (or random) against random."""
    import games
    from agents import make_agent

    from arena.schedule import play, versus_schedule

    for name in games.available():
        game = games.make(name)
        me = _player(game)
        planned = versus_schedule(name, me, "random", 1, seed, "demo", game)[:1]
        players = {a: make_agent(a, seed=seed) for a in {me, "random"}}
        (record,) = play(planned, players)
        moves = ", ".join(d.action or "-" for d in record.decisions)
        short = moves[:70] + ("..." if len(moves) > 70 else "")
        line = (f"{name} {' vs '.join(record.agents)}: {len(record.decisions)} moves "
                f"({short}); returns {record.returns}")
        console.print(f"[bold]{markup_safe(name, multiline=False)}[/]"
                      f"{markup_safe(line[len(name):], multiline=False)}", highlight=False)


def exact_evaluations(console: Console) -> None:
    """Every exact evaluator of every game, for ``random`` and ``expert``."""
    import games
    from games.algorithms import evaluators_of

    from arena.evaluate import evaluate

    table = Table(title="Exact evaluation (what each game declares)")
    for col in ("game", "agent", "metric", "value"):
        table.add_column(col)
    notes = []
    for name in games.available():
        game = games.make(name)
        if not evaluators_of(game):
            continue
        for spec in dict.fromkeys(("random", _player(game))):
            result = evaluate(name, spec, games=0)
            for key, value in result.metrics.items():
                if "/" not in key:  # headline metrics; details are in `arena eval`
                    table.add_row(*(markup_safe(x, multiline=False) for x in
                                    (name, spec, key)), f"{value:.4f}")
            notes += [f"{name} {spec}: {n}" for n in result.notes]
    console.print(table if table.row_count else "(no game declares an exact evaluator)")
    for note in notes:
        console.print(f"note: {markup_safe(note)}", highlight=False)


def _tournament(console: Console, db: Path) -> None:
    from arena.tournament_cli import run_from_argv

    _section(console, "A round-robin tournament (resumable: run it again and it continues)")
    argv = [x for g in TOURNAMENT_GAMES for x in ("--game", g)]
    run_from_argv(argv + ["--agents", "random,expert,mcts:simulations=50", "--rounds", "4",
                          "--db", str(db)])


def _self_play(console: Console, run_dir: Path, fast: bool, train: Train | None) -> None:
    """Build the local model if needed, then a short self-play run."""
    from agents.llm.tiny_model import build_model

    if train is None:  # training is a package above the arena: handed in, not imported
        console.print("(no training package installed: self-play step skipped)")
        return
    model = Path("models/tiny")
    if not (model / "config.json").exists():
        _section(console, "Building the local model (tokenizer trained on game text, Qwen3-style)")
        build_model(model)
        console.print(f"wrote {markup_safe(model)}")
    _section(console, f"Self-play training on {SELFPLAY_GAME} (choice mode, bare prompt, "
                      "RAE and MCTS step preferences: step-DPO)")
    iterations = "4" if fast else "60"
    train(["--game", SELFPLAY_GAME, "--model", str(model), "--iterations", iterations,
           "--matches", "256", *STEP_PREFERENCES, "--eval-every", "2" if fast else "5",
           "--eval-games", "40", "--out", str(run_dir)])


def run_demo(fast: bool = False, out: str | Path | None = None,
             console: Console | None = None, train: Train | None = None) -> int:
    """The demo; ``train(argv)`` runs ``arena train`` (the command line hands it over
    where the training package is installed; None skips self-play)."""
    console = console or Console()
    out = Path(out) if out is not None else default_out()
    out.mkdir(parents=True, exist_ok=True)
    import games

    _section(console, "Games")
    console.print(markup_safe(", ".join(games.available())))
    _section(console, "One match of each game")
    one_match_each(console)
    _section(console, "Exact evaluation")
    exact_evaluations(console)
    _tournament(console, out / "tournament.db")
    _self_play(console, out / "selfplay", fast, train)
    console.print(f"\nEverything is in {markup_safe(out)}: arena leaderboard --db "
                  f"{markup_safe(out / 'tournament.db')}; arena plot "
                  f"{markup_safe(out / 'selfplay')}", highlight=False)
    console.print("Next: arena play tictactoe --agents minimax,random --watch")
    return 0
