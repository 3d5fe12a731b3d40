"""Terminal tables of an :class:`arena.evaluate.Evaluation` (``arena eval``, the demo).

Pure builders (:func:`exact_table`, :func:`sampled_tables`) and one printer; every string
that comes from a game, an agent or a file passes :func:`common.untrusted.markup_safe`.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from common.untrusted import markup_safe

from arena.evaluate import Evaluation

__all__ = ["exact_table", "sampled_tables", "game_tables", "print_evaluation"]

_SAMPLED = ("vs_", "episodes/")
_GAME = "game/"
"""After ``vs_<opponent>/``: metrics the game read from the records (a table of their own)."""


def _safe(text: object) -> str:
    return markup_safe(text, multiline=False)


def exact_table(result: Evaluation) -> Table | None:
    """The exact evaluators' metrics, one row each; None when there are none."""
    rows = {k: v for k, v in result.metrics.items() if not k.startswith(_SAMPLED)}
    if not rows:
        return None
    table = Table(title=f"Exact evaluation: {_safe(result.game)}, {_safe(result.agent)}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in rows.items():
        table.add_row(_safe(key), f"{value:.6f}")
    return table


def _groups(metrics: dict[str, float], prefix: str) -> dict[str, dict[str, float]]:
    """``{role or "all": {metric: value}}`` of the keys under ``prefix``."""
    out: dict[str, dict[str, float]] = {}
    for key, value in metrics.items():
        if key.startswith(prefix) and not key.startswith(_GAME, len(prefix)):
            role, _, metric = key[len(prefix):].rpartition("/")
            out.setdefault(role or "all", {})[metric] = value
    return out


def sampled_tables(result: Evaluation) -> list[Table]:
    """One table per opponent (or the episodes of a one-player game): a row overall and
    one per role, with the win rate's 95% Wilson interval."""
    prefixes = dict.fromkeys(k.split("/", 1)[0] + "/" for k in result.metrics
                             if k.startswith(_SAMPLED))
    tables = []
    for prefix in prefixes:
        groups = _groups(result.metrics, prefix)
        if prefix == "episodes/":
            table = Table(title=f"{_safe(result.agent)} on {_safe(result.game)}: episodes")
            for col in ("games", "success", "95% CI", "mean return", "95% CI "):
                table.add_column(col, justify="right")
            g = groups["all"]
            table.add_row(f"{g['games']:.0f}", f"{g['success_rate']:.3f}",
                          f"{g['success_rate_low']:.2f}..{g['success_rate_high']:.2f}",
                          f"{g['mean_return']:+.3f}",
                          f"{g['mean_return_low']:+.2f}..{g['mean_return_high']:+.2f}")
            tables.append(table)
            continue
        opponent = prefix[len("vs_"):-1]
        table = Table(title=f"{_safe(result.agent)} against {_safe(opponent)} "
                            f"({result.games} games per seat)")
        for col in ("role", "games", "win", "draw", "loss", "win 95% CI", "mean return"):
            table.add_column(col, justify="left" if col == "role" else "right")
        for role in ["all"] + sorted(r for r in groups if r != "all"):
            g = groups[role]
            table.add_row(_safe(role), f"{g['games']:.0f}", f"{g['win_rate']:.3f}",
                          f"{g['draw_rate']:.3f}", f"{g['loss_rate']:.3f}",
                          f"{g['win_rate_low']:.2f}..{g['win_rate_high']:.2f}",
                          f"{g['mean_return']:+.3f}")
        tables.append(table)
    return tables


def game_tables(result: Evaluation) -> list[Table]:
    """One table per opponent of the metrics the game read from the records
    (``vs_<opponent>/game/<metric>``), one row each; none when the game declares none."""
    by_opp: dict[str, dict[str, float]] = {}
    for key, value in result.metrics.items():
        opp, sep, rest = key.partition("/" + _GAME)
        if sep and (opp.startswith("vs_") or opp == "episodes"):
            by_opp.setdefault(opp, {})[rest] = value
    tables = []
    for opp, rows in by_opp.items():
        against = (f"on {_safe(result.game)}" if opp == "episodes"
                   else f"against {_safe(opp[len('vs_'):])}: {_safe(result.game)}")
        table = Table(title=f"{_safe(result.agent)} {against} metrics")
        table.add_column("metric")
        table.add_column("value", justify="right")
        for key, value in rows.items():
            shown = f"{value:.0f}" if key.endswith(("/games", "/votes", "/episodes")) \
                else f"{value:.3f}"
            table.add_row(_safe(key), shown)
        tables.append(table)
    return tables


def print_evaluation(result: Evaluation, console: Console) -> None:
    exact = exact_table(result)
    if exact is not None:
        console.print(exact)
    for table in sampled_tables(result):
        console.print(table)
    for table in game_tables(result):
        console.print(table)
    for note in result.notes:
        console.print(f"note: {_safe(note)}", highlight=False)
