"""Step preferences: pairs and confidence on hand-worked roots, the lock-step search (one
batched policy call per step, the same statistics as searching one at a time), search
quality on positions with a known best move, and refusals."""

from __future__ import annotations

import math
import random

import pytest

import games
from games import Observation
from agents.search import RootStats, run_lockstep, search
from training.preferences import confidence, make_pair, searchable, state_before


def _root(actions, visits, q):
    return RootStats(0, tuple(actions), tuple(visits), tuple(q), (1 / len(actions),) * len(actions))


# ----- pairs and confidence, worked by hand ----------------------------------------------
def test_confidence_by_hand():
    # gap 0.5, 8 and 8 visits, scale 1: z = 0.5 / sqrt(1/8 + 1/8) = 1.0, Phi(1) = 0.841345
    assert confidence(0.5, 8, 8, 1.0) == pytest.approx(0.8413447, abs=1e-6)
    # scale 2 halves z: Phi(0.5) = 0.691462
    assert confidence(0.5, 8, 8, 2.0) == pytest.approx(0.6914625, abs=1e-6)
    assert confidence(0.0, 5, 3, 1.0) == 0.5  # no gap, no confidence
    assert confidence(1.0, 0, 3, 1.0) == 0.5  # an unvisited action says nothing


def test_pair_chosen_highest_q_rejected_lowest_and_confidence():
    root = _root(["a", "b", "c"], [10, 5, 1], [0.5, -0.2, 0.1])
    b, w, c = make_pair(root, random.Random(0), rejected="lowest")
    assert (root.actions[b], root.actions[w]) == ("a", "b")
    # gap 0.7, z = 0.7 / sqrt(1/10 + 1/5) = 1.27802, Phi = 0.899384
    assert c == pytest.approx(0.5 * (1 + math.erf(0.7 / math.sqrt(0.3) / math.sqrt(2))))
    assert c == pytest.approx(0.899384, abs=1e-5)
    label_smoothing = min(1 - c, 0.5)
    assert label_smoothing == pytest.approx(0.100616, abs=1e-5)


def test_pair_rejected_random_among_lower_q_follows_the_rng():
    root = _root(["a", "b", "c", "d"], [10, 5, 4, 3], [0.5, -0.2, 0.1, 0.6])
    # chosen: d (highest Q); lower: a, b, c in text order; the rng picks among them
    for seed in range(5):
        b, w, _ = make_pair(root, random.Random(seed))
        assert root.actions[b] == "d"
        assert root.actions[w] == ["a", "b", "c"][random.Random(seed).randrange(3)]


def test_pair_min_gap_min_visits_and_ties():
    root = _root(["a", "b", "c"], [10, 5, 1], [0.5, -0.2, 0.1])
    _, w, _ = make_pair(root, random.Random(0), min_gap=0.5)
    assert root.actions[w] == "b"  # c is only 0.4 below
    assert make_pair(root, random.Random(0), min_gap=0.8) is None  # no gap that large
    b, w, _ = make_pair(root, random.Random(0), min_visits=2, rejected="random")
    assert (root.actions[b], root.actions[w]) == ("a", "b")  # c has too few visits
    assert make_pair(_root(["a", "b"], [3, 0], [0.2, 0.0]), random.Random(0)) is None
    tied = _root(["a", "b", "c"], [4, 6, 2], [0.5, 0.5, 0.0])
    b, w, _ = make_pair(tied, random.Random(0))
    assert (tied.actions[b], tied.actions[w]) == ("b", "c")  # equal Q: more visits
    assert make_pair(_root(["a", "b"], [3, 3], [0.2, 0.2]), random.Random(0)) is None


# ----- the lock-step search --------------------------------------------------------------
def _ttt_state(moves):
    state = games.make("tictactoe").new_state(0)
    for player, action in moves:
        state.apply(player, action)
    return state


def _counting_uniform():
    calls = []

    def policy_batch(obs):
        calls.append(len(obs))
        return [{a: 1.0 for a in o.legal_actions} for o in obs]
    return policy_batch, calls


def _searches(n, sims, playout="random"):
    state = games.make("kuhn_poker").new_state(3)
    tt = _ttt_state([])
    dets = [(state if i % 2 else tt).determiniser(0) for i in range(n)]
    return [search(d, sims, random.Random(i), 1.0, playout) for i, d in enumerate(dets)]


@pytest.mark.parametrize("playout", ["random", "policy"])
def test_lockstep_batches_every_search_and_equals_one_at_a_time(playout):
    policy_batch, calls = _counting_uniform()
    together = run_lockstep(_searches(12, 24, playout), policy_batch, memo=False)
    assert together.calls == len(calls)
    assert together.observations == sum(calls) == together.sent
    alone_calls = 0
    for i, gen in enumerate(_searches(12, 24, playout)):
        pb, c = _counting_uniform()
        alone = run_lockstep([gen], pb, memo=False)
        assert alone.roots[0] == together.roots[i]  # the same statistics
        alone_calls += len(c)
        assert together.calls >= len(c)  # lock step: as many steps as the longest search
    assert alone_calls == together.observations  # one-at-a-time: one call per observation
    assert together.calls < together.observations / 3


