"""Team games and benchmarks in results and ratings: sides, team credit in Plackett-Luce,
per-role win rates with Wilson intervals, benchmark boards, and the leaderboard command."""

import json
import math

import pytest

import games.registry
from agents import registry as agent_registry
from arena.ratings import leaderboard, plackett_luce_ratings
from arena.results import (Match, benchmark_rows, contested, mean_interval, sides, tables,
                           wilson_interval)
from arena.store import Store
from arena.tournament import TournamentConfig, run_tournament
from arena.tournament_cli import leaderboard_from_argv, run_from_argv
from tests.toy_games import REGISTER


@pytest.fixture
def small(monkeypatch):
    for name, target in REGISTER.items():
        monkeypatch.setitem(games.registry._BUILTIN, name, target)
    monkeypatch.setitem(agent_registry._BUILTIN, "three", "tests.arena.helpers:AlwaysThree")
    monkeypatch.setitem(agent_registry._BUILTIN, "slow", "tests.arena.helpers:SlowRandom")


# ---- sides and intervals ----------------------------------------------------------------


def test_sides_join_seats_by_team_and_by_agent():
    team = Match(("a", "b", "c", "d"), (1, -1, 1, -1), (), (0, 1, 0, 1))
    assert [(s.agents, s.seats, s.score) for s in sides(team)] == [
        (("a", "c"), (0, 2), 1.0), (("b", "d"), (1, 3), -1.0)]
    # an agent holding seats of both teams is contested: the teams stay apart
    across = sides(Match(("a", "b", "a", "c"), (1, -1, -1, 1), (), (0, 1, 1, 0)))
    assert [(s.agents, s.score) for s in across] == [(("a", "c"), 1.0), (("b", "a"), -1.0)]
    assert contested(across) == {"a"}
    agent_t, pairs, _, _ = tables([Match(("a", "b", "a", "c"), (1, -1, -1, 1), (), (0, 1, 1, 0))])
    assert "a" not in agent_t and [(p.agent_a, p.agent_b) for p in pairs] == [("b", "c")]
    # every seat for itself: an agent with two seats is one side, scored by its mean
    free = sides((("a", "b", "a"), (1.0, 0.0, 0.0)))
    assert [(s.agents, s.score) for s in free] == [(("a",), 0.5), (("b",), 0.0)]


def test_wilson_interval_against_hand_values():
    low, high = wilson_interval(5, 10)
    half = 1.959963984540054 / (1 + 3.841458820694124 / 10) * math.sqrt(
        0.025 + 3.841458820694124 / 400)
    assert (low, high) == pytest.approx((0.5 - half, 0.5 + half))
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)
    mean, lo, hi = mean_interval([1.0, 3.0])
    assert mean == 2.0 and (lo, hi) == pytest.approx((2 - 1.96 * math.sqrt(2) / math.sqrt(2),
                                                      2 + 1.96 * math.sqrt(2) / math.sqrt(2)),
                                                     rel=1e-3)


def test_tables_credit_the_whole_team_and_count_roles():
    roles = ("north", "east", "south", "west")
    matches = [Match(("a", "b", "c", "d"), (1, -1, 1, -1), roles, (0, 1, 0, 1)),
               Match(("b", "a", "d", "c"), (1, -1, 1, -1), roles, (0, 1, 0, 1))]
    agent_t, pairs, seats, role_rows = tables(matches)
    assert {a: (t.wins, t.losses) for a, t in agent_t.items()} == {
        "a": (1, 1), "b": (1, 1), "c": (1, 1), "d": (1, 1)}
    assert {(p.agent_a, p.agent_b) for p in pairs} == {("a", "b"), ("a", "d"), ("b", "c"),
                                                       ("c", "d")}  # opponents only
    rows = {(r.agent, r.role): r for r in role_rows}
    assert (rows[("a", "north")].wins, rows[("a", "east")].losses) == (1, 1)
    assert rows[("a", "north")].win_rate == 1.0
    assert rows[("a", "north")].win_low == pytest.approx(wilson_interval(1, 1)[0])


def test_plackett_luce_rates_teams_as_one():
    pytest.importorskip("openskill")
    outcomes = [Match(("a", "b", "c", "d"), (1, -1, 1, -1), (), (0, 1, 0, 1))] * 10
    rated = plackett_luce_ratings(outcomes)
    assert rated["a"] == pytest.approx(rated["c"]) and rated["b"] == pytest.approx(rated["d"])
    assert rated["a"][0] > 25 > rated["b"][0]
    # without teams the same returns would rank a and c against each other (a tie)
    free = plackett_luce_ratings([Match(m.agents, m.returns) for m in outcomes])
    assert free["a"] == pytest.approx(free["c"])


# ---- tournaments ------------------------------------------------------------------------


