"""Views: every built-in game renders ``text`` and ``compact``, which differ in text only.

Over random play, both views give the same information states and legal actions (the
conformance check ``views``), each text is a function of what its player knows (same
player and information state, same text), the phrasebook views expand back to the text
view exactly, and the codes of the compact views are as stated.
"""

import random

import pytest
from hypothesis import given, settings, strategies as st

import games
from games.conformance import check_game
from games.conformance.views import check_views, game_in_view
from games.core import VIEWS

BUILTIN = ["kuhn_poker", "kuhn_poker:hands=3", "tictactoe", "negotiation", "werewolf",
           "werewolf:speech=claims", "household", "household:players=2"]


def _playout(game, seed):
    """Every state of one seeded random game, the terminal one included."""
    state, rng = game.new_state(seed), random.Random(seed)
    yield state
    while not state.is_terminal():
        moves = [(p, state.random_action(p, rng)) for p in state.current_players()]
        for p, action in moves:
            state.apply(p, action)
        yield state


@pytest.mark.parametrize("spec", BUILTIN)
def test_every_builtin_game_renders_both_views(spec):
    game = games.make(spec)
    assert game.views == VIEWS and game.view == "text"
    report = check_game(spec, seeds=range(6), checks=["views"])
    assert report.ok, report.summary()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), spec=st.sampled_from(BUILTIN))
def test_views_agree_on_information_and_legal_actions(seed, spec):
    check_views(games.make(spec), [seed])


@pytest.mark.parametrize("spec", BUILTIN)
def test_a_text_is_a_function_of_what_its_player_knows(spec):
    """No view shows more than the information state: the same player at the same
    information state reads the same text, in either view."""
    for view in VIEWS:
        game = game_in_view(games.make(spec), view)
        seen: dict[tuple[int, str], str] = {}
        for seed in range(25):
            for state in _playout(game, seed):
                for p in range(game.num_players):
                    obs = state.observation(p)
                    assert seen.setdefault((p, obs.info_state), obs.text) == obs.text


@pytest.mark.parametrize("spec", ["werewolf", "werewolf:speech=claims",
                                  "werewolf:players=9,wolves=3,wolf_decision=leader",
                                  "negotiation", "negotiation:turns=30"])
def test_phrasebook_views_expand_back_to_the_text_view_exactly(spec):
    from games.negotiation.text import COMPACT as NEGOTIATION
    from games.werewolf.compact import text_view

    text_game = games.make(spec)
    compact_game = game_in_view(text_game, "compact")
    for seed in range(30):
        for a, b in zip(_playout(text_game, seed), _playout(compact_game, seed)):
            for p in range(text_game.num_players):
                full, short = a.observation(p), b.observation(p)
                if spec.startswith("werewolf"):
                    back = text_view(short.text, short.legal_actions)
                else:
                    back = NEGOTIATION.expand(short.text)
                assert back == full.text
                assert len(short.text) < len(full.text)


def test_tictactoe_compact_is_the_mark_then_nine_cells():
    game = games.make("tictactoe", view="compact")
    state = game.state_from_board("X...O....")
    assert state.observation(0).text == "X| X . . . O . . . ."
    assert state.observation(1).text == "O| X . . . O . . . ."
    won = game.state_from_board("XXXOO....")
    assert won.observation(1).text == "O| X X X O O . . . . = X"


def test_kuhn_compact_shows_own_card_seat_order_and_betting():
    one = games.make("kuhn_poker", view="compact")
    s = one.deal_state("KQ")
    s.apply(0, "[check]")
    assert s.observation(1).text == "Q 2 : check"
    assert s.observation(0).text == "K 1 : check"
    s.apply(1, "[bet]")
    s.apply(0, "[call]")
    assert s.observation(1).text == "Q-K : check bet call\n= -2"
    three = games.make("kuhn_poker", view="compact", hands=3)
    s = three.deal_state("KQ" "JK" "QJ")
    for a in ("[bet]", "[fold]"):
        s.apply(s.current_players()[0], a)
    assert s.observation(0).text == "2/3 +1\nK-? : bet fold\nJ 2 :"


