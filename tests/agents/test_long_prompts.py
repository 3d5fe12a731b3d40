"""Prompts longer than the model can take: the rules and the most recent history stay, the
cut is marked, one warning per match, and a forward pass stays within the token budget."""

from __future__ import annotations

import logging

import pytest

from agents.llm.prompts import CUT_MARK, fit_prompt, render_prompt
from games import Observation

RULES = "Rules: take turns; the last move wins."


def _transcript(moves: int) -> str:
    head = "[GAME] You are Player 0. Submit moves as '[a2 a3]'.\nThe board has 8 rows."
    return "\n".join([head] + [f"[GAME] move {i}: a piece went to c{i % 8}" for i in range(moves)])


def _obs(moves: int, legal=("[a]", "[b]"), player: int = 0, first: str = "") -> Observation:
    return Observation("transcript", player, "Player 0", moves, first + _transcript(moves),
                       legal, RULES)


def test_a_prompt_that_fits_is_left_whole():
    obs = _obs(5)
    assert fit_prompt(obs, "generate", None, 10_000, len) == (render_prompt(obs, "generate"), 0)


def test_rules_head_and_recent_history_stay_and_the_cut_is_marked():
    obs = _obs(200)
    lines = obs.text.splitlines()
    prompt, cut = fit_prompt(obs, "generate", None, 1500, len)
    assert len(prompt) <= 1500 and cut > 100
    assert RULES in prompt and lines[0] in prompt and lines[1] in prompt  # rules, first message
    assert CUT_MARK.format(n=cut) in prompt
    kept = len(lines) - 2 - cut
    assert all(ln in prompt for ln in lines[-kept:])  # the most recent lines, all of them
    assert lines[-kept - 1] not in prompt and lines[2] not in prompt
    longer, _ = fit_prompt(obs, "generate", None, 1500 + 60, len)
    assert len(longer) > len(prompt)  # as many recent lines as fit


def test_a_head_too_long_to_keep_gives_way_to_recent_history():
    obs = Observation("t", 0, "P", 1, "[GAME] " + "rule " * 400 + "\n[GAME] now: your move",
                      None, RULES)
    prompt, cut = fit_prompt(obs, "generate", None, 600, len)
    assert "now: your move" in prompt and "rule rule" not in prompt and cut == 1


@pytest.fixture(scope="module")
def small_context(tiny_model):
    from agents.llm.agent import LLMAgent

    agent = LLMAgent(model=tiny_model, mode="choice", token_budget=256)
    yield agent
    agent.close()


def test_choice_mode_stays_within_the_token_budget(small_context, caplog):
    agent = small_context
    with caplog.at_level(logging.WARNING, logger="agents.llm.agent"):
        decisions = agent.act_batch([_obs(n) for n in (40, 42, 44)])
        agent.act_batch([_obs(46)])
    room = sum(len(agent.backend.encode_continuation(a)) for a in ("[a]", "[b]"))
    for d in decisions:  # the prompt and every candidate in one row: within the budget
        assert 200 < len(d.info["prompt_ids"]) <= 256 - room
        assert d.info["prompt_cut"] > 0 and d.text in ("[a]", "[b]")
    warnings = [r.getMessage() for r in caplog.records if "left out" in r.getMessage()]
    assert len(warnings) == 1  # once per match (the same game's first message)
    assert f"exceeds {256 - room} tokens" in warnings[0] and "transcript" in warnings[0]
    with caplog.at_level(logging.WARNING, logger="agents.llm.agent"):
        agent.act_batch([_obs(40, first="[GAME] another match\n")])
    assert len([r for r in caplog.records if "left out" in r.getMessage()]) == 2


def test_a_long_game_costs_no_more_than_a_short_one_past_the_budget(small_context):
    agent = small_context
    short, = agent.act_batch([_obs(60)])
    long, = agent.act_batch([_obs(6000)])
    assert len(long.info["prompt_ids"]) <= 256
    assert abs(len(long.info["prompt_ids"]) - len(short.info["prompt_ids"])) < 40
    assert long.info["prompt_cut"] > 5000


def test_a_short_prompt_records_no_cut(small_context):
    d, = small_context.act_batch([_obs(1)])
    assert "prompt_cut" not in d.info


def test_a_short_prompt_is_not_tokenized_to_be_measured():
    import games
    from agents.llm.prompts import fit_prompt

    obs = games.make("kuhn_poker").new_state(0).observation(0)
    calls = []

    def count(text):
        calls.append(text)
        return len(text.encode("utf-8")) + 1

    prompt, cut = fit_prompt(obs, "choice", None, 100_000, count)
    assert cut == 0 and calls == []
    prompt, cut = fit_prompt(obs, "choice", None, len(prompt.encode()) + 1, count)
    assert cut == 0 and calls == [prompt]  # near the limit it counts, as before
