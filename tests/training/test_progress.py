"""arena train's display: on a terminal a progress bar with the ETA and the latest
evaluation (no line per iteration); elsewhere one plain line per iteration."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from training.progress import ProgressState, TrainProgress, eta_seconds, eval_summary, row_line

ROWS = [
    {"iteration": 0, "elapsed_s": 0.0, "eval/kuhn_poker/exploitability": 0.399},
    {"iteration": 1, "elapsed_s": 2.0, "games_per_s": 10.0, "losses/loss": -0.25,
     "invalid_rate": 0.0, "advantage/kuhn_poker/first": 0.125},
    {"iteration": 2, "elapsed_s": 4.0, "games_per_s": 11.0, "losses/loss": -0.5,
     "invalid_rate": 0.0, "eval/kuhn_poker/exploitability": 0.333,
     "eval/kuhn_poker/policy": {"K:": 0.5}},
]


@pytest.mark.parametrize("state, eta", [
    (ProgressState(10, 40, None, 20.0, 2.0), 60.0),  # iterations left x mean time
    (ProgressState(10, None, 1.0, 20.0, 2.0), 40.0),  # the time budget left
    (ProgressState(10, 40, 1.0, 20.0, 2.0), 40.0),  # both: the earlier end
    (ProgressState(10, 12, 1.0, 20.0, 2.0), 4.0),
    (ProgressState(0, 40, None, 0.0, None), None),  # unknown before an iteration
    (ProgressState(50, None, 0.5, 40.0, 2.0), 0.0),  # past the budget
])
def test_eta_is_the_earlier_end(state, eta):
    assert eta_seconds(state) == eta


def test_eval_summary_and_log_line_read_scalars_only():
    assert eval_summary(ROWS[2]) == "kuhn_poker/exploitability 0.333"
    assert row_line(ROWS[1]) == ("it 1  games/s 10.0  loss -0.2500  invalid 0.00  "
                                 "adv[kuhn_poker/first] +0.125")


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=120, force_terminal=terminal, color_system=None,
                   legacy_windows=False), out


def test_a_terminal_gets_a_bar_with_eta_and_the_latest_evaluation():
    console, out = _console(terminal=True)
    with TrainProgress(console, limit=40, minutes=None) as progress:
        for row in ROWS:
            progress.update(row)
    text = out.getvalue()
    assert "it 2/40" in text and "ETA " in text
    assert "kuhn_poker/exploitability 0.333" in text
    assert "games/s" not in text  # no raw line per iteration


def test_a_time_budget_bar_counts_minutes():
    console, out = _console(terminal=True)
    with TrainProgress(console, limit=None, minutes=1.0) as progress:
        progress.update(ROWS[1])
    assert "it 1  0:00:02/0:01:00" in out.getvalue()


def test_a_pipe_gets_one_plain_line_per_iteration():
    console, out = _console(terminal=False)
    with TrainProgress(console, limit=40, minutes=None) as progress:
        for row in ROWS:
            progress.update(row)
    lines = out.getvalue().splitlines()
    assert lines == [row_line(r) for r in ROWS]


def test_hostile_text_in_a_row_reaches_no_terminal():
    console, out = _console(terminal=False)
    with TrainProgress(console, limit=4, minutes=None) as progress:
        progress.update({"iteration": 1, "advantage/\x1b]0;title\x07game/[bold]x": 0.5})
    assert "\x1b" not in out.getvalue() and "\x07" not in out.getvalue()
    assert "[bold]x" in out.getvalue()
