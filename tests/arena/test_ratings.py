"""Ratings: Bradley-Terry against hand-computed and naive references, bootstrap intervals,
Plackett-Luce for three seats, the win/draw/loss tables, and the leaderboard."""

import math
import random

import pytest

from arena.ratings import (ELO_SCALE, bradley_terry, bt_ratings, leaderboard,
                           pairwise_results)
from arena.records import MatchRecord
from arena.store import Store
from arena.tournament import TournamentConfig, run_tournament


def games_of(a, b, wins, draws, losses):
    return [(a, b, 1.0)] * wins + [(a, b, 0.5)] * draws + [(a, b, 0.0)] * losses


def zermelo(results, iterations=5000):
    """Naive reference: the classical fixed-point iteration for the plain MLE."""
    names = sorted({x for a, b, _ in results for x in (a, b)})
    p = {a: 1.0 for a in names}
    for _ in range(iterations):
        new = {}
        for i in names:
            won = sum(s if a == i else 1 - s for a, b, s in results if i in (a, b))
            denom = sum(1.0 / (p[a] + p[b]) for a, b, _ in results if i in (a, b))
            new[i] = won / denom
        total = sum(new.values())
        p = {a: v / total for a, v in new.items()}
    logs = {a: math.log(v) for a, v in p.items()}
    mean = sum(logs.values()) / len(logs)
    return {a: v - mean for a, v in logs.items()}


def test_three_wins_of_four_gives_odds_three():
    theta = bradley_terry(games_of("A", "B", 3, 0, 1), prior=0)
    assert theta["A"] - theta["B"] == pytest.approx(math.log(3), abs=1e-9)
    points = bt_ratings(games_of("A", "B", 3, 0, 1), prior=0, bootstrap=0)
    assert points["A"][0] - points["B"][0] == pytest.approx(400 * math.log10(3), abs=1e-6)
    assert (points["A"][0] + points["B"][0]) / 2 == pytest.approx(1000.0)


def test_draws_count_half_a_win_each_way():
    with_draws = bradley_terry(games_of("A", "B", 1, 2, 0), prior=0)
    # 2 of 3 points for A: odds 2
    assert with_draws["A"] - with_draws["B"] == pytest.approx(math.log(2), abs=1e-9)
    even = bradley_terry(games_of("A", "B", 0, 5, 0), prior=0)
    assert even["A"] == pytest.approx(even["B"], abs=1e-12)


def test_a_cycle_gives_equal_strengths():
    results = (games_of("A", "B", 2, 0, 1) + games_of("B", "C", 2, 0, 1)
               + games_of("C", "A", 2, 0, 1))
    theta = bradley_terry(results, prior=0)
    assert all(abs(v) < 1e-9 for v in theta.values())


def test_matches_the_naive_reference_on_random_data():
    rng = random.Random(7)
    names = ["a", "b", "c", "d"]
    strength = {"a": 1.2, "b": 0.3, "c": -0.2, "d": -1.3}
    results = []
    for _ in range(120):
        x, y = rng.sample(names, 2)
        p = 1 / (1 + math.exp(strength[y] - strength[x]))
        results.append((x, y, 1.0 if rng.random() < p else 0.0))
    ours, ref = bradley_terry(results, prior=0), zermelo(results)
    for a in names:
        assert ours[a] == pytest.approx(ref[a], abs=1e-6)


def test_prior_keeps_an_undefeated_agent_finite():
    with pytest.raises(ValueError, match="no finite maximum likelihood.*prior > 0"):
        bradley_terry(games_of("A", "B", 4, 0, 0), prior=0)
    theta = bradley_terry(games_of("A", "B", 1, 0, 0), prior=1.0)
    # symmetric solution t = theta_A = -theta_B solves
    # 1 - sigmoid(2t) + 0.5 - sigmoid(t) = 0 (one win plus one virtual draw at 0)
    lo, hi = 0.0, 5.0
    for _ in range(100):
        mid = (lo + hi) / 2
        g = 1 - 1 / (1 + math.exp(-2 * mid)) + 0.5 - 1 / (1 + math.exp(-mid))
        lo, hi = (mid, hi) if g > 0 else (lo, mid)
    assert theta["A"] == pytest.approx(lo, abs=1e-8)
    assert theta["B"] == pytest.approx(-lo, abs=1e-8)
    weak = bradley_terry(games_of("A", "B", 10, 0, 0), prior=10.0)
    strong = bradley_terry(games_of("A", "B", 10, 0, 0), prior=0.1)
    assert 0 < weak["A"] < strong["A"] < 10


