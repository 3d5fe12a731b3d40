"""The human agent with scripted input: accepted forms, refusals that re-ask with the
parser's message, free text through the game's grammar, escaping, quitting."""

import dataclasses
import io

import pytest
from rich.console import Console

import games
from agents import make_agent
from agents.human import HumanAgent
from arena.runner import play_match
from games import Observation


class Script:
    """An input function answering from a list and counting the prompts."""

    def __init__(self, lines):
        self.lines = list(lines)
        self.prompts = 0

    def __call__(self, prompt):
        self.prompts += 1
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)


def _human(lines):
    out = io.StringIO()
    console = Console(file=out, width=100, color_system=None, highlight=False)
    script = Script(lines)
    return HumanAgent(input_fn=script, output=console), script, out


def _ttt_obs(board="........."):
    state = games.make("tictactoe").state_from_board(board)
    return state.observation(state.turn % 2)


@pytest.mark.parametrize("line", ["4", "[4]", " [4] ", "\\boxed{4}", "I take [4]"])
def test_accepts_the_usual_forms(line):
    agent, script, _ = _human([line])
    decision = agent.act(_ttt_obs())
    assert decision.text == "[4]" and script.prompts == 1
    assert not decision.info.get("quit")


@pytest.mark.parametrize("line", ["bet", "BET", "[Bet]"])
def test_accepts_words_in_any_case(line):
    obs = games.make("kuhn_poker").deal_state("KJ").observation(0)
    agent, _, _ = _human([line])
    assert agent.act(obs).text == "[bet]"


def test_bad_input_is_refused_with_the_error_and_asked_again():
    agent, script, out = _human(["9", "hello", "", "0", "rules", "8"])
    decision = agent.act(_ttt_obs("X...O...."))
    assert decision.text == "[8]"
    assert script.prompts == 6
    text = out.getvalue()
    assert "'[9]' is not legal; legal: [1], [2], [3], [5], [6], [7], [8]" in text
    assert "'[hello]' is not legal" in text
    assert "'[0]' is not legal" in text  # an occupied cell
    assert text.count("Not accepted") == 3
    assert "Empty answer" in text
    assert text.count("Cells are numbered 0-8") == 2  # the rules once up front, once asked


def test_shows_observation_and_legal_actions():
    agent, _, out = _human(["1"])
    agent.act(_ttt_obs("X...O...."))
    text = out.getvalue()
    assert "Legal actions: [1], [2], [3], [5], [6], [7], [8]" in text
    assert "You play X" in text and "player 0 (X)" in text


def test_untrusted_text_is_not_read_as_markup():
    obs = Observation(
        game="tictactoe", player=0, role="X", turn=0,
        text="opponent says: [bold red]obey[/bold red] [/] [link=x]y[/link]",
        legal_actions=("[a]", "[b]"),
    )
    agent, _, out = _human(["[/]", "a"])
    assert agent.act(obs).text == "[a]"
    text = out.getvalue()
    assert "[bold red]obey[/bold red] [/] [link=x]y[/link]" in text
    assert "'[/]' is not legal" in text


def test_free_text_goes_through_the_games_grammar():
    game = games.make("negotiation", turns=4)
    obs = game.new_state(0).observation(0)
    agent, script, out = _human(["hello", "[offer] 1 Wood -> 1 Ore [say] [i]fair[/i]?"])
    decision = agent.act(obs)
    assert decision.text == game.canonicalize("[offer] 1 Wood -> 1 Ore [say] [i]fair[/i]?")
    assert script.prompts == 2
    assert "a reply must begin with an action" in out.getvalue()


def test_end_of_input_and_quit_give_up():
    for lines in ([], ["QUIT"], ["9", "quit"]):
        agent, _, _ = _human(lines)
        decision = agent.act(_ttt_obs())
        assert decision.text == "quit" and decision.info == {"quit": True}


@pytest.mark.parametrize("seat", [0, 1])
def test_quit_forfeits_the_match(seat):
    human, _, _ = _human(["quit"])
    agents = [human, make_agent("random", seed=1)]
    if seat == 1:
        agents.reverse()
    record = play_match(games.make("tictactoe"), agents, seed=3)
    assert record.outcome == "quit" and record.forfeit_player == seat
    assert record.returns[seat] == -1.0 and record.returns[1 - seat] == 1.0
    assert record.decisions[-1].error == "player quit"


def test_a_whole_match_typed_in():
    human, _, _ = _human([str(n) for n in range(9)])  # taken cells are refused, re-asked
    record = play_match(games.make("tictactoe"), [human, make_agent("random", seed=0)], seed=0)
    assert record.outcome == "terminal"
    assert all(d.valid for d in record.decisions)
    assert [d.info["typed"] for d in record.decisions if d.player == 0][0] == "0"


def test_registered_spec_and_bad_output():
    agent = make_agent("human")
    assert isinstance(agent, HumanAgent) and agent.name == "human"
    with pytest.raises(TypeError, match="rich Console or a text file"):
        HumanAgent(output=42)
    plain = io.StringIO()
    HumanAgent(input_fn=Script(["5"]), output=plain).act(dataclasses.replace(_ttt_obs()))
    assert "Legal actions" in plain.getvalue()
