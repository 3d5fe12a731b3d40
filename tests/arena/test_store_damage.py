"""Damaged, foreign, unreadable and read-only stores: one clear line from every command;
read-only commands create and modify nothing; export never destroys its input."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from arena.cli import main
from arena.store import Store, StoreError
from arena.tournament import TournamentConfig, run_tournament

TOURNAMENT = ["tournament", "--game", "tictactoe", "--agents", "random,minimax",
              "--rounds", "1"]
PAGE = 4096


@pytest.fixture(scope="module")
def good_store(tmp_path_factory) -> tuple[Path, str]:
    """A real store with every match of a small tournament, checkpointed into one file."""
    path = tmp_path_factory.mktemp("good") / "good.db"
    config = TournamentConfig(games=["tictactoe"], agents=["random", "minimax", "expert"],
                              rounds=4)
    with Store(path) as store:
        tid = run_tournament(config, store).tournament_id
    assert not Path(f"{path}-wal").exists()  # the last close checkpointed the WAL
    return path, tid


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.iterdir())}


def damage(kind: str, good: Path, dest: Path) -> Path:
    data = good.read_bytes()
    if kind == "directory":
        dest.mkdir()
        return dest
    rng = random.Random(kind)
    if kind == "truncated":
        data = data[: len(data) // 3]
    elif kind == "random-bytes":
        data = rng.randbytes(len(data))
    elif kind == "text-file":
        data = b"this is a shopping list, not a database\n" * 50
    elif kind == "scribbled-pages":  # the header page kept: SQLite, but every table garbage
        data = data[:PAGE] + rng.randbytes(len(data) - PAGE)
    elif kind == "foreign-sqlite":
        with sqlite3.connect(dest) as db:
            db.execute("CREATE TABLE invoices (id INTEGER, total REAL)")
        return dest
    dest.write_bytes(data)
    return dest


KINDS = ["truncated", "random-bytes", "text-file", "directory", "scribbled-pages",
         "foreign-sqlite"]


def commands(db: Path, tid: str) -> dict[str, list[str]]:
    return {
        "tournament": [*TOURNAMENT, "--db", str(db)],
        "leaderboard": ["leaderboard", "--db", str(db)],
        "export": ["export", "--db", str(db)],
        "replay": ["replay", f"{tid}:0", "--db", str(db), "--delay", "0"],
    }


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", ["tournament", "leaderboard", "export", "replay"])
def test_every_command_gives_one_clear_line_for_a_damaged_store(
        good_store, tmp_path, capsys, kind, command):
    good, tid = good_store
    db = damage(kind, good, tmp_path / "store.db")
    before = _snapshot(tmp_path)
    status = main(commands(db, tid)[command])
    err = capsys.readouterr().err.strip()
    assert status == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert str(db) in err and "Traceback" not in err
    assert any(word in err for word in ("damaged", "not an arena store", "directory",
                                        "something else")), err
    assert _snapshot(tmp_path) == before  # nothing repaired, overwritten or added


@pytest.mark.parametrize("seed", range(6))
def test_one_scribbled_page_never_gives_a_traceback(good_store, tmp_path, capsys, seed):
    """Whatever page is damaged, a command either does its work (it never read that page)
    or says in one line that the store is damaged."""
    good, tid = good_store
    data = bytearray(good.read_bytes())
    rng = random.Random(seed)
    page = rng.randrange(1, len(data) // PAGE)
    data[page * PAGE:(page + 1) * PAGE] = rng.randbytes(PAGE)
    for command, argv in commands(tmp_path / "s.db", tid).items():
        (tmp_path / "s.db").write_bytes(bytes(data))
        for suffix in ("-wal", "-shm"):
            Path(f"{tmp_path / 's.db'}{suffix}").unlink(missing_ok=True)
        status = main(argv)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        if status != 0:
            assert status == 2 and captured.err.count("error: ") == 1, (command, captured.err)


@pytest.mark.parametrize("command", ["leaderboard", "export", "replay"])
def test_read_only_commands_create_and_modify_nothing(good_store, tmp_path, capsys, command):
    good, tid = good_store
    db = tmp_path / "store.db"
    shutil.copy(good, db)
    os.chmod(db, 0o444)
    before = _snapshot(tmp_path)
    assert main(commands(db, tid)[command]) == 0
    capsys.readouterr()
    assert _snapshot(tmp_path) == before  # no -wal, no -shm, no schema change


@pytest.mark.parametrize("command", ["leaderboard", "export", "replay"])
def test_a_missing_store_is_an_error_not_a_new_file(tmp_path, capsys, command):
    status = main(commands(tmp_path / "missing.db", "t0")[command])
    assert status == 2 and "no database at" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_read_only_store_refuses_writes_with_a_clear_error(good_store, tmp_path):
    good, tid = good_store
    with Store(good, create=False) as store:
        assert store.readonly and store.count(tid) == 24
        with pytest.raises(StoreError, match="read-only"):
            store.create_or_get_tournament("t-new", {"x": 1})


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes whatever the mode")
def test_unreadable_and_unwritable_stores_are_one_line(good_store, tmp_path, capsys):
    good, tid = good_store
    db = tmp_path / "store.db"
    shutil.copy(good, db)
    os.chmod(db, 0o444)
    assert main(commands(db, tid)["tournament"]) == 2
    assert "read-only" in capsys.readouterr().err
    os.chmod(db, 0)
    assert main(commands(db, tid)["leaderboard"]) == 2
    assert "not readable" in capsys.readouterr().err


# ----- export never destroys data -----------------------------------------------------


@pytest.mark.parametrize("out", ["store", "store-link", "store-wal", "folder"])
def test_export_refuses_the_store_itself_or_a_folder(good_store, tmp_path, capsys, out):
    good, _ = good_store
    db = tmp_path / "a.db"
    shutil.copy(good, db)
    target = {"store": db, "store-wal": Path(f"{db}-wal"), "folder": tmp_path,
              "store-link": tmp_path / "link.jsonl"}[out]
    if out == "store-link":
        target.symlink_to(db)
    before = _snapshot(tmp_path)
    assert main(["export", "--db", str(db), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ("the store" in err or "directory" in err), err
    assert _snapshot(tmp_path) == before
    with Store(db, create=False) as store:
        assert store.count() == 24


def test_export_refuses_a_missing_folder_before_opening_the_store(tmp_path, capsys):
    assert main(["export", "--db", str(tmp_path / "missing.db"), "--out",
                 str(tmp_path / "no" / "x.jsonl")]) == 2
    assert "does not exist" in capsys.readouterr().err and list(tmp_path.iterdir()) == []


def test_export_replaces_the_output_whole(good_store, tmp_path, capsys):
    good, _ = good_store
    out = tmp_path / "m.jsonl"
    out.write_text("old contents\n")
    os.chmod(out, 0o640)
    assert main(["export", "--db", str(good), "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 24 and lines[0].startswith("{")
    assert out.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.jsonl"]  # no temporary left


@pytest.mark.parametrize("column, value, commands_hit", [
    ("record", "{not json", ["export", "replay", "leaderboard"]),
    ("record", '{"game": 1}', ["replay", "leaderboard"]),  # JSON, but not a record
])
def test_tampered_rows_are_one_clear_line(good_store, tmp_path, capsys, column, value,
                                          commands_hit):
    """A valid SQLite store whose rows were edited by hand: the command that reads the
    broken field names the match; the others still work."""
    good, tid = good_store
    db = tmp_path / "store.db"
    shutil.copy(good, db)
    with sqlite3.connect(db) as conn:
        conn.execute(f"UPDATE matches SET {column} = ? WHERE match_index = 0", (value,))
    conn.close()
    for command, argv in commands(db, tid).items():
        if command == "tournament":
            continue
        status = main(argv)
        err = capsys.readouterr().err
        if command in commands_hit:
            assert status == 2 and err.count("\n") == 1, (command, err)
            assert f"match '{tid}:0'" in err and "damaged" in err, (command, err)
        else:
            assert status == 0, (command, err)
