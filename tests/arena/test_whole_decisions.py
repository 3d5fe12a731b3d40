"""Clients read whole decisions: ``arena play --json`` prints every decision with its own
observation and prompts, ``arena export --expand`` writes them so; the store and a plain
``arena export`` keep the compact deltas (:mod:`arena.record_deltas`)."""

from __future__ import annotations

import json

import pytest

import games
from agents import make_agent
from arena.cli import main
from arena.export import expanded_dict
from arena.records import DecisionRecord, MatchRecord
from arena.runner import play_match
from arena.store import Store
from common.seeds import derive_seed

GOPS = "textarena:GameOfPureStrategy-v0"  # Goofspiel: each observation is the transcript


def _played_like_arena_play(spec: str, agents: list[str], seed: int) -> MatchRecord:
    """The match ``arena play`` plays: seat ``i``'s agent seeded
    ``derive_seed("play-agent", seed, i, spec)``."""
    game = games.make(spec)
    built = [make_agent(a, seed=derive_seed("play-agent", seed, i, a))
             for i, a in enumerate(agents)]
    return play_match(game, built, seed)


def _play_json(argv: list[str], capsys) -> dict:
    assert main(["play", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("spec, agents", [
    (GOPS, ["random", "random"]),
    ("werewolf", ["werewolf-rules"] * 7),
])
def test_play_json_prints_every_decision_whole(spec, agents, capsys):
    if spec.startswith("textarena:"):
        pytest.importorskip("textarena")
    printed = _play_json([spec, "--agents", ",".join(agents), "--seed", "1"], capsys)
    record = _played_like_arena_play(spec, agents, 1)
    compact = record.to_dict()["decisions"]
    assert len(compact) >= 20 and sum("deltas" in d for d in compact) >= 5  # a long match
    assert len(printed["decisions"]) == len(record.decisions)
    for got, want in zip(printed["decisions"], record.decisions):
        assert "deltas" not in got
        assert got["observation"] == want.observation
        assert {k: v for k, v in got.items() if k != "elapsed_s"} == \
            {k: v for k, v in want.to_dict().items() if k != "elapsed_s"}
    assert printed["returns"] == list(record.returns)


def _prompted_record(turns: int = 12) -> MatchRecord:
    """Decisions whose observation, prompt and prompt ids each extend the previous one's."""
    decisions, log = [], ""
    for t in range(turns):
        log += f"[GAME] move {t}: " + "o-" * 40 + "\n"
        prompt = f"<rules/>\n{log}Your move:"
        decisions.append(DecisionRecord(
            player=t % 2, role="p", turn=t, observation=log, legal_actions=None,
            raw=f"[{t}]", action=f"[{t}]", valid=True, agent="llm",
            info={"prompt": prompt, "prompt_ids": tuple(map(ord, prompt))}))
    return MatchRecord(game="g", options={}, seed=0, agents=("a", "b"), roles=("p", "p"),
                       decisions=tuple(decisions), returns=(0.0, 0.0), outcome="terminal")


def test_expanded_dict_writes_prompts_and_prompt_ids_whole():
    record = _prompted_record()
    compact = record.to_dict()
    assert {"observation", "info.prompt", "info.prompt_ids"} <= set(compact["decisions"][-1]["deltas"])
    whole = expanded_dict(record)
    assert {k: v for k, v in whole.items() if k != "decisions"} == \
        {k: v for k, v in compact.items() if k != "decisions"}
    for got, want in zip(whole["decisions"], record.decisions):
        assert "deltas" not in got
        assert (got["observation"], got["info"]["prompt"]) == (want.observation,
                                                               want.info["prompt"])
        assert list(got["info"]["prompt_ids"]) == list(want.info["prompt_ids"])
    assert MatchRecord.from_json(json.dumps(whole)) == MatchRecord.from_json(record.to_json())


@pytest.fixture
def store_of_long_matches(tmp_path):
    pytest.importorskip("textarena")
    records = [_played_like_arena_play(GOPS, ["random", "random"], 3),
               _played_like_arena_play("werewolf", ["werewolf-rules"] * 7, 2)]
    db = tmp_path / "m.db"
    with Store(db) as store:
        store.create_or_get_tournament("t1", {"games": ["mixed"], "agents": ["x"], "seed": 0})
        for i, r in enumerate(records):
            store.add_match("t1", i, r)
    return db, records


def test_export_expand_writes_full_decisions_and_plain_export_keeps_deltas(
        store_of_long_matches, tmp_path, capsys):
    db, records = store_of_long_matches
    plain, whole = tmp_path / "plain.jsonl", tmp_path / "whole.jsonl"
    assert main(["export", "--db", str(db), "--out", str(plain)]) == 0
    assert main(["export", "--db", str(db), "--out", str(whole), "--expand"]) == 0
    assert capsys.readouterr().err == "exported 2 matches\nexported 2 matches\n"
    plain_lines = plain.read_text().splitlines()
    whole_lines = whole.read_text().splitlines()
    assert len(plain_lines) == len(whole_lines) == 2
    for p_line, w_line, record in zip(plain_lines, whole_lines, records):
        compact, full = json.loads(p_line), json.loads(w_line)
        assert any("deltas" in d for d in compact["decisions"])
        assert not any("deltas" in d for d in full["decisions"])
        assert [d["observation"] for d in full["decisions"]] == \
            [d.observation for d in record.decisions]
        assert MatchRecord.from_dict(full) == MatchRecord.from_dict(compact)
    # to stdout as well
    assert main(["export", "--db", str(db), "--expand"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == whole_lines


def test_export_expand_of_a_missing_store_is_one_line(tmp_path, capsys):
    assert main(["export", "--db", str(tmp_path / "none.db"), "--expand"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no database at" in err