def test_household_compact_lists_what_the_agent_knows():
    game = games.make("household", view="compact")
    state = game.new_state(3)
    text = state.observation(0).text
    task = state.lay.world.task
    assert text.splitlines()[0] == " ".join(x for x in ("task", task.kind, task.obj,
                                                          task.target, task.lamp) if x)
    assert "step 0/50 at - hold -" in text and "\nseen -\n" in text


def test_a_view_no_game_renders_is_one_clear_error():
    with pytest.raises(ValueError, match="must be one of text, compact; use e.g."):
        games.make("tictactoe:view=pictures")
    with pytest.raises(ValueError, match="renders the view\\(s\\) text; use e.g."):
        games.make("textarena:TicTacToe-v0", view="compact")
    assert games.make("textarena:TicTacToe-v0", view="text").view == "text"


def test_the_record_says_which_view_was_used():
    from agents import make_agent
    from arena.runner import MatchConfig, play_match

    game = games.make("tictactoe:view=compact")
    agents = [make_agent("random", seed=1), make_agent("random", seed=2)]
    record = play_match(game, agents, seed=4, config=MatchConfig())
    assert record.options["view"] == "compact"
    assert record.decisions[0].observation.startswith("X| ")
    same = play_match(games.make("tictactoe"), [make_agent("random", seed=1),
                                                make_agent("random", seed=2)], seed=4,
                      config=MatchConfig())
    assert [d.action for d in same.decisions] == [d.action for d in record.decisions]
    assert same.options["view"] == "text"


def test_scripted_experts_play_compact_views_as_they_play_text():
    from agents import make_agent
    from arena.runner import MatchConfig, play_match

    for spec, expert, seats in (("negotiation", "negotiator", 2),
                                ("werewolf:speech=claims", "werewolf-rules", 7)):
        actions = []
        for view in VIEWS:
            game = game_in_view(games.make(spec), view)
            agents = [make_agent(expert, seed=s) for s in range(seats)]
            record = play_match(game, agents, seed=11, config=MatchConfig())
            assert record.outcome == "terminal"
            actions.append([d.action for d in record.decisions])
        assert actions[0] == actions[1]


def test_the_views_check_catches_a_view_that_changes_what_a_player_knows():
    from dataclasses import dataclass

    from games.core import view_field
    from games.tictactoe import TicTacToe
    from games.tictactoe.state import TicTacToeState

    class LeakyState(TicTacToeState):
        __slots__ = ()

        def information_state(self, player):  # the compact view "knows" the turn parity
            extra = f";turn={self.turn % 2}" if self.game.view == "compact" else ""
            return super().information_state(player) + extra

    class Leaky(TicTacToe):
        def state_from_masks(self, x, o):
            s = super().state_from_masks(x, o)
            s.__class__ = LeakyState
            return s

    report = check_game(Leaky(), seeds=range(2), checks=["views"])
    assert not report.ok and "information state differs" in report.summary()

    @dataclass
    class NoViewOption:
        pass

    class Undeclared(TicTacToe):
        Options = NoViewOption

    report = check_game(Undeclared(), seeds=range(1), checks=["views"])
    assert not report.ok and "have no 'view' field" in report.summary()
    assert view_field().metadata["choices"] == VIEWS


def test_arena_games_lists_each_games_views(capsys):
    import json

    from arena.cli import main

    assert main(["games", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    for name in ("kuhn_poker", "tictactoe", "negotiation", "werewolf", "household"):
        assert rows[name]["views"] == ["text", "compact"]


def test_a_speech_that_imitates_the_state_line_round_trips_unchanged():
    from games.werewolf.compact import COMPACT

    text = ("YOU: Player 0, villager (village team).\n"
            "STATE: Day 1, vote. Living (2 of 3): Player 0, Player 1. Dead: Player 2.\n"
            "PUBLIC LOG:\n  Day 1, Player 1 said: x; Living (9 of 9): a. Dead: b.\n"
            "NOW: the game is over.")
    short = COMPACT.compact(text)
    assert "  D1 P1: x; Living (9 of 9): a. Dead: b." in short.splitlines()
    assert COMPACT.expand(short) == text
