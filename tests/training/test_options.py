"""Options declared once: every training option has help, a range or choices, a flag;
config files round-trip and are checked; a run folder's config.toml runs the same
training again."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training.cli import build_train_parser, config_from_args, train_from_argv
from training.config import SelfPlayConfig
from training.options import declarations, read_toml, to_toml

DECLARED = declarations(SelfPlayConfig)


def test_every_field_is_declared_with_help_and_a_flag():
    assert [d.name for d in DECLARED] == [f.name for f in dataclasses.fields(SelfPlayConfig)]
    flags = {a.dest: a for a in build_train_parser()._actions}
    for d in DECLARED:
        assert len(d.help) > 15, d.name
        assert d.name in flags, d.name
        text = flags[d.name].help
        assert "Default:" in text and d.help.rstrip(".") in text, d.name


def test_every_number_has_a_range_stated_in_its_help():
    for d in DECLARED:
        if d.kind in ("int", "float"):
            assert d.low is not None and d.expected, d.name
            assert f"Expected: {d.expected}" in d.describe()


def test_help_states_the_default():
    by_name = {d.name: d for d in DECLARED}
    assert by_name["lr"].describe().endswith("Default: 0.0003.")
    assert by_name["iterations"].describe().endswith("Default: none.")
    assert by_name["games"].describe().endswith("Default: kuhn_poker.")
    assert "One of: rae, none, batch-mean, group." in by_name["advantage"].describe()


# ----- config files ---------------------------------------------------------------------------
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=60, deadline=None)
@given(model=_text, playout=_text, lr=st.floats(1e-8, 1.0), seed=st.integers(0, 2**63 - 1),
       minutes=st.one_of(st.none(), st.floats(1e-3, 1e6)),
       opponents=st.lists(_text, max_size=3), rejected=st.sampled_from(["random", "lowest"]))
def test_a_config_round_trips_through_toml(tmp_path_factory, model, playout, lr, seed,
                                           minutes, opponents, rejected):
    values = dataclasses.asdict(SelfPlayConfig())
    values.update(model=model, pref_playout=playout, lr=lr, seed=seed, minutes=minutes,
                  opponents=opponents, pref_rejected=rejected)
    path = tmp_path_factory.mktemp("toml") / "c.toml"
    path.write_text(to_toml(values, SelfPlayConfig, header="a\nheader"), encoding="utf-8")
    back = read_toml(path, SelfPlayConfig)
    expected = {k: v for k, v in values.items() if v is not None}
    assert back == expected
    assert all(type(back[k]) is type(v) for k, v in expected.items())


def test_non_finite_numbers_are_written_and_refused_on_reading(tmp_path):
    values = {"lr": math.inf, "kl_coef": math.nan}
    path = tmp_path / "c.toml"
    path.write_text(to_toml(values, SelfPlayConfig))
    assert path.read_text().splitlines()[-2:] == ["lr = inf", "kl_coef = nan"]
    read = read_toml(path, SelfPlayConfig)
    with pytest.raises(ValueError, match="^lr=inf must be a number in"):
        SelfPlayConfig(**read)


def _train_argv_error(argv, capsys) -> str:
    assert train_from_argv(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


@pytest.mark.parametrize("text, words", [
    ("lr_schedul = 'cosine'", "unknown option 'lr_schedul'; did you mean 'lr_schedule'?"),
    ("matches = 4", "unknown option 'matches'; did you mean 'matches_per_iteration'?"),
    ("lr-final = 0.5", "unknown option 'lr-final'; did you mean 'lr_final'?"),
    ("zzzz = 1", "unknown option 'zzzz' (known: games, model,"),
    ("lr = 'fast'", "lr = 'fast' must be a number"),
    ("games = 'kuhn_poker'", "games = 'kuhn_poker' must be a list of strings"),
    ("iterations = 2.5", "iterations = 2.5 must be a whole number"),
    ("eval_every = true", "eval_every = True must be a whole number"),
    ("[section]\nlr = 1", "unknown option 'section'"),
    ("lr = ", "is not valid TOML"),
])
def test_a_bad_config_file_is_one_line_and_writes_nothing(text, words, tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text(text)
    line = _train_argv_error(["--config", str(path), "--out", str(tmp_path / "run")], capsys)
    assert line.startswith("arena train: error: ") and words in line, line
    assert not (tmp_path / "run").exists()


def test_a_missing_config_file_is_one_line(tmp_path, capsys):
    line = _train_argv_error(["--config", str(tmp_path / "no.toml")], capsys)
    assert "config file" in line and "does not exist" in line


def test_a_range_error_from_a_file_names_the_field(tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text("matches_per_iteration = 0\n")
    line = _train_argv_error(["--config", str(path), "--out", str(tmp_path / "r")], capsys)
    assert "matches_per_iteration=0 must be a whole number from 1 to 65536" in line


def test_the_command_line_overrides_the_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('games = ["tictactoe"]\nlr = 0.01\nseed = 7\nopponents = ["random"]\n')
    parser = build_train_parser()
    config = config_from_args(parser.parse_args(["--config", str(path), "--seed", "9"]))
    assert (config.games, config.lr, config.seed, config.opponents) == (
        ["tictactoe"], 0.01, 9, ["random"])
    config = config_from_args(parser.parse_args(["--config", str(path), "--game", "kuhn_poker",
                                                 "--opponents", "expert,random"]))
    assert config.games == ["kuhn_poker"] and config.opponents == ["expert", "random"]


def test_a_run_folders_config_toml_runs_the_same_training_again(tiny_model, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    argv = ["--model", tiny_model, "--game", "kuhn_poker:view=compact", "--prompt", "bare",
            "--iterations", "2", "--matches", "8", "--eval-every", "2", "--seed", "3",
            "--lr", "0.01", "--minutes", "60", "--opponents", "random", "--opponent-prob",
            "0.5"]
    assert train_from_argv([*argv, "--out", str(first)]) == 0
    assert train_from_argv(["--config", str(first / "config.toml"), "--out", str(second)]) == 0
    a = json.loads((first / "config.json").read_text())
    b = json.loads((second / "config.json").read_text())
    assert a.pop("out") != b.pop("out") and a == b
    timing = {"elapsed_s", "rollout_s", "learn_s", "games_per_s", "tokens_per_s"}

    def rows(run):
        return [{k: v for k, v in json.loads(line).items() if k not in timing}
                for line in (run / "metrics.jsonl").read_text().splitlines()]

    assert rows(first) == rows(second)
    assert "out" not in read_toml(first / "config.toml", SelfPlayConfig)


def test_a_folder_given_as_config_file_is_one_line(tmp_path, capsys):
    line = _train_argv_error(["--config", str(tmp_path)], capsys)
    assert "cannot be read" in line and "runs/x/config.toml" in line


def test_none_unsets_an_optional_option_from_a_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("iterations = 7\nminutes = 3.0\n")
    config = config_from_args(build_train_parser().parse_args(
        ["--config", str(path), "--iterations", "none"]))
    assert config.iterations is None and config.minutes == 3.0


@pytest.mark.parametrize("names", [["notes.txt"], ["config.toml"], ["best"]])
def test_a_folder_holding_other_files_is_not_written_over(names, tiny_model, tmp_path, capsys):
    out = tmp_path / "exp"
    out.mkdir()
    for name in names:
        (out / name).mkdir() if name == "best" else (out / name).write_text("mine")
    line = _train_argv_error(["--model", tiny_model, "--out", str(out), "--iterations", "1"],
                             capsys)
    assert "holds files that are not a training run's" in line
    assert sorted(p.name for p in out.iterdir()) == sorted(names)


def test_the_docs_table_lists_every_option_once():
    from training.options import markdown_table

    table = markdown_table(SelfPlayConfig)
    for d in DECLARED:
        assert table.count(f"| `{d.flag}` | `{d.name}` |") == 1, d.name
    assert "NAME\\[:OPTIONS\\]\\[@WEIGHT\\]" in table  # no link syntax left for Markdown


def test_a_fifo_given_as_config_file_is_refused_not_read(tmp_path, capsys):
    import os

    fifo = tmp_path / "c.toml"
    os.mkfifo(fifo)  # reading it would block for ever
    line = _train_argv_error(["--config", str(fifo)], capsys)
    assert "cannot be read: it is not a regular file" in line


@pytest.mark.parametrize("kind", ["fifo", "file", "device"])
def test_an_out_that_is_not_a_folder_is_one_line_and_left_alone(kind, tiny_model, tmp_path,
                                                                capsys):
    import os

    out = {"fifo": tmp_path / "f", "file": tmp_path / "notes.txt", "device": "/dev/null"}[kind]
    if kind == "fifo":
        os.mkfifo(out)
    elif kind == "file":
        out.write_text("mine")
    before = os.stat(out)
    line = _train_argv_error(["--model", tiny_model, "--out", str(out), "--iterations", "1"],
                             capsys)
    assert f"--out {out} is not a folder" in line
    after = os.stat(out)
    assert (before.st_mode, before.st_size, before.st_ino) == (after.st_mode, after.st_size,
                                                              after.st_ino)


def test_init_from_a_run_folder_names_its_checkpoint(tmp_path):
    run = tmp_path / "warm"
    (run / "checkpoint-7").mkdir(parents=True)
    (run / "checkpoint-12").mkdir()
    (run / "metrics.jsonl").write_text("")
    with pytest.raises(ValueError, match=r"is a run folder; give one of its checkpoints, e\.g\. "
                                         r"--init-from .*checkpoint-12$"):
        SelfPlayConfig(init_from=str(run))
