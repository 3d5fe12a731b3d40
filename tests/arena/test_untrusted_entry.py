"""Text from an agent or a plug-in is made valid where it enters the game, so a lone
surrogate in one agent's reply cannot stop another agent's tokenizer (issue 23, item 3)."""

from __future__ import annotations

import dataclasses
import json

import pytest

import games
from agents.base import Agent, Decision
from arena.runner import play_match
from games.parse import parse_action

HOSTILE = "[pass] [say] hello \ud800"
"""A legal negotiation move whose message holds a lone surrogate (a remote model's reply)."""


class Speaker(Agent):
    """Says HOSTILE on every turn (what a remote model may send)."""

    name = "speaker"

    def act(self, obs, determiniser=None):
        return Decision(text=HOSTILE)


class Recorder(Agent):
    """Encodes every observation it is given as UTF-8 (what a tokenizer needs), then
    passes."""

    name = "recorder"

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)
        self.seen: list[str] = []

    def act(self, obs, determiniser=None):
        obs.text.encode("utf-8")  # raises UnicodeEncodeError on a lone surrogate
        self.seen.append(obs.text)
        return Decision(text="[pass]")


def test_parse_action_makes_a_reply_valid_text():
    game = games.make("negotiation")
    action = parse_action(HOSTILE, None, game)
    action.encode("utf-8")
    assert "hello \ufffd" in action


def test_the_other_seat_sees_valid_text():
    recorder = Recorder()
    record = play_match(games.make("negotiation"), [Speaker(), recorder], seed=0)
    assert recorder.seen and any("hello \ufffd" in text for text in recorder.seen)
    json.dumps(record.to_dict())  # the record encodes too


def test_a_local_model_plays_on_after_a_lone_surrogate(tiny_model):
    """Regression: the tiny model's tokenizer raised TypeError and ended the match."""
    from agents import make_agent

    llm = make_agent(f"llm:model={tiny_model},mode=generate,max_new_tokens=4", seed=0)
    record = play_match(games.make("negotiation"), [Speaker(), llm], seed=0)
    assert any(d.agent == llm.name for d in record.decisions)


def test_a_plugin_observation_with_a_lone_surrogate_reaches_agents_as_valid_text():
    from arena.runner import _valid_observation

    obs = games.make("tictactoe").new_state(0).observation(0)
    bad = dataclasses.replace(obs, text=obs.text + " \udcff", role="X\ud800")
    clean = _valid_observation(bad)
    clean.text.encode("utf-8")
    clean.role.encode("utf-8")
    assert clean.legal_actions == obs.legal_actions
    assert _valid_observation(obs) is obs  # valid text is not copied


def test_a_pref_data_row_with_a_lone_surrogate_is_read(tmp_path, tiny_model):
    """Regression: a --pref-data row with "\\ud800" gave a traceback from the tokenizer."""
    from transformers import AutoTokenizer

    from training.pref_data import read_pairs

    tok = AutoTokenizer.from_pretrained(tiny_model)
    row = {"prompt": "You see: hello \ud800", "chosen": "[a]\udc00", "rejected": "[b]"}
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(row) + "\n")
    (pair,) = read_pairs(path, tok.encode)
    assert pair.prompt == "You see: hello \ufffd" and pair.chosen == "[a]\ufffd"
    assert pair.prompt_ids
