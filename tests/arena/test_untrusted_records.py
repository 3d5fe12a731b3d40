"""Untrusted text enters a record as valid UTF-8: a lone surrogate in a model reply crashes
neither the transcript, nor the live viewer, nor the store, nor a replay."""

from __future__ import annotations

import io

from rich.console import Console

import games
from agents.base import Agent, Decision
from agents.random_agent import RandomAgent
from arena.records import DecisionRecord, MatchRecord
from arena.runner import play_match
from arena.store import Store
from arena.viewer import replay, watch_match


class SurrogateTalker(Agent):
    """Plays the first legal action inside a reply that holds lone surrogates."""

    name = "surrogate\ud800talker"

    def act(self, obs):
        return Decision(text=f"thinking \ud800\udfff\udc00 {obs.legal_actions[0]}",
                        info={"note\ud801": ["x\udfff"]})


def strict_console() -> tuple[Console, io.BytesIO]:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", write_through=True)
    return Console(file=stream, width=100, color_system=None), raw


def test_a_lone_surrogate_is_replaced_as_it_enters_the_record():
    record = play_match(games.make("tictactoe"), [SurrogateTalker(), RandomAgent(1)], seed=3)
    mine = [d for d in record.decisions if d.player == 0]
    assert mine and all(d.valid for d in mine)
    # a high+low pair joins into its character; the lone low surrogate becomes U+FFFD
    assert mine[0].raw.startswith("thinking \U000103ff\ufffd [")
    assert mine[0].info == {"note\ufffd": ["x\ufffd"]}
    assert record.agents[0] == "surrogate\ufffdtalker"
    record.to_json().encode("utf-8")
    assert MatchRecord.from_json(record.to_json()) == record
    record.transcript().encode("utf-8")  # the plain `arena play` output


def test_watch_store_and_replay_of_such_a_match_write_valid_utf8(tmp_path):
    console, raw = strict_console()
    record = watch_match(games.make("tictactoe"), [SurrogateTalker(), RandomAgent(1)],
                         seed=3, delay=0, console=console)
    assert "\ufffd" in raw.getvalue().decode("utf-8")
    with Store(tmp_path / "s.db") as store:
        store.create_or_get_tournament("t", {})
        store.add_match("t", 0, record)
    with Store(tmp_path / "s.db", create=False) as store:
        stored = store.get_match("t:0")
    assert stored.decisions == record.decisions
    console, raw = strict_console()
    assert replay(stored, delay=0, console=console) == record.num_decisions + 1


def test_records_built_from_stored_json_with_escaped_surrogates_are_valid():
    d = DecisionRecord(player=0, role="X", turn=0, observation="o\ud800",
                       legal_actions=("[0]\udc00",), raw="r", action=None, valid=False,
                       error="e\ud800", distribution={"[0]\udc00": 1.0})
    assert (d.observation, d.legal_actions, d.error) == ("o\ufffd", ("[0]\ufffd",), "e\ufffd")
    assert d.distribution == {"[0]\ufffd": 1.0}
    same = DecisionRecord.from_dict(d.to_dict())
    assert same == d
