"""``--out`` never turns a device node, a FIFO or a symbolic link into a regular file
(issue 23, item 1), and ``arena preferences`` checks ``--out`` before searching, writes
files with the usual permissions and no raw control characters (item 10)."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from arena.cli import main
from arena.outfile import open_output, plan_output
from arena.store import Store
from training.pref_data import preferences_from_argv


@pytest.fixture
def store(tmp_path) -> Path:
    from arena.tournament import TournamentConfig, run_tournament

    db = tmp_path / "a.db"
    with Store(db) as s:
        run_tournament(TournamentConfig(games=["tictactoe"], agents=["random", "expert"],
                                        rounds=1), s)
    return db


def _export(db: Path, out: str) -> int:
    return main(["export", "--db", str(db), "--out", out])


def _pref(out: str, *extra: str) -> int:
    return preferences_from_argv(["--game", "tictactoe", "--agent", "random", "--search",
                                  "mcts:simulations=8", "--matches", "2", "--out", out, *extra])


def _reader(path: Path, got: list[bytes]) -> threading.Thread:
    def read():
        with open(path, "rb") as fh:
            got.append(fh.read())
    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("command", ["export", "preferences"])
def test_a_fifo_is_written_through_not_replaced(tmp_path, store, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = _reader(fifo, got)
    rc = _export(store, str(fifo)) if command == "export" else _pref(str(fifo))
    thread.join(10)
    assert rc == 0
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the FIFO
    lines = got[0].decode().splitlines()
    assert lines and all(json.loads(line) for line in lines)


@pytest.mark.parametrize("command", ["export", "preferences"])
def test_dev_null_is_written_through_and_stays_a_device(tmp_path, store, command):
    before = os.stat(os.devnull)
    rc = _export(store, os.devnull) if command == "export" else _pref(os.devnull)
    after = os.stat(os.devnull)
    assert rc == 0
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


@pytest.mark.parametrize("command", ["export", "preferences"])
def test_a_link_to_dev_stdout_stays_a_link_and_the_output_reaches_stdout(
        tmp_path, store, command, capfd):
    link = tmp_path / "stdout-link"
    link.symlink_to("/dev/stdout")
    rc = _export(store, str(link)) if command == "export" else _pref(str(link))
    assert rc == 0
    assert link.is_symlink() and os.readlink(link) == "/dev/stdout"
    out = capfd.readouterr().out
    assert any(line.startswith("{") for line in out.splitlines())


@pytest.mark.parametrize("command", ["export", "preferences"])
def test_out_dash_writes_to_stdout(tmp_path, store, command, capfd):
    rc = _export(store, "-") if command == "export" else _pref("-")
    assert rc == 0
    rows = [json.loads(line) for line in capfd.readouterr().out.splitlines()
            if line.startswith("{")]
    assert rows
    assert not (tmp_path / "-").exists() and not Path("-").exists()


@pytest.mark.parametrize("command", ["export", "preferences"])
def test_a_link_to_a_regular_file_replaces_the_target_and_keeps_the_link(tmp_path, store,
                                                                          command):
    real = tmp_path / "real.jsonl"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    rc = _export(store, str(link)) if command == "export" else _pref(str(link))
    assert rc == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "old" not in real.read_text() and real.read_text().startswith("{")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # kept


def test_other_devices_and_sockets_are_refused_in_one_line(tmp_path, store, capsys):
    import socket

    sock_path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        assert _export(store, str(sock_path)) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is a socket, not a regular file: refused" in err
        assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)
        assert _pref(str(sock_path)) == 2
        assert "is a socket" in capsys.readouterr().err
    finally:
        server.close()
    with pytest.raises(ValueError, match="not a regular file: refused"):
        plan_output("/dev/zero")  # a device that is neither a stream nor /dev/null
    assert plan_output("/dev/null").kind == "through"


def test_preferences_refuses_a_bad_out_before_searching(tmp_path, capsys, monkeypatch):
    """Regression: --out was checked only after the whole search."""
    import training.pref_data as pref_data

    searched = []
    monkeypatch.setattr(pref_data, "collect_preferences", lambda *a, **k: searched.append(1))
    (tmp_path / "dir").mkdir()
    assert _pref(str(tmp_path / "dir")) == 2
    assert "is a directory" in capsys.readouterr().err
    assert not searched


def test_preferences_file_has_the_usual_permissions_and_no_raw_controls(tmp_path, capsys):
    """Regression: the file was 0600 and kept raw bidi characters."""
    umask = os.umask(0o022)
    try:
        out = tmp_path / "p.jsonl"
        assert _pref(str(out)) == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    from training.pref_data import write_pairs
    from training.preferences import StepPair

    pair = StepPair(game="g", role="r", prompt="say \u202e\x1b[31m\ud800 hi", prompt_ids=(1,),
                    chosen="[a]", rejected="[b]", q_chosen=1.0, q_rejected=0.0,
                    visits_chosen=2, visits_rejected=1, confidence=1.0)
    write_pairs(out, [pair])
    raw = out.read_bytes()
    assert raw.isascii() and b"\x1b" not in raw
    assert json.loads(raw)["prompt"] == pair.prompt  # the same string reads back


def test_plan_output_of_a_new_file_and_open_output_replaces_whole(tmp_path):
    target = tmp_path / "new.txt"
    plan = plan_output(target)
    assert plan.kind == "replace" and plan.path == target
    with pytest.raises(RuntimeError):
        with open_output(plan) as fh:
            fh.write("partial")
            raise RuntimeError("interrupted")
    assert not target.exists() and not list(tmp_path.iterdir())
    with open_output(plan) as fh:
        fh.write("whole")
    assert target.read_text() == "whole"
