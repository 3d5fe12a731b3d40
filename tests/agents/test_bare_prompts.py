"""prompt=bare: the observation alone, for models that learn a game from reward; and the
local tokenizer reads compact views densely (one token per TicTacToe cell)."""

import pytest

import games
from agents import make_agent
from agents.llm.agent import LLMAgent
from agents.llm.prompts import bare_prompt, render_prompt


def _obs(spec, player=0):
    name, _, opts = spec.partition(":")
    kwargs = dict(o.split("=") for o in opts.split(",") if o)
    return games.make(name, **kwargs).new_state(3).observation(player)


def test_bare_prompt_is_the_observation_and_in_generate_mode_the_legal_actions():
    obs = _obs("tictactoe:view=compact")
    assert bare_prompt(obs, "choice") == "X| . . . . . . . . .\n"
    assert bare_prompt(obs, "generate") == ("X| . . . . . . . . .\n"
                                            "[0] [1] [2] [3] [4] [5] [6] [7] [8]\n")
    free = _obs("negotiation:view=compact")
    assert bare_prompt(free, "generate") == free.text + "\n"  # free text: no list
    full = render_prompt(obs, "choice")
    assert obs.rules in full and render_prompt(obs, "choice", style="bare") == obs.text + "\n"


def test_an_llm_agent_with_a_bare_prompt_plays_and_records_it(tiny_model):
    agent = make_agent(f"llm:model={tiny_model},prompt=bare", seed=1)
    obs = _obs("tictactoe:view=compact")
    decision = agent.act(obs)
    assert decision.info["prompt"] == obs.text + "\n"
    assert decision.text in obs.legal_actions
    full = make_agent(f"llm:model={tiny_model}", seed=1).act(obs)
    assert len(full.info["prompt_ids"]) > 5 * len(decision.info["prompt_ids"])
    assert len(decision.info["prompt_ids"]) == 12


def test_a_prompt_style_that_does_not_exist_is_one_clear_error(tiny_model):
    with pytest.raises(ValueError, match="llm prompt='short' not allowed: expected full or bare"):
        LLMAgent(model=tiny_model, prompt="short")


def test_the_local_tokenizer_reads_compact_views_densely(tiny_model):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    game = games.make("tictactoe", view="compact")
    state = game.state_from_board("XO..X...O")
    pieces = [tok.decode([i]) for i in tok(state.observation(1).text)["input_ids"]]
    assert pieces == ["O", "|", " X", " O", " .", " .", " X", " .", " .", " .", " O"]
    kuhn = games.make("kuhn_poker", view="compact").deal_state("QK")
    kuhn.apply(0, "[check]")
    assert len(tok(kuhn.observation(1).text)["input_ids"]) == 4  # K, 2, :, check
