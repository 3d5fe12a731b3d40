"""The SQLite store: schema, idempotent commits, lookups, filters, export."""

import dataclasses
import io
import sqlite3

import pytest

import games
from agents import make_agent
from arena.records import MatchRecord
from arena.runner import play_match
from arena.store import SCHEMA_VERSION, Store, encode_record

CONFIG = {"games": ["tictactoe"], "agents": ["random", "expert"], "seed": 0}


def record(game="tictactoe", seed=0, match_id=""):
    g = games.make(game)
    agents = [make_agent("random", seed=1), make_agent("expert", seed=2)]
    r = play_match(g, agents, seed)
    return MatchRecord.from_dict({**r.to_dict(), "match_id": match_id})


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "a.db") as s:
        yield s


def test_wal_mode_and_schema_version(store):
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_reopening_keeps_data_and_version(tmp_path):
    with Store(tmp_path / "a.db") as s:
        s.create_or_get_tournament("t1", CONFIG)
        s.add_match("t1", 0, record())
    with Store(tmp_path / "a.db") as s:
        assert s.done_indices("t1") == {0}
        assert s._db.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 1


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    with pytest.raises(RuntimeError, match="newer than this arena understands"):
        Store(path)


def test_same_id_different_config_is_an_error(store):
    assert store.create_or_get_tournament("t1", CONFIG) == CONFIG
    assert store.create_or_get_tournament("t1", dict(CONFIG)) == CONFIG
    with pytest.raises(ValueError, match="'t1' already exists .* another config"):
        store.create_or_get_tournament("t1", {**CONFIG, "seed": 1})


def test_add_match_is_idempotent(store):
    store.create_or_get_tournament("t1", CONFIG)
    r = record(seed=3)
    assert store.add_match("t1", 0, r) is True
    assert store.add_match("t1", 0, record(seed=4)) is False  # never duplicated nor replaced
    assert store.count("t1") == 1
    assert store.get_match("t1:0") == dataclasses.replace(r, match_id="t1:0")  # id filled in


def test_add_matches_counts_new_rows_and_accepts_encoded(store):
    store.create_or_get_tournament("t1", CONFIG)
    r0, r1 = record(seed=0), record(seed=1)
    assert store.add_matches("t1", [(0, r0), (1, encode_record(r1))]) == 2
    assert store.add_matches("t1", [(1, r1), (2, r1)]) == 1
    assert store.done_indices("t1") == {0, 1, 2}
    assert store.get_match("t1:1") == dataclasses.replace(r1, match_id="t1:1")


def test_adding_to_an_unknown_tournament_is_an_error(store):
    with pytest.raises(ValueError, match="unknown tournament 'nope'"):
        store.add_match("nope", 0, record())


def test_bad_index_is_an_error(store):
    store.create_or_get_tournament("t1", CONFIG)
    with pytest.raises(ValueError, match="match index -1"):
        store.add_match("t1", -1, record())


def test_unknown_match_id_says_how_to_find_ids(store):
    store.create_or_get_tournament("t1", CONFIG)
    with pytest.raises(KeyError, match="<tournament id>:<match index>.*t1"):
        store.get_match("t1:99")


def test_matches_are_ordered_and_filtered(store):
    store.create_or_get_tournament("t2", CONFIG)
    store.create_or_get_tournament("t1", CONFIG)
    store.add_match("t1", 2, record(seed=2))
    store.add_match("t2", 0, record("kuhn_poker", seed=5))
    store.add_match("t1", 0, record(seed=0))
    store.add_match("t1", 1, record("kuhn_poker", seed=1))
    assert [r.seed for r in store.matches()] == [0, 1, 2, 5]
    assert [r.seed for r in store.matches("t1")] == [0, 1, 2]
    assert [r.seed for r in store.matches(game="kuhn_poker")] == [1, 5]
    assert [r.seed for r in store.matches("t1", "kuhn_poker")] == [1]
    assert store.count(game="tictactoe") == 2
    outcomes = list(store.outcomes("t1"))
    assert [o[0] for o in outcomes] == ["t1:0", "t1:1", "t1:2"]
    assert outcomes[0][2] == ("random", "expert")


def test_tournaments_lists_ids_configs_and_counts(store):
    store.create_or_get_tournament("t1", CONFIG)
    store.add_match("t1", 0, record())
    (t,) = store.tournaments()
    assert (t["id"], t["config"], t["matches"]) == ("t1", CONFIG, 1)
    assert t["created"]


def test_export_jsonl_round_trips(store):
    store.create_or_get_tournament("t1", CONFIG)
    rs = [record(seed=s) for s in range(3)]
    for i, r in enumerate(rs):
        store.add_match("t1", i, r)
    buf = io.StringIO()
    assert store.export_jsonl(buf, "t1") == 3
    lines = buf.getvalue().splitlines()
    assert [MatchRecord.from_json(x) for x in lines] == rs


def test_missing_database_is_reported_when_not_creating(tmp_path):
    with pytest.raises(FileNotFoundError, match="no database at"):
        Store(tmp_path / "missing.db", create=False)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Store(tmp_path / "no" / "folder.db")