def test_team_tournament_ranks_the_stronger_partner(small):
    pytest.importorskip("openskill")
    store = Store(":memory:")
    run_tournament(TournamentConfig(games=["pairs"], agents=["three", "random"], rounds=6,
                                    fill="slow:delay=0"), store)
    board = leaderboard(store, game="pairs")
    assert board.method == "plackett-luce" and board.matches == 24
    assert board.rows[0].agent == "three"
    assert {r.role for r in board.roles} == {"north", "east", "south", "west"}
    three = [r for r in board.roles if r.agent == "three"]
    assert all(r.games == 6 for r in three)  # every seat equally often
    assert all(r.win_low <= r.win_rate <= r.win_high for r in board.roles)


def test_benchmark_board_shows_success_rates(small):
    store = Store(":memory:")
    cfg = TournamentConfig(games=["guess"], agents=["three", "random"], rounds=30,
                           format="benchmark")
    run_tournament(cfg, store)
    board = leaderboard(store, tid=cfg.tournament_id())
    assert board.method == "benchmark" and board.rows == [] and board.matches == 60
    rows = {r.agent: r for r in board.benchmark}
    targets = [int(store.get_match(f"{cfg.tournament_id()}:{i}").returns[0])
               for i in range(60) if store.get_match(f"{cfg.tournament_id()}:{i}").agents
               == ("three",)]
    assert rows["three"].episodes == 30 and rows["three"].successes == sum(targets)
    assert rows["three"].success_rate == pytest.approx(rows["three"].mean_return)
    for r in board.benchmark:
        assert r.success_low <= r.success_rate <= r.success_high
        assert r.mean_low <= r.mean_return <= r.mean_high


def test_benchmark_against_a_field_counts_wins():
    store = Store(":memory:")
    cfg = TournamentConfig(games=["tictactoe"], agents=["minimax", "random"], rounds=5,
                           format="benchmark", fill="expert")
    run_tournament(cfg, store)
    board = leaderboard(store, tid=cfg.tournament_id())
    rows = {r.agent: r for r in board.benchmark}
    assert set(rows) == {"minimax", "random"} and rows["minimax"].episodes == 10
    assert rows["minimax"].successes == 0 and rows["minimax"].mean_return == 0.0  # all draws
    assert rows["random"].mean_return < 0
    assert benchmark_rows([], ["x"]) == []
    assert leaderboard(store).benchmark == board.benchmark  # all its tournaments benchmark
    run_tournament(TournamentConfig(games=["tictactoe"], agents=["minimax", "random"],
                                    rounds=1), store)
    assert leaderboard(store).method == "bradley-terry"  # mixed with a round robin


def test_cli_benchmark_and_role_tables(small, tmp_path, capsys):
    db = str(tmp_path / "b.db")
    argv = ["--game", "guess", "--agents", "three,random", "--format", "benchmark",
            "--rounds", "10", "--db", db]
    assert run_from_argv(argv) == 0
    out = capsys.readouterr().out
    assert "Benchmark: guess" in out and "success" in out and "Per role: guess" in out
    assert "guesser" in out
    assert leaderboard_from_argv(["--db", db, "--json"]) == 0
    (board,) = json.loads(capsys.readouterr().out)
    assert board["method"] == "benchmark"  # every match has one seat
    assert {r["agent"] for r in board["benchmark"]} == {"three", "random"}
    assert run_from_argv(["--game", "tictactoe", "--agents", "random", "--format",
                          "benchmark", "--db", db]) == 2
    assert "give --fill SPEC" in capsys.readouterr().err


def test_benchmark_records_are_the_same_in_worker_processes():
    from tests.arena.helpers import strip_timing

    cfg = dict(games=["tictactoe", "kuhn_poker"], agents=["mcts:simulations=5", "random"],
               rounds=3, format="benchmark", fill="expert")
    one, two = Store(":memory:"), Store(":memory:")
    run_tournament(TournamentConfig(**cfg), one)
    run_tournament(TournamentConfig(**cfg, workers=2, batch=2), two)
    assert [strip_timing(r) for r in one.matches()] == [strip_timing(r) for r in two.matches()]
    assert one.count() == 2 * 2 * 3 * 2  # games x agents x episodes x seats


def test_benchmark_roles_count_draws_in_games_of_several_seats():
    from arena.results import Match, benchmark_roles

    matches = [Match(("minimax", "expert"), (0.0, 0.0), ("X", "O")),
               Match(("expert", "minimax"), (0.0, 0.0), ("X", "O")),
               Match(("minimax", "expert"), (1.0, -1.0), ("X", "O")),
               Match(("expert", "minimax"), (1.0, -1.0), ("X", "O"))]
    rows = {r.role: r for r in benchmark_roles(matches, ["minimax"])}
    assert (rows["X"].games, rows["X"].wins, rows["X"].draws, rows["X"].losses) == (2, 1, 1, 0)
    assert (rows["O"].games, rows["O"].wins, rows["O"].draws, rows["O"].losses) == (2, 0, 1, 1)
    solo = benchmark_roles([Match(("a",), (0.0,), ("agent",))], ["a"])
    assert (solo[0].draws, solo[0].losses) == (0, 1)  # a failed episode is no draw
