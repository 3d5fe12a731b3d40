"""``arena plot``: one PNG per panel with data, and a clear error for a missing folder."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("matplotlib")

from arena.cli import main as arena_main  # noqa: E402
from training.plots import plot_run, read_metrics  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def _synthetic_run(run_dir, with_ladder: bool = True) -> None:
    rows = []
    for it in range(5):
        row = {"iteration": it, "losses/loss": 0.1 * it, "baseline/kuhn_poker/first": -0.05,
               "advantage/kuhn_poker/first": 0.01 * it, "elapsed_s": float(it)}
        if it % 2 == 0:
            row.update({"eval/kuhn_poker/exploitability": 0.4 - 0.02 * it,
                        "eval/kuhn_poker/vs_random/win_rate": 0.5,
                        "eval/kuhn_poker/vs_random/first/win_rate": 0.5,  # per seat: not plotted
                        "eval/tictactoe/optimal_move_rate": 0.3,
                        "eval/kuhn_poker/policy": {"J:": 0.5}})
        if with_ladder and it in (2, 4):
            for name, r in (("policy", 1100.0 + it), ("random", 1000.0)):
                row.update({f"ladder/kuhn_poker/{name}/rating": r,
                            f"ladder/kuhn_poker/{name}/low": r - 50,
                            f"ladder/kuhn_poker/{name}/high": r + 50})
        rows.append(row)
    run_dir.mkdir(parents=True)
    (run_dir / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_plot_writes_one_png_per_panel(tmp_path):
    run = tmp_path / "run"
    _synthetic_run(run)
    written = plot_run(run)
    names = sorted(p.name for p in written)
    assert names == sorted(["exploitability.png", "optimal_move_rate.png", "win_rate.png",
                            "RAE_baselines_per_role.png", "mean_advantage_per_role.png",
                            "loss.png", "ratings.png"])
    for path in written:
        assert path.parent == run / "plots"
        assert path.read_bytes()[:8] == PNG


def test_panels_without_data_are_skipped_and_out_is_honoured(tmp_path):
    run = tmp_path / "run"
    _synthetic_run(run, with_ladder=False)
    written = plot_run(run, tmp_path / "pngs")
    assert "ratings.png" not in {p.name for p in written}
    assert all(p.parent == tmp_path / "pngs" for p in written)


def test_arena_plot_command(tmp_path, capsys):
    run = tmp_path / "run"
    _synthetic_run(run)
    assert arena_main(["plot", str(run)]) == 0
    printed = capsys.readouterr().out.split()
    assert str(run / "plots" / "ratings.png") in printed


def test_missing_folder_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "no-such-run"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        plot_run(missing)
    assert arena_main(["plot", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "no-such-run" in err and "does not exist" in err
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no metrics.jsonl"):
        read_metrics(tmp_path / "empty")


def test_plot_of_several_runs_overlays_their_shared_evaluation_keys(tmp_path):
    _synthetic_run(tmp_path / "rae")
    _synthetic_run(tmp_path / "none", with_ladder=False)
    out = tmp_path / "cmp"
    assert arena_main(["plot", str(tmp_path / "rae"), str(tmp_path / "none"),
                       "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["kuhn_poker_exploitability.png", "kuhn_poker_vs_random_win_rate.png",
                     "tictactoe_optimal_move_rate.png"]
    assert all((out / n).read_bytes().startswith(PNG) for n in names)


def test_plot_of_runs_of_different_games_says_why(tmp_path, capsys):
    from training.plots import compare_runs

    _synthetic_run(tmp_path / "a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "metrics.jsonl").write_text(
        json.dumps({"iteration": 0, "elapsed_s": 0.0, "eval/negotiation/vs_random/draw_rate": 1})
        + "\n")
    with pytest.raises(ValueError, match="share no evaluation key"):
        compare_runs([tmp_path / "a", tmp_path / "b"], tmp_path / "out")


def test_runs_without_evaluations_are_compared_by_advantage_per_role(tmp_path):
    from training.plots import compare_runs

    for name, adv in (("rae", 0.1), ("none", 0.9)):
        (tmp_path / name).mkdir()
        rows = [{"iteration": it, "elapsed_s": 60.0 * it, "train/entropy": 1.0,
                 "advantage/werewolf/werewolf": adv, "advantage/werewolf/seer": -adv}
                for it in range(1, 4)]
        (tmp_path / name / "metrics.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in rows))
    written = compare_runs([tmp_path / "rae", tmp_path / "none"], tmp_path / "out")
    assert sorted(p.name for p in written) == [
        "advantage_werewolf_seer.png", "advantage_werewolf_werewolf.png", "entropy.png"]
    assert all(p.read_bytes().startswith(PNG) for p in written)


def test_plot_of_a_step_dpo_run_has_the_dpo_curves(tmp_path):
    run = tmp_path / "run"
    rows = [{"iteration": it, "losses/loss": 0.1, "dpo/loss": 0.69 - 0.01 * it,
             "dpo/accuracy": 0.5 + 0.05 * it, "dpo/margin": 0.01 * it, "pairs": 40 + it,
             "search_share": 0.5} for it in range(1, 4)]
    run.mkdir()
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    names = sorted(p.name for p in plot_run(run))
    assert names == ["loss.png", "search_share_of_an_iteration.png", "step_DPO_accuracy_and_margin.png",
                     "step_DPO_loss.png", "step_pairs_per_iteration.png"]
    assert all((run / "plots" / n).read_bytes().startswith(PNG) for n in names)


def test_any_games_headline_metrics_get_panels_and_progress(tmp_path):
    from training.evaluation import headline_metric
    from training.plots import plot_run
    from training.progress import eval_summary

    rows = [{"iteration": i, "elapsed_s": float(i), "eval/household/episodes/success_rate": 0.1 * i,
             "eval/werewolf/vote_accuracy": 0.5, "eval/werewolf/vs_random/village/win_rate": 0.4}
            for i in range(3)]
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    names = {p.name for p in plot_run(tmp_path / "run")}
    assert {"vote_accuracy.png", "success_rate.png"} <= names
    assert headline_metric("eval/werewolf/vs_random/village/win_rate") is None
    summary = eval_summary(rows[2])
    assert "household/episodes/success_rate 0.200" in summary
    assert "werewolf/vote_accuracy 0.500" in summary and "village" not in summary


def test_runs_of_different_games_sharing_only_the_entropy_say_why(tmp_path):
    from training.plots import compare_runs

    for name, game, role in (("a", "kuhn_poker", "first"), ("b", "tictactoe", "x")):
        (tmp_path / name).mkdir()
        rows = [{"iteration": it, "elapsed_s": 60.0 * it, "train/entropy": 1.0,
                 f"advantage/{game}/{role}": 0.1,
                 f"eval/{game}/vs_random/win_rate": 0.5} for it in range(1, 3)]
        (tmp_path / name / "metrics.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(ValueError, match="share no evaluation key"):
        compare_runs([tmp_path / "a", tmp_path / "b"], tmp_path / "out")
    assert not (tmp_path / "out").exists()
