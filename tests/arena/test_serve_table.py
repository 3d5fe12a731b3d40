"""arena/serve's table and hub without a server (no openenv-core needed): a match with a
client seat is the runner's match, a client that leaves ends it as a quit, self-play
sessions join one table and a table its sessions left is not joined again."""

from __future__ import annotations

import pytest

import games
from agents.registry import make_agent
from common.seeds import derive_seed

from arena.runner import MatchConfig, play_match
from arena.serve.hub import Hub, seat_specs
from arena.serve.table import ClientSeat, Table, TurnError


def built(specs: list[str], seed: int):
    return [make_agent(s, seed=derive_seed("play-agent", seed, i, s)) for i, s in enumerate(specs)]


@pytest.mark.parametrize("game, specs, seat", [
    ("tictactoe", ["random", "expert"], 0),
    ("kuhn_poker", ["kuhn-nash", "random"], 1),
    ("werewolf:speech=claims", ["werewolf-rules"] * 7, 5),
])
def test_a_client_seat_plays_the_runners_match(game, specs, seat):
    g = games.make(game)
    for seed in range(5):
        agents = built(specs, seed)
        client, agents[seat] = agents[seat], ClientSeat("client")
        table = Table(g, agents, seed)
        while not table.finished:
            table.answer(seat, client.act(table.question(seat)).text)
        expected = play_match(g, built(specs, seed), seed)
        assert [(d.player, d.action, d.observation) for d in table.record.decisions] == \
               [(d.player, d.action, d.observation) for d in expected.decisions]
        assert table.record.returns == expected.returns


def test_refused_and_out_of_turn_answers_change_nothing():
    g = games.make("tictactoe")
    table = Table(g, [ClientSeat(), make_agent("random")], 0, refuse_invalid=True)
    with pytest.raises(games.IllegalAction, match="'\\[9\\]' is not legal"):
        table.answer(0, "[9]")
    with pytest.raises(TurnError, match="seat 1 cannot answer: it is not your turn"):
        table.answer(1, "[4]")
    assert table.live.decisions == [] and table.question(0).turn == 0
    table.answer(0, "\\boxed{4}")
    assert table.live.decisions[0].action == "[4]"


def test_invalid_forfeit_follows_the_match_config():
    table = Table(games.make("tictactoe"), [ClientSeat(), make_agent("random")], 0,
                  MatchConfig(invalid="retry:1"))
    table.answer(0, "pass")
    assert "Your previous answer was invalid" in table.question(0).text
    table.answer(0, "pass again")
    assert table.record.outcome == "forfeit" and table.record.returns == (-1.0, 1.0)


def test_a_client_that_leaves_ends_the_match_as_a_quit():
    table = Table(games.make("tictactoe"), [ClientSeat(), make_agent("random")], 0)
    table.answer(0, "[4]")
    table.leave(0)
    assert table.record.outcome == "quit" and table.record.forfeit_player == 0
    assert table.record.decisions[-1].error == "player quit"
    with pytest.raises(TurnError, match="the match is over"):
        table.answer(0, "[0]")


def test_self_play_sessions_join_one_table_and_never_a_finished_one():
    hub = Hub("tictactoe", ["self"], seat=0)
    first, seat0 = hub.join(7, "a")
    second, seat1 = hub.join(7, "b")
    assert first is second and (seat0, seat1) == (0, 1)
    assert first.live.spec.agents[1].name == "b"
    lone, _ = hub.join(8, "c")
    lone.leave(0)  # left before anyone joined
    fresh, seat = hub.join(8, "d")
    assert fresh is not lone and seat == 0 and not fresh.finished


def test_seat_specs():
    assert seat_specs(3, 1, ["random"]) == ["random", "self", "random"]
    assert seat_specs(3, 0, ["mcts:simulations=5,c=2", "expert"]) == [
        "self", "mcts:simulations=5,c=2", "expert"]
    with pytest.raises(ValueError, match="3 agent spec\\(s\\)"):
        seat_specs(3, 0, ["a", "b", "c"])
