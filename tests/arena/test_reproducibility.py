"""What is identical across batching and worker processes, stated exactly.

- Scripted agents: the records are identical in every field but the wall-clock times
  (``elapsed_s`` of the match and of each decision): the JSON is byte for byte the same.
- A model agent: the actions, raw outputs, token ids, prompts, validity and returns are
  identical; probabilities and log-probabilities (``distribution``, ``logprobs``,
  ``info["action_logprobs"]``) agree to 1e-5 (batched matrix products sum in another
  order, so the last bits of a float may differ with the batch layout).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

from arena.records import MatchRecord
from arena.store import Store
from arena.tournament import TournamentConfig, run_tournament

LAYOUTS = {"one at a time": dict(batch=1), "batched": dict(batch=64),
           "two workers": dict(workers=2, batch=2)}
APPROXIMATE = {"distribution", "logprobs", "action_logprobs"}
TOLERANCE = 1e-5


def played(layout: dict, **config: Any) -> list[MatchRecord]:
    with Store(":memory:") as store:
        run_tournament(TournamentConfig(**config, **layout), store)
        return list(store.matches())


def without_times(record: MatchRecord) -> str:
    decisions = tuple(dataclasses.replace(d, elapsed_s=0.0) for d in record.decisions)
    return dataclasses.replace(record, elapsed_s=0.0, decisions=decisions).to_json()


def test_scripted_records_are_identical_but_for_wall_clock_times():
    config = dict(games=["tictactoe", "kuhn_poker", "negotiation"],
                  agents=["random", "expert"], rounds=3)
    runs = {name: [without_times(r) for r in played(layout, **config)]
            for name, layout in LAYOUTS.items()}
    assert len(runs["batched"]) == 3 * 2 * 3
    assert runs["one at a time"] == runs["batched"] == runs["two workers"]


def assert_agree(a: Any, b: Any, path: str = "", approximate: bool = False) -> None:
    """Exact equality, except floats under an APPROXIMATE key (to TOLERANCE)."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            if key != "elapsed_s":
                assert_agree(a[key], b[key], f"{path}.{key}",
                             approximate or key in APPROXIMATE)
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_agree(x, y, f"{path}[{i}]", approximate)
    elif approximate and isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=0, abs_tol=TOLERANCE), (path, a, b)
    else:
        assert a == b, path


def test_model_records_agree_exactly_on_actions_and_tokens_and_closely_on_probabilities(
        tiny_model):
    spec = f"llm:model={tiny_model},mode=choice"
    config = dict(games=["kuhn_poker"], agents=[spec, "random"], rounds=3)
    runs = {name: played(layout, **config) for name, layout in LAYOUTS.items()}
    reference = runs.pop("one at a time")
    decisions = [d for r in reference for d in r.decisions if d.agent == spec]
    assert decisions and all(d.token_ids and d.distribution for d in decisions)
    for name, records in runs.items():
        assert len(records) == len(reference) == 6, name
        for a, b in zip(reference, records):
            assert_agree(a.to_dict(), b.to_dict(), f"{name}:{a.match_id}")
