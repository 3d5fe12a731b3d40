"""Every two-player TextArena environment that builds here, played to a bounded end by
``random`` (under each invalid-action policy) and by a generate-mode model: no traceback,
every record complete and honest (valid only where TextArena accepted the move)."""

from __future__ import annotations

import json
import warnings

import pytest

pytest.importorskip("textarena")

import games  # noqa: E402
from agents import make_agent  # noqa: E402
from arena.records import MatchRecord  # noqa: E402
from arena.runner import MatchConfig, play_match  # noqa: E402
from games.adapters.textarena_game import _player_range, _textarena  # noqa: E402

MAX_TURNS = 12


def _two_player_envs() -> list[str]:
    """Ids of the ``-v0`` environments that take two players and build here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        registry = _textarena().envs.registration.ENV_REGISTRY
        found = []
        for env_id in sorted(registry):
            if not env_id.endswith("-v0"):
                continue
            try:  # environments that need a key, a download or a newer Python do not build
                low, high = _player_range(registry[env_id].entry_point)
                if low is None or not low <= 2 <= (high or 2):
                    continue
                games.make(f"textarena:{env_id}", players=2).new_state(0)
            except Exception:  # noqa: BLE001 - any failure to build excludes it
                continue
            found.append(env_id)
    return found


ENVS = _two_player_envs()


def test_the_sweep_covers_the_catalogue():
    assert len(ENVS) >= 28, ENVS
    assert {"LiarsDice-v0", "Breakthrough-v0", "Nim-v0", "ColonelBlotto-v0",
            "Battleship-v0", "IndianPoker-v0"} <= set(ENVS)


def _check_complete(record: MatchRecord, config: MatchConfig) -> None:
    assert record.outcome in ("terminal", "forfeit", "max_turns"), record.outcome
    assert len(record.returns) == 2 and all(-1.0 <= r <= 1.0 for r in record.returns)
    assert record.decisions, "a match with no decision"
    for d in record.decisions:
        assert d.observation and d.raw is not None
        assert d.valid == (d.error is None)
        if d.valid:
            assert d.action is not None
        if d.legal_actions is not None:  # listed moves are moves, never templates
            assert not any(" X]" in a or "<" in a for a in d.legal_actions), d.legal_actions
    if config.invalid == "random":
        assert record.outcome != "forfeit"
        assert all(d.fallback for d in record.decisions if not d.valid)
    if record.outcome == "forfeit":
        assert not record.decisions[-1].valid and config.invalid != "random"
    again = MatchRecord.from_dict(json.loads(json.dumps(record.to_dict())))
    assert again.transcript() == record.transcript()


@pytest.mark.parametrize("env_id", ENVS)
def test_random_plays_every_two_player_environment(env_id):
    game = games.make(f"textarena:{env_id}", players=2)
    for invalid in ("forfeit", "retry:1", "random"):
        config = MatchConfig(invalid=invalid, max_turns=MAX_TURNS)
        for seed in (0, 1):
            agents = [make_agent("random", seed=1), make_agent("random", seed=2)]
            record = play_match(game, agents, seed, config)
            _check_complete(record, config)
            assert not any(d.states_given for d in record.decisions)
            if invalid == "random":
                again = play_match(game, agents, seed, config)
                assert again.transcript() == record.transcript()  # same seed, same match


@pytest.fixture(scope="module")
def tiny_generator(tiny_model):
    agent = make_agent(f"llm:model={tiny_model},mode=generate,max_new_tokens=4,"
                       "token_budget=512")
    yield agent
    agent.close()


@pytest.mark.parametrize("env_id", ENVS)
def test_a_generate_mode_model_plays_every_two_player_environment(env_id, tiny_generator):
    """One short match each (the policy alternates over the catalogue); a 512-token budget
    makes most prompts go through the long-transcript cut."""
    game = games.make(f"textarena:{env_id}", players=2)
    config = MatchConfig(invalid=("forfeit", "random")[ENVS.index(env_id) % 2], max_turns=3)
    record = play_match(game, [tiny_generator, make_agent("random", seed=3)], 0, config)
    _check_complete(record, config)
    model_moves = [d for d in record.decisions if d.player == 0]
    assert model_moves and all(d.token_ids for d in model_moves)
    assert all(len(d.info["prompt_ids"]) + 4 <= 512 for d in model_moves)