@pytest.mark.parametrize("playout", ["random", "policy"])
def test_lockstep_memo_sends_each_distinct_observation_once_with_the_same_statistics(playout):
    policy_batch, calls = _counting_uniform()
    sent: list = []

    def recording(obs):
        sent.extend((o.player, o.text) for o in obs)
        return policy_batch(obs)
    memo = run_lockstep(_searches(12, 24, playout), recording)
    plain = run_lockstep(_searches(12, 24, playout), _counting_uniform()[0], memo=False)
    assert memo.roots == plain.roots  # a remembered answer is the answer
    assert memo.observations == plain.observations  # every question was answered
    assert memo.sent == sum(calls) == len(sent) == len(set(sent))  # each distinct one once
    # six Kuhn searches from one deal and six TicTacToe searches from the empty board ask
    # the same positions over and over (random playouts: 39 of 84 questions are new;
    # policy playouts ask at every move of a playout too: 629 of 876)
    assert memo.sent < memo.observations * (0.5 if playout == "random" else 0.75)
    assert memo.calls <= plain.calls


def test_search_finds_the_winning_move():
    # X holds cells 0 and 1, O holds 3 and 4; X to move wins at cell 2
    state = _ttt_state([(0, "[0]"), (1, "[3]"), (0, "[1]"), (1, "[4]")])
    res = run_lockstep([search(state.determiniser(0), 200, random.Random(0))],
                       _counting_uniform()[0])
    root = res.roots[0]
    b, _, c = make_pair(root, random.Random(0), scale=1.0, min_visits=2)
    assert root.actions[b] == "[2]"
    assert root.q[b] == 1.0 and c > 0.5


def test_search_visits_respect_the_priors():
    state = _ttt_state([])
    def peaked(obs):
        return [{a: (0.9 if a == "[4]" else 0.1 / 8) for a in o.legal_actions} for o in obs]
    root = run_lockstep([search(state.determiniser(0), 64, random.Random(1))], peaked).roots[0]
    assert root.priors[root.actions.index("[4]")] == pytest.approx(0.9)
    assert max(root.visits) == root.visits[root.actions.index("[4]")]
    assert sum(root.visits) == 64


def test_state_before_replays_a_record():
    from agents.random_agent import RandomAgent
    from arena.runner import play_match

    game = games.make("kuhn_poker")
    rec = play_match(game, [RandomAgent(1), RandomAgent(2)], seed=5)
    state = state_before(rec, len(rec.decisions), game)
    assert state.is_terminal() and tuple(state.returns()) == rec.returns
    first = state_before(rec, 0, game)
    assert first.information_state(0) == game.new_state(5).information_state(0)


class _NoClone:
    class info:  # noqa: N801
        id = "no_clone"

    def new_state(self, seed):
        class S:
            def clone(self):
                raise NotImplementedError("environments of this kind cannot be cloned")
        return S()


def test_uncloneable_game_is_refused_with_one_line():
    why = searchable(_NoClone())
    assert why == "its states cannot be cloned (environments of this kind cannot be cloned)"
    assert searchable(games.make("tictactoe")) is None


def test_lockstep_memo_tells_apart_information_states_behind_the_same_text():
    # a scripted policy (kuhn-nash, minimax, the household expert) reads the information
    # state, not the text: two questions alike but for it must get their own answers
    def ask(obs):
        answer = yield obs
        return answer

    obs = [Observation("g", 0, "r", 1, "same text", ("a", "b"), info_state=s)
           for s in ("a", "b", "a")]
    sent = []

    def by_info_state(batch):
        sent.extend(o.info_state for o in batch)
        return [{o.info_state: 1.0} for o in batch]
    result = run_lockstep([ask(o) for o in obs], by_info_state)
    assert result.roots == [{"a": 1.0}, {"b": 1.0}, {"a": 1.0}]
    assert sent == ["a", "b"]  # the repeated one from memory


def test_lockstep_memo_takes_legal_actions_given_as_a_list():
    def ask(obs):
        answer = yield obs
        return answer

    obs = [Observation("g", 0, "r", 1, "text", ["a", "b"]) for _ in range(2)]
    calls = []

    def uniform(batch):
        calls.append(len(batch))
        return [{a: 0.5 for a in o.legal_actions} for o in batch]
    result = run_lockstep([ask(o) for o in obs], uniform)
    assert result.roots == [{"a": 0.5, "b": 0.5}] * 2 and calls == [1]
