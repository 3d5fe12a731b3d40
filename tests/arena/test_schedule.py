"""Who plays where: groups, seatings, role-ordered rotations with a fill, benchmarks, seeds
from derive_seed, and batched play of scheduled line-ups."""

from collections import Counter

import pytest

import games
import games.registry
from agents import make_agent
from agents import registry as agent_registry
from arena.schedule import (benchmark_schedule, groups, lineups, place, play,
                            round_robin_schedule, seat_order, tournament_schedule,
                            versus_schedule)
from common.seeds import derive_seed
from tests.toy_games import REGISTER


@pytest.fixture
def small(monkeypatch):
    for name, target in REGISTER.items():
        monkeypatch.setitem(games.registry._BUILTIN, name, target)
    monkeypatch.setitem(agent_registry._BUILTIN, "three", "tests.arena.helpers:AlwaysThree")


def test_groups_per_format():
    agents = ["a", "b", "c", "d"]
    assert groups(agents, 2, "round-robin") == [("a", "b"), ("a", "c"), ("a", "d"),
                                                ("b", "c"), ("b", "d"), ("c", "d")]
    assert groups(agents, 2, "gauntlet") == [("a", "b"), ("a", "c"), ("a", "d")]
    assert groups(agents, 2, "benchmark") == [("a",), ("b",), ("c",), ("d",)]
    assert groups(agents, 7, "round-robin") == [tuple(agents)]
    with pytest.raises(ValueError, match="format='swiss' must be one of"):
        groups(agents, 2, "swiss")


def test_lineups_permute_full_tables_and_rotate_otherwise():
    assert sorted(lineups(("a", "b", "c"), 3)) == sorted(
        [("a", "b", "c"), ("a", "c", "b"), ("b", "a", "c"), ("b", "c", "a"), ("c", "a", "b"),
         ("c", "b", "a")])
    assert lineups(("a", "b"), 3) == [("a", "b", "a"), ("b", "a", "b")]
    filled = lineups(("a", "b"), 4, fill="f")
    assert filled == [("a", "b", "f", "f"), ("b", "f", "f", "a"), ("f", "f", "a", "b"),
                      ("f", "a", "b", "f")]
    for agent in "ab":  # every position exactly once
        assert sorted(lu.index(agent) for lu in filled) == [0, 1, 2, 3]


def test_place_puts_positions_into_seats():
    assert place(("a", "b", "c"), (2, 0, 1)) == ("b", "c", "a")


def test_seat_order_follows_the_dealt_roles(small):
    crown = games.make("crown")
    for seed in range(20):
        order = seat_order(crown, seed)
        state = crown.new_state(seed)
        assert state.role(order[0]) == "king"
        assert sorted(order) == [0, 1, 2] and list(order[1:]) == sorted(order[1:])
    assert seat_order(games.make("tictactoe"), 5) == (0, 1)  # roles fixed per seat


def test_every_agent_plays_every_role_equally_often_with_a_fill(small):
    planned = tournament_schedule(["crown"], ["a", "b"], rounds=4, fmt="round-robin", seed=3,
                                  fill="f")
    assert len(planned) == 4 * 3
    crown = games.make("crown")
    roles = Counter()
    for m in planned:
        assert Counter(m.agents) == {"a": 1, "b": 1, "f": 1}
        state = crown.new_state(m.seed)
        for seat, agent in enumerate(m.agents):
            roles[(agent, state.role(seat))] += 1
        assert m.seed == derive_seed("arena-match", 3, m.index)
    # a king once in every three matches, whoever the seeds made king
    assert roles == {("a", "king"): 4, ("a", "peasant"): 8, ("b", "king"): 4,
                     ("b", "peasant"): 8, ("f", "king"): 4, ("f", "peasant"): 8}


def test_team_game_rotation_seats_each_agent_in_each_team(small):
    planned = tournament_schedule(["pairs"], ["a", "b"], rounds=1, fmt="round-robin", seed=0,
                                  fill="f")
    assert [m.agents for m in planned] == [("a", "b", "f", "f"), ("b", "f", "f", "a"),
                                           ("f", "f", "a", "b"), ("f", "a", "b", "f")]


def test_benchmark_gives_every_agent_the_same_episodes(small):
    planned = benchmark_schedule("guess", ["three", "random"], 5, seed=2)
    assert len(planned) == 10 and [m.index for m in planned] == list(range(10))
    seeds = {a: [m.seed for m in planned if m.agents == (a,)] for a in ("three", "random")}
    assert seeds["three"] == seeds["random"]
    assert seeds["three"] == [derive_seed("arena-episode", 2, "guess", 0, k) for k in range(5)]
    with pytest.raises(ValueError, match=r"needs a field for the other seats: give --fill"):
        benchmark_schedule("kuhn_poker", ["expert"], 2, seed=0)


def test_versus_puts_the_agent_in_every_seat():
    planned = versus_schedule("kuhn_poker", "me", "random", 3, seed=1)
    assert Counter(m.agents for m in planned) == {("me", "random"): 3, ("random", "me"): 3}
    again = versus_schedule("kuhn_poker", "me", "random", 3, seed=1)
    assert again == planned
    assert versus_schedule("kuhn_poker", "me", "random", 3, seed=2) != planned


def test_round_robin_seeds_depend_on_the_lineup_not_the_field():
    small_field = round_robin_schedule("tictactoe", ["a", "b"], 2, seed=4, purpose="ladder")
    large = round_robin_schedule("tictactoe", ["a", "b", "c"], 2, seed=4, purpose="ladder")
    by_lineup = {(m.agents, m.seed) for m in large}
    assert all((m.agents, m.seed) in by_lineup for m in small_field)
    assert small_field[0].seed == derive_seed("ladder", 4, "tictactoe", "a,b", 0)


def test_play_batches_scheduled_matches_and_reproduces():
    planned = versus_schedule("tictactoe", "me", "random", 4, seed=0)
    players = {"me": make_agent("minimax"), "random": make_agent("random", seed=1)}
    records = play(planned, players)
    assert [r.match_id for r in records] == [str(m.index) for m in planned]
    assert [r.seed for r in records] == [m.seed for m in planned]
    for m, r in zip(planned, records):
        seat = m.agents.index("me")
        assert r.agents[seat] == "minimax" and r.returns[seat] >= 0  # minimax never loses
    assert [r.returns for r in play(planned, players)] == [r.returns for r in records]
    with pytest.raises(ValueError, match=r"scheduled agents \['random'\] have no player"):
        play(planned, {"me": players["me"]})


def test_selfplay_schedule_cycles_games_and_derives_each_seed():
    from arena.schedule import selfplay_schedule
    from common.seeds import derive_seed

    planned = selfplay_schedule(["kuhn_poker", "werewolf"], "me", 4, 7, "sft")
    assert [m.game for m in planned] == ["kuhn_poker", "werewolf"] * 2
    assert [len(m.agents) for m in planned] == [2, 7, 2, 7]
    assert all(set(m.agents) == {"me"} for m in planned)
    assert planned[3].seed == derive_seed("sft", 7, "werewolf", 3)
    with pytest.raises(ValueError, match="at least one game"):
        selfplay_schedule([], "me", 1, 0, "x")