def test_bootstrap_interval_is_seeded_and_brackets_the_estimate():
    results = games_of("A", "B", 14, 3, 7) + games_of("B", "C", 9, 0, 4) + games_of("A", "C", 8, 1, 2)
    first = bt_ratings(results, bootstrap=100, seed=3)
    assert first == bt_ratings(results, bootstrap=100, seed=3)
    assert first != bt_ratings(results, bootstrap=100, seed=4)
    for rating, low, high in first.values():
        assert low < rating < high
    assert first["A"][0] > first["B"][0] > first["C"][0]


def test_anchor_agent_reads_1000():
    rated = bt_ratings(games_of("A", "B", 3, 0, 1), prior=0, bootstrap=0, anchor="B")
    assert rated["B"][0] == pytest.approx(1000.0)
    assert rated["A"][0] == pytest.approx(1000.0 + ELO_SCALE * math.log(3))
    with pytest.raises(ValueError, match="anchor agent 'Z'"):
        bt_ratings(games_of("A", "B", 3, 0, 1), anchor="Z")


def test_pairwise_results_score_by_returns_and_drop_mirrors():
    outcomes = [(("a", "b"), (1.0, -1.0)), (("b", "a"), (0.3, 0.3)), (("a", "a"), (1, -1)),
                (("b", "a"), (-2.0, 2.0))]
    assert pairwise_results(outcomes) == [("a", "b", 1.0), ("b", "a", 0.5), ("b", "a", 0.0)]


def fake_record(agents, returns, seed):
    return MatchRecord(game="highest", options={}, seed=seed, agents=tuple(agents),
                       roles=tuple(f"p{i}" for i in range(len(agents))), decisions=(),
                       returns=tuple(returns), outcome="terminal")


def store_with(outcomes, game="highest"):
    store = Store(":memory:")
    store.create_or_get_tournament("t", {})
    for i, (agents, returns) in enumerate(outcomes):
        r = fake_record(agents, returns, i)
        store.add_match("t", i, MatchRecord.from_dict({**r.to_dict(), "game": game}))
    return store


def test_tables_count_wins_draws_losses_per_agent_pair_and_seat():
    store = store_with([(("a", "b"), (1, -1)), (("b", "a"), (0, 0)), (("b", "a"), (1, -1))],
                       game="duel")
    board = leaderboard(store, bootstrap=20)
    assert board.method == "bradley-terry" and board.matches == 3
    rows = {r.agent: r for r in board.rows}
    assert (rows["a"].games, rows["a"].wins, rows["a"].draws, rows["a"].losses) == (3, 1, 1, 1)
    assert (rows["b"].wins, rows["b"].draws, rows["b"].losses) == (1, 1, 1)
    assert rows["a"].mean_return == pytest.approx(0.0)
    (pair,) = board.pairs
    assert (pair.agent_a, pair.agent_b, pair.wins_a, pair.draws, pair.wins_b) == ("a", "b", 1, 1, 1)
    seats = {(s.agent, s.seat): (s.games, s.wins, s.draws, s.losses) for s in board.seats}
    assert seats == {("a", 0): (1, 1, 0, 0), ("a", 1): (2, 0, 1, 1),
                     ("b", 0): (2, 1, 1, 0), ("b", 1): (1, 0, 0, 1)}


def test_plackett_luce_for_three_seats():
    pytest.importorskip("openskill")
    outcomes = []
    for i in range(30):
        seating = [("a", "b", "c"), ("b", "c", "a"), ("c", "a", "b")][i % 3]
        score = {"a": 3.0, "b": 2.0 if i % 4 else 0.0, "c": 1.0}
        outcomes.append((seating, tuple(score[x] for x in seating)))
    board = leaderboard(store_with(outcomes))
    assert board.method == "plackett-luce"
    assert [r.agent for r in board.rows] == ["a", "b", "c"]
    for r in board.rows:
        assert r.ci_low < r.rating < r.ci_high
    assert board.rows[0].wins == 30
    assert leaderboard(store_with(outcomes)) == board


def test_stronger_agent_ranks_higher_and_the_board_is_deterministic():
    store = Store(":memory:")
    config = TournamentConfig(games=["tictactoe"], agents=["random", "expert", "minimax"],
                              rounds=6)
    run_tournament(config, store)
    board = leaderboard(store, game="tictactoe")
    assert board.rows[-1].agent == "random"
    assert board.rows[-1].rating < 1000 < board.rows[0].rating
    assert {r.agent for r in board.rows} == {"random", "expert", "minimax"}
    for r in board.rows:
        assert r.wins + r.draws + r.losses == r.games == 24
        assert r.ci_low <= r.rating <= r.ci_high
    assert leaderboard(store, game="tictactoe") == board
    assert leaderboard(store, game="kuhn_poker").rows == []


def test_unknown_tournament_is_an_error():
    with pytest.raises(ValueError, match="no tournament 'zz'"):
        leaderboard(Store(":memory:"), tid="zz")
