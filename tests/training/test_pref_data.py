"""Preferences as data: ``arena preferences`` writes TRL's prompt/chosen/rejected columns
plus the search's fields, atomically; ``arena train --pref-data`` trains on the file."""

from __future__ import annotations

import json

import pytest

from training.pref_data import COLUMNS, parse_search, preferences_from_argv, read_pairs


def _export(tmp_path, *extra):
    out = tmp_path / "prefs.jsonl"
    defaults = [(k, v) for k, v in (("--search", "mcts:simulations=24"), ("--matches", "3"))
                if k not in extra]  # an option is given once (a repeat is refused)
    rc = preferences_from_argv(["--game", "tictactoe", "--agent", "random",
                                *(x for kv in defaults for x in kv), "--out", str(out),
                                *extra])
    return rc, out


def test_export_columns_and_values(tmp_path, capsys):
    rc, out = _export(tmp_path)
    assert rc == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and f"{len(rows)} pairs written to {out}" in capsys.readouterr().out
    for row in rows:
        assert tuple(row) == COLUMNS
        assert row["game"] == "tictactoe" and row["role"] in ("X", "O")
        assert row["chosen"] != row["rejected"]
        assert f"[{row['chosen'][1:-1]}]" == row["chosen"]  # canonical actions, e.g. [4]
        assert row["q_chosen"] > row["q_rejected"]
        assert row["visits_chosen"] >= 1 and row["visits_rejected"] >= 1
        assert 0.5 <= row["confidence"] < 1.0
        assert row["prompt"].strip()
    assert [p.name for p in tmp_path.iterdir()] == ["prefs.jsonl"]  # no temporary file left
    rc2, out2 = _export(tmp_path / "again")
    assert out2.read_text() == out.read_text()  # same seed, same file


def test_export_reads_back_and_loads_as_a_trl_dataset(tmp_path):
    _, out = _export(tmp_path)
    pairs = read_pairs(out, lambda text: [1, 2, 3])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(p.prompt, p.chosen, p.rejected) for p in pairs] == [
        (r["prompt"], r["chosen"], r["rejected"]) for r in rows]
    datasets = pytest.importorskip("datasets")
    data_utils = pytest.importorskip("trl.data_utils")
    ds = datasets.load_dataset("json", data_files=str(out), split="train")
    assert set(ds.column_names) == set(COLUMNS)
    example = ds[0]
    assert not data_utils.is_conversational(example)  # TRL's standard (plain text) form
    assert data_utils.maybe_extract_prompt(example)["prompt"] == rows[0]["prompt"]
    unpaired = data_utils.unpair_preference_dataset(ds.select_columns(["prompt", "chosen",
                                                                       "rejected"]))
    assert len(unpaired) == 2 * len(ds) and set(unpaired.column_names) >= {"completion", "label"}


@pytest.mark.parametrize("args, message", [
    (["--search", "uct:simulations=3"], "must be mcts[:simulations=N"),
    (["--search", "mcts:sims=3"], "--search option 'sims=3' unknown"),
    (["--search", "mcts:simulations=0"], "simulations must be >= 1"),
    (["--matches", "0"], "--matches 0 must be a whole number from 1 to 10000"),
    (["--prob", "0"], "--prob 0.0 must be in (0, 1]"),
])
def test_bad_options_exit_2_with_one_line(tmp_path, capsys, args, message):
    rc, _ = _export(tmp_path, *args)
    err = capsys.readouterr().err
    assert rc == 2 and message in err and err.count("\n") == 1


def test_parse_search_defaults():
    assert parse_search("mcts") == {"simulations": 32, "c": 1.0, "playout": "random"}
    assert parse_search("mcts:simulations=8,c=2,playout=expert") == {
        "simulations": 8, "c": 2.0, "playout": "expert"}


def test_bad_file_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"prompt": "p", "chosen": "a", "rejected": "b"}\n{"prompt": "p"}\n')
    with pytest.raises(ValueError, match="bad.jsonl line 2: not a preference row"):
        read_pairs(path, lambda t: [1])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_pairs(tmp_path / "none.jsonl", lambda t: [1])


@pytest.mark.parametrize("extra", ['"confidence": NaN', '"confidence": "high"',
                                   '"q_chosen": Infinity', '"visits_chosen": [1]'])
def test_bad_numbers_are_refused_naming_the_line(tmp_path, extra):
    # a NaN confidence became a NaN label smoothing, hence a NaN loss
    path = tmp_path / "nums.jsonl"
    path.write_text('{"prompt": "p", "chosen": "a", "rejected": "b"}\n'
                    f'{{"prompt": "p", "chosen": "a", "rejected": "b", {extra}}}\n')
    with pytest.raises(ValueError, match="nums.jsonl line 2: confidence, q_chosen, "
                                         "q_rejected must be finite numbers"):
        read_pairs(path, lambda t: [1])


def test_offline_training_on_a_preferences_file(tiny_model, tmp_path):
    from training.config import SelfPlayConfig
    from training.loop import train

    _, prefs = _export(tmp_path)
    n = len(prefs.read_text().splitlines())
    run = train(SelfPlayConfig(games=["tictactoe"], model=tiny_model, out=str(tmp_path / "run"),
                               iterations=2, pg_coef=0.0, dpo_coef=1.0, pref_data=str(prefs),
                               eval_every=0, lr_schedule="constant", lr=1e-2, device="cpu"))
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["matches"] for r in rows] == [0, 0]  # offline: no rollouts
    assert [r["pairs"] for r in rows] == [n, n]
    assert rows[1]["dpo/loss"] < rows[0]["dpo/loss"]  # it learns the file's preferences
    assert rows[1]["dpo/margin"] > 0


def test_no_pairs_says_why(tmp_path, capsys):
    # a gap no pair can reach (returns lie in [-1, 1]): searches ran, no pair qualified
    rc, out = _export(tmp_path, "--min-gap", "5")
    assert rc == 0 and out.read_text() == ""
    said = capsys.readouterr().out
    assert "0 pairs written" in said and "searches found no two moves" in said
    assert "--min-gap" in said


def test_why_none_names_invalid_replies_and_unsearched_runs():
    from training.pref_data import _why_none
    from training.preferences import SearchReport

    assert "raise --prob" in _why_none(SearchReport([], 0, 0, 0))
    said = _why_none(SearchReport([], 4, 1, 16, completions=16, invalid=16))
    assert "all 16 sampled replies were invalid" in said
    assert _why_none(SearchReport([], 4, 1, 16, completions=16, invalid=3)).startswith(" (4 searches")


def test_an_out_path_with_a_terminal_escape_is_printed_cleaned(tmp_path, capsys):
    out = tmp_path / "p\x1b[2Jrefs.jsonl"
    rc = preferences_from_argv(["--game", "tictactoe", "--agent", "random", "--search",
                                "mcts:simulations=8", "--matches", "1", "--out", str(out)])
    assert rc == 0 and out.is_file()
    assert "\x1b" not in capsys.readouterr().out
