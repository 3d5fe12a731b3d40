"""Turn-level credit: each estimator against a hand-worked example, group rollouts, the
replayed traces, and the options that use them."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import games
from agents.search import RootStats
from agents.random_agent import RandomAgent
from arena.runner import MatchSpec, run_matches
from training.advantages import RoleBaselines
from training.config import SelfPlayConfig
from training.credit import (gae, group_advantages, normalise_per_role, returns_to_go,
                             search_step_advantages, step_group_advantages, trace_records)
from training.preferences import chosen_advantage, games_by_id


# ----- episode level: group advantages ------------------------------------------------------
def test_group_advantages_by_hand():
    # group 0, role A: four episodes returning 1, -1, 1, 1 -> mean 0.5, std sqrt(0.75)
    # group 0, role B: two episodes returning 0, 0 -> std 0 <= floor: centred only
    # group 1, role A: one episode -> falls back to the RAE baseline (0.2 here)
    rewards = [1.0, -1.0, 1.0, 1.0, 0.0, 0.0, 0.5, 0.5 - 1.0]
    episodes = [1.0, -1.0, 1.0, 1.0, 0.0, 0.0, 0.5, 0.5]
    keys = ["g/A"] * 4 + ["g/B"] * 2 + ["g/A"] * 2
    groups = [0, 0, 0, 0, 0, 0, 1, 1]
    units = [(0, 0), (1, 0), (2, 0), (3, 0), (0, 1), (1, 1), (4, 0), (4, 0)]
    base = RoleBaselines(0.5, {"g/A": 0.2})
    adv = group_advantages(rewards, episodes, keys, groups, units, base)
    s = math.sqrt(0.75)
    expected = [0.5 / s, -1.5 / s, 0.5 / s, 0.5 / s, 0.0, 0.0, 0.5 - 0.2, -0.5 - 0.2]
    assert adv == pytest.approx(expected)
    # the baselines learn from every reward, as RAE's do
    mean_a = (1 - 1 + 1 + 1 + 0.5 - 0.5) / 6
    assert base.get("g/A") == pytest.approx(0.5 * 0.2 + 0.5 * mean_a)
    assert base.get("g/B") == pytest.approx(0.0)


def test_a_role_with_one_seat_per_episode_counts_each_episode_once():
    # a unit (match, player) with several decisions is one return, not one per decision
    adv = group_advantages([1.0, 1.0, 1.0, -1.0], [1.0, 1.0, 1.0, -1.0], ["k"] * 4,
                           [0] * 4, [(0, 0), (0, 0), (0, 0), (1, 0)], RoleBaselines())
    assert adv == pytest.approx([1.0, 1.0, 1.0, -1.0])  # mean 0, std 1 over two episodes


# ----- step level -----------------------------------------------------------------------------
def test_returns_to_go_by_hand():
    assert returns_to_go([0.0, 0.0, 1.0, 2.0], [[0, 1, 2], [3]], 0.5) == [0.25, 0.5, 1.0, 2.0]
    assert returns_to_go([0.1, 0.2, 0.3], [[0, 2, 1]], 1.0) == pytest.approx([0.6, 0.2, 0.5])


def test_step_groups_by_hand():
    rtg = [1.0, 0.0, 1.0, 0.5, 0.25]
    infos = ["a", "a", "b", "a", "a"]
    keys = ["k", "k", "k", "k", "other"]
    groups = [0, 0, 0, 1, 0]
    adv, reach = step_group_advantages(rtg, infos, keys, groups)
    assert adv == [0.5, -0.5, 0.0, 0.0, 0.0]  # (0,k,a) pairs; the rest alone
    assert reach == pytest.approx(2 / 5)


def test_search_step_advantages_by_hand():
    root = RootStats(player=0, actions=("bet", "check", "fold"), visits=(3, 1, 0),
                     q=(1.0, -1.0, 0.0), priors=(0.4, 0.4, 0.2))
    assert chosen_advantage(root, "bet") == pytest.approx(1.0 - 0.5)  # V = (3 - 1) / 4
    assert chosen_advantage(root, "check") == pytest.approx(-1.5)
    assert chosen_advantage(root, "fold") is None  # never visited
    assert chosen_advantage(root, None) is None
    adv, reach = search_step_advantages(3, [(0, 0), (0, 2), (1, 0)], {(0, 2): 0.5})
    assert adv == [0.0, 0.5, 0.0] and reach == pytest.approx(1 / 3)


def test_gae_by_hand():
    # one trajectory: r = (0, 1), V = (0.5, 0.2), gamma 1, lambda 0.5
    # delta_1 = 1 - 0.2 = 0.8 = A_1; delta_0 = 0 + 0.2 - 0.5 = -0.3; A_0 = -0.3 + 0.5 * 0.8
    adv, targets = gae([0.0, 1.0], [0.5, 0.2], [[0, 1]], 1.0, 0.5)
    assert adv == pytest.approx([0.1, 0.8])
    assert targets == pytest.approx([0.6, 1.0])
    # lambda 0: one-step TD errors; gamma 0.9
    adv, _ = gae([0.0, 1.0], [0.5, 0.2], [[0, 1]], 0.9, 0.0)
    assert adv == pytest.approx([0.9 * 0.2 - 0.5, 0.8])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(-2, 2), st.floats(-2, 2)), min_size=1, max_size=12),
       st.floats(0.0, 1.0))
def test_gae_with_lambda_one_targets_the_returns_to_go(pairs, gamma):
    rewards = [r for r, _ in pairs]
    values = [v for _, v in pairs]
    traj = [list(range(len(pairs)))]
    _, targets = gae(rewards, values, traj, gamma, 1.0)
    assert targets == pytest.approx(returns_to_go(rewards, traj, gamma), abs=1e-9)


def test_normalise_per_role_by_hand():
    out = normalise_per_role([1.0, 3.0, 5.0, 5.0, 7.0], ["a", "a", "b", "b", "c"])
    assert out == pytest.approx([-1.0, 1.0, 0.0, 0.0, 0.0])


# ----- traces of real records -------------------------------------------------------------
def _as_learner(records):
    """Records whose every decision is the learner's, with tokens (as the policy's are)."""
    return [dataclasses.replace(r, decisions=tuple(
        dataclasses.replace(d, agent="policy", token_ids=(1,)) for d in r.decisions))
        for r in records]


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.booleans())
def test_step_rewards_add_up_to_the_return(seed, dense):
    name = f"household:size=small,dense={'true' if dense else 'false'}"
    game = games.make(name)
    rec = run_matches([MatchSpec(game, [RandomAgent(seed)], seed)])[0]
    steps = trace_records(_as_learner([rec]), "policy", games_by_id([name]), 1, -1.0)
    assert len(steps) == len(rec.decisions)
    assert sum(s.reward for s in steps) == pytest.approx(rec.returns[0])
    if not dense:  # only the final return counts, at the last decision
        assert [s.reward for s in steps[:-1]] == [0.0] * (len(steps) - 1)


def test_group_rollouts_share_the_start_and_differ_in_draws():
    game = games.make("kuhn_poker")
    agents = [RandomAgent(0), RandomAgent(0)]
    specs = [MatchSpec(game, agents, 5, draw=j) for j in range(8)]
    records = run_matches(specs)
    deals = {tuple(games.make("kuhn_poker").new_state(r.seed).render().split()) for r in records}
    assert len(deals) == 1
    assert len({tuple(d.action for d in r.decisions) for r in records}) > 1
    # the information state of the first decision is shared by the whole group
    steps = trace_records(_as_learner(records), "policy", games_by_id(["kuhn_poker"]), 8, -1.0)
    first = {s.info for s in steps if s.decision == 0}
    assert len(first) == 1
    _, reach = step_group_advantages([s.reward for s in steps], [s.info for s in steps],
                                     [s.key for s in steps], [s.group for s in steps])
    assert reach > 0.5
    # draw 0 is the match seed's own draw, as before
    again = run_matches([MatchSpec(game, agents, 5)])[0]
    assert [(d.raw, d.action) for d in again.decisions] == [
        (d.raw, d.action) for d in records[0].decisions]


def test_play_iteration_groups(tiny_model):
    from training.rollout import play_iteration

    config = SelfPlayConfig(model=tiny_model, games=["tictactoe", "kuhn_poker"],
                            matches_per_iteration=12, group_size=4)
    records = play_iteration(config, 1, RandomAgent(0), [])
    for g in range(3):
        group = records[4 * g:4 * g + 4]
        assert len({(r.game, r.seed) for r in group}) == 1
    assert len({(r.game, r.seed) for r in records}) == 3


# ----- options -------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, words", [
    (dict(group_size=3), "group_size=3 must divide matches_per_iteration=128"),
    (dict(advantage="group"), "needs group_size >= 2"),
    (dict(step_credit="groups"), "needs group_size >= 2"),
    (dict(step_credit="search", mode="generate", games=["tictactoe"]), "needs mode=choice"),
    (dict(step_credit="search", pref_prob=0.0), "needs decisions searched"),
    (dict(init_from="/no/such/run/checkpoint-3"), "is not a model folder or a run's checkpoint"),
    (dict(keep_best="exploitability"), "must name an evaluation key"),
    (dict(step_credit="gae"), "step_credit='gae' must be none, groups, search or critic"),
])
def test_credit_options_are_checked(kwargs, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        SelfPlayConfig(**kwargs)


def test_a_match_counts_once_per_role_however_many_of_its_seats_decided():
    # three villagers decided in match 0 (won), one in match 1 (lost): mean 0, std 1
    adv = group_advantages([1.0, 1.0, 1.0, -1.0], [1.0, 1.0, 1.0, -1.0], ["w/villager"] * 4,
                           [0] * 4, [(0, 1), (0, 2), (0, 3), (1, 1)], RoleBaselines())
    assert adv == pytest.approx([1.0, 1.0, 1.0, -1.0])
    # two villagers of the group's only match holding the role: RAE's baseline
    adv = group_advantages([1.0, 1.0], [1.0, 1.0], ["w/villager"] * 2, [0, 0], [(0, 1), (0, 2)],
                           RoleBaselines(0.9, {"w/villager": 0.3}))
    assert adv == pytest.approx([0.7, 0.7])


@pytest.mark.parametrize("kwargs, words", [
    (dict(keep_best="eval/x", eval_every=0), "needs evaluations"),
    (dict(keep_best="min:max:eval/x"), "must name an evaluation key"),
])
def test_keep_best_is_checked(kwargs, words):
    with pytest.raises(ValueError, match=words):
        SelfPlayConfig(**kwargs)


def test_keep_best_prefixes():
    assert SelfPlayConfig(keep_best="min:eval/a").best_metric() == ("eval/a", True)
    assert SelfPlayConfig(keep_best="max:eval/a").best_metric() == ("eval/a", False)
    assert SelfPlayConfig(keep_best="eval/a:b").best_metric() == ("eval/a:b", False)
