"""``arena plot RUN_DIR``: PNG curves from a run's metrics.jsonl (matplotlib, Agg).

One PNG per panel of :data:`PANELS` that has data (``exploitability.png``, ``ratings.png``,
the step-DPO curves ``step_DPO_loss.png``, ``step_DPO_accuracy_and_margin.png``, ...), written to ``RUN_DIR/plots`` unless told otherwise; x is the iteration. The ratings
panel (the rating ladder, ``ladder/<game>/<player>/rating``) shades each player's 95%
interval (its ``.../low`` and ``.../high`` keys).
"""

from __future__ import annotations

import json
from pathlib import Path

from training.evaluation import headline_metric

__all__ = ["read_metrics", "plot_run", "compare_runs"]

PANELS = [
    ("win rate", lambda k: k.startswith("eval/") and k.endswith("/win_rate") and k.count("/") == 3),
    ("RAE baselines per role", lambda k: k.startswith("baseline/")),
    ("mean advantage per role", lambda k: k.startswith("advantage/")),
    ("loss", lambda k: k == "losses/loss"),
    ("ratings", lambda k: k.startswith("ladder/") and k.endswith("/rating")),
    ("success rate", lambda k: headline_metric(k) == "success rate"),
    ("step-DPO loss", lambda k: k == "dpo/loss"),
    ("step-DPO accuracy and margin", lambda k: k in ("dpo/accuracy", "dpo/margin")),
    ("step pairs per iteration", lambda k: k == "pairs"),
    ("search share of an iteration", lambda k: k == "search_share"),
]


def read_metrics(run_dir: str | Path) -> list[dict]:
    if not Path(run_dir).is_dir():
        raise FileNotFoundError(f"run folder {str(run_dir)!r} does not exist: give the --out "
                                "folder of an arena train run (default runs/GAME__ADV__SEED__TIME)")
    path = Path(run_dir) / "metrics.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"no metrics.jsonl in {run_dir}: is it a run folder of arena train?")
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _band(ax, rows: list[dict], key: str, color: str) -> None:
    """Shade the interval of a ``.../rating`` series where its low and high are recorded."""
    if not key.endswith("/rating"):
        return
    low, high = key[:-len("rating")] + "low", key[:-len("rating")] + "high"
    pts = [(r["iteration"], r[low], r[high]) for r in rows if low in r and high in r]
    if pts:
        ax.fill_between([p[0] for p in pts], [p[1] for p in pts], [p[2] for p in pts],
                        color=color, alpha=0.15, linewidth=0)


def _headline_panels(keys: list[str]) -> list[tuple[str, object]]:
    """One panel per exact evaluator a game declares (``eval/<game>/<evaluator>``), all
    games of the run together: ``exploitability``, ``optimal_moves``, ..."""
    names = sorted({key.split("/")[2] for key in keys
                    if headline_metric(key) is not None and key.count("/") == 2})
    return [(name, lambda k, n=name: k.count("/") == 2 and headline_metric(k) == n)
            for name in names]


def plot_run(run_dir: str | Path, out: str | Path | None = None) -> list[Path]:
    """One PNG per panel that has data; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = read_metrics(run_dir)
    out_dir = Path(out) if out else Path(run_dir) / "plots"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    keys = sorted({k for r in rows for k, v in r.items() if isinstance(v, (int, float))})
    for title, wanted in _headline_panels(keys) + PANELS:
        series = [k for k in keys if wanted(k)]
        if not series:
            continue
        fig, ax = plt.subplots(figsize=(7, 4))
        for k in series:
            pts = [(r["iteration"], r[k]) for r in rows if k in r]
            line, = ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, label=k)
            _band(ax, rows, k, line.get_color())
        path = out_dir / (title.replace(" ", "_").replace("-", "_") + ".png")
        written.append(_finish(plt, fig, ax, "iteration", title, path, legend_size=7))
    return written


def _finish(plt, fig, ax, xlabel: str, title: str, path: Path, legend_size: int) -> Path:
    """Label, grid and legend a panel, write it as a PNG, close it."""
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=legend_size)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _compared(key: str) -> bool:
    """Evaluation keys that :func:`compare_runs` overlays: the headlines and the loss rate
    against ``random``."""
    return headline_metric(key) is not None or (
        key.startswith("eval/") and key.endswith("/vs_random/loss_rate") and key.count("/") == 3)


def _training_curve(key: str) -> bool:
    """What runs without evaluations (``--eval-every 0``) are compared by: the mean
    advantage per role (with ``--advantage none``, the mean return) and the entropy."""
    return key.startswith("advantage/") or key == "train/entropy"


def _shared(runs: dict[str, list[dict]], wanted) -> list[str]:
    return sorted(set.intersection(*({k for r in rows for k, v in r.items() if wanted(k)
                                      and isinstance(v, (int, float))}
                                     for rows in runs.values())))


def compare_runs(run_dirs: list[str | Path], out: str | Path) -> list[Path]:
    """One PNG per evaluation key shared by the runs: each run's curve against wall time,
    labelled by its folder name (e.g. the same game with ``--advantage rae`` and ``none``).
    Runs that share no evaluation key (trained with ``--eval-every 0``) are compared by
    their per-role advantages and entropy instead."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = {Path(d).name: read_metrics(d) for d in run_dirs}
    keys = _shared(runs, _compared)
    if not keys and any(k.startswith("advantage/") for k in _shared(runs, _training_curve)):
        keys = _shared(runs, _training_curve)  # the entropy alone compares no game
    if not keys:
        raise ValueError(f"the runs {', '.join(runs)} share no evaluation key "
                         "(headlines: an exact evaluator, the win rate against random, the "
                         "success rate) and no per-role advantage; compare runs of the same "
                         "game")
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for key in keys:
        fig, ax = plt.subplots(figsize=(7, 4))
        for name, rows in runs.items():
            pts = [(r["elapsed_s"] / 60, r[key]) for r in rows if key in r]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, label=name)
        path = out_dir / (key.replace("eval/", "").replace("train/", "").replace("/", "_")
                          + ".png")
        written.append(_finish(plt, fig, ax, "wall time (minutes)", key, path, legend_size=8))
    return written
