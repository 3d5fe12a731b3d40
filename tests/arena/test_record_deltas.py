"""A long history is stored once: observations, prompts and prompt ids written as deltas,
with an exact round trip, and records written before (plain fields) still read."""

from __future__ import annotations

import json

import pytest

from arena.record_deltas import compress, expand
from arena.records import DecisionRecord, MatchRecord
from arena.store import Store


def _long_record(turns: int = 60) -> MatchRecord:
    """A transcript game: each player's observation extends their previous one; a model's
    prompt and prompt ids grow the same way."""
    decisions, logs = [], ["", ""]
    for t in range(turns):
        p = t % 2
        line = f"[GAME] move {t}: the board now reads " + "x." * 20 + "\n"
        logs = [log + line for log in logs]
        prompt = f"<system>rules</system>\n{logs[p]}\nYour move:"
        decisions.append(DecisionRecord(
            player=p, role=f"Player {p}", turn=t, observation=logs[p], legal_actions=None,
            raw=f"[{t}]", action=f"[{t}]", valid=True, agent="llm",
            token_ids=(1, 2), logprobs=(-0.5, -0.25),
            info={"mode": "generate", "prompt": prompt,
                  "prompt_ids": tuple(ord(c) for c in prompt)},
        ))
    return MatchRecord(game="transcript", options={}, seed=3, agents=("llm", "llm"),
                       roles=("Player 0", "Player 1"), decisions=tuple(decisions),
                       returns=(1.0, -1.0), outcome="terminal")


def _plain_dict(record: MatchRecord) -> dict:
    """The dict as records were written before deltas: every field in full."""
    return {**record.to_dict(), "decisions": [d.to_dict() for d in record.decisions]}


def test_round_trip_is_exact_through_json():
    record = _long_record()
    back = MatchRecord.from_json(record.to_json())
    before = MatchRecord.from_dict(json.loads(json.dumps(_plain_dict(record))))
    assert back == before  # what the plain JSON gave (JSON makes info's tuples lists)
    assert back.decisions[-1].info["prompt_ids"] == list(record.decisions[-1].info["prompt_ids"])
    assert back.transcript() == record.transcript()
    assert MatchRecord.from_dict(record.to_dict()) == record  # without JSON: identical


def test_each_observation_is_stored_once_not_once_per_decision():
    sizes = {n: len(_long_record(n).to_json()) for n in (60, 120)}
    plain = {n: len(json.dumps(_plain_dict(_long_record(n)))) for n in (60, 120)}
    assert plain[120] > 3.5 * plain[60]  # written in full: grows with the square
    assert sizes[120] < 2.1 * sizes[60]  # as deltas: grows linearly
    assert plain[60] > 10 * sizes[60]
    d = _long_record(60).to_dict()["decisions"][10]
    assert "observation" not in d and "prompt" not in d["info"]
    assert d["deltas"]["observation"][:2] == [9, len(_long_record(60).decisions[9].observation)]
    assert set(d["deltas"]) == {"observation", "info.prompt", "info.prompt_ids"}


def test_records_written_before_still_read():
    record = _long_record(12)
    old = json.loads(json.dumps(_plain_dict(record)))
    assert "deltas" not in json.dumps(old)
    assert MatchRecord.from_dict(old) == MatchRecord.from_json(record.to_json())
    assert MatchRecord.from_dict(old).transcript() == record.transcript()


def test_small_records_are_unchanged():
    record = _long_record(1)
    assert record.to_dict() == _plain_dict(record)


def test_store_keeps_and_returns_the_compact_record(tmp_path):
    record = MatchRecord.from_dict({**_long_record(40).to_dict(), "match_id": "t/0"})
    with Store(tmp_path / "a.db") as store:
        store.create_or_get_tournament("t", {"games": ["transcript"]})
        store.add_match("t", 0, record)
        (back,) = list(store.matches("t"))
    assert back == MatchRecord.from_json(record.to_json())
    assert back.transcript() == record.transcript()


@pytest.mark.parametrize("delta, message", [
    ([5, 10, "x"], "refers to decision 5"),
    ([0, 10**6, "x"], "keeps 1000000 items"),
    ([0, 1, "x", 5, 10**7, ""], "copies characters 5:10000000"),
    ([0, 1, "x", 5], "refers to decision None"),  # neither 3 nor 6 parts
])
def test_a_damaged_delta_is_one_clear_error(delta, message):
    decisions = compress([d.to_dict() for d in _long_record(4).decisions])
    decisions[2] = {**decisions[2], "deltas": {"observation": delta}}
    with pytest.raises(ValueError, match=message):
        expand(decisions)


def _middle_growing_record(speeches: int = 120, length: int = 2_000) -> MatchRecord:
    """Werewolf's shape: a status line above the log changes at every decision while the
    log below it grows, so consecutive observations share a block, not a prefix."""
    decisions, log = [], ""
    for t in range(speeches):
        p = t % 5
        text = (f"YOU: Player {p}\nSTATE: speech {t + 1} of {speeches}\nPUBLIC LOG:{log}\n"
                f"NOW: your speech")
        decisions.append(DecisionRecord(
            player=p, role="villager", turn=t, observation=text, legal_actions=None,
            raw="[say] x", action="[say] x", valid=True, agent="talker"))
        log += f"\n  Player {p} said: " + chr(97 + t % 26) * length
    return MatchRecord(game="toy", options={}, seed=0, agents=("talker",) * 5,
                       roles=("villager",) * 5, decisions=tuple(decisions),
                       returns=(0.0,) * 5, outcome="terminal")


def test_a_log_that_grows_in_the_middle_is_stored_once_as_a_block():
    record = _middle_growing_record()
    text = record.to_json()
    assert MatchRecord.from_json(text) == record
    full = sum(len(d.observation) for d in record.decisions)
    log = len(record.decisions[-1].observation)
    assert full > 50 * log  # written out in full: the square of the game's length
    assert len(text) < 3 * log  # as blocks: about the log once
    shapes = [len(d["deltas"]["observation"]) for d in json.loads(text)["decisions"]
              if "deltas" in d]
    assert shapes.count(6) > 100
