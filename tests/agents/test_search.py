"""The one search engine (agents.search): UCT and PUCT on TicTacToe, IS-MCTS on Kuhn Poker,
lock step equal to one search at a time, and the mcts agent's prior given as an Agent
object (the live policy) or as a spec."""

from __future__ import annotations

import dataclasses
import random

import pytest

import games
from agents import Agent, make_agent
from agents.mcts import MCTSAgent
from agents.search import RootStats, agent_playout, run_lockstep, search

TTT = games.make("tictactoe")
KUHN = games.make("kuhn_poker")
WIN = "XX." "OO." "..."  # X to move wins at [2]


def _ttt(board: str):
    state = TTT.state_from_board(board)
    return state, state.turn % 2


def _kuhn(deal: str, history: list[str]):
    state = KUHN.deal_state(deal)
    for action in history:
        state.apply(state.current_players()[0], action)
    return state


def _uniform(observations):
    return [{a: 1.0 for a in o.legal_actions} for o in observations]


def _alone(gen, policy_batch=_uniform) -> RootStats:
    return run_lockstep([gen], policy_batch).roots[0]


class _Favours(Agent):
    """A scripted policy: probability ``weight`` on ``action`` where it is legal, the rest
    spread evenly; counts its batched calls."""

    name = "favours"

    def __init__(self, action: str, weight: float = 0.9) -> None:
        super().__init__(0)
        self.action, self.weight, self.calls = action, weight, []

    def policy(self, obs):
        legal = obs.legal_actions
        if self.action not in legal or len(legal) == 1:
            return {a: 1.0 / len(legal) for a in legal}
        rest = (1.0 - self.weight) / (len(legal) - 1)
        return {a: (self.weight if a == self.action else rest) for a in legal}

    def policy_batch(self, obs):
        self.calls.append(len(obs))
        return [self.policy(o) for o in obs]


# ----- perfect information: UCT and PUCT find the win --------------------------------------
@pytest.mark.parametrize("selection", ["uct", "puct"])
@pytest.mark.parametrize("seed", range(3))
def test_uct_and_puct_find_the_winning_move(selection, seed):
    state, player = _ttt(WIN)
    root = _alone(search(state.determiniser(player), 300, random.Random(seed), 1.4,
                         selection=selection))
    best = root.actions[root.visits.index(max(root.visits))]
    assert best == "[2]"
    assert root.q[root.actions.index("[2]")] == 1.0  # the win is a win in every simulation
    assert sum(root.visits) == 300 and sorted(root.actions) == sorted(state.legal_actions(0))
    assert (root.priors == ()) == (selection == "uct")
    if selection == "puct":
        assert root.priors == pytest.approx([1 / 5] * 5)


def test_uct_never_asks_for_a_policy():
    state, player = _ttt(WIN)
    gen = search(state.determiniser(player), 50, random.Random(0), selection="uct")
    root = run_lockstep([gen], None).roots[0]  # no policy given: it would be refused
    assert sum(root.visits) == 50


def test_a_search_that_asks_without_a_policy_is_refused_in_one_line():
    state, player = _ttt(WIN)
    with pytest.raises(ValueError, match="asked for the policy at 'tictactoe' turn 4"):
        run_lockstep([search(state.determiniser(player), 50, random.Random(0))], None)


@pytest.mark.parametrize("bad, match", [
    ({"simulations": 0}, "simulations=0"), ({"candidates": 0}, "candidates=0"),
    ({"c": -1.0}, "c=-1.0"), ({"selection": "ucb"}, "selection='ucb'"),
    ({"playout": "rollout"}, "playout='rollout'")])
def test_bad_settings_are_refused(bad, match):
    state, player = _ttt(WIN)
    settings = {"simulations": 10, "c": 1.0, "playout": "random", **bad}
    with pytest.raises(ValueError, match=match):
        next(search(state.determiniser(player), settings.pop("simulations"), random.Random(0),
                    **settings))


# ----- imperfect information: IS-MCTS on Kuhn Poker -----------------------------------------
@pytest.mark.parametrize("selection", ["uct", "puct"])
def test_is_mcts_on_kuhn_poker_calls_with_the_king_and_folds_the_jack(selection):
    def root(deal):
        det = _kuhn(deal, ["[bet]"]).determiniser(1)
        return _alone(search(det, 300, random.Random(1), 1.4, selection=selection))

    king, jack = root("QK"), root("QJ")
    assert dict(zip(king.actions, king.q))["[call]"] == 2.0  # K always wins a called pot
    assert dict(zip(jack.actions, jack.q))["[call]"] == -2.0  # J always loses it
    for r, good in ((king, "[call]"), (jack, "[fold]")):
        assert r.actions[r.visits.index(max(r.visits))] == good


@pytest.mark.parametrize("determinisations", [0, 4])
def test_is_mcts_never_peeks_at_the_hidden_card(determinisations):
    # player 0 holds K in both deals; player 1's card differs and is hidden from player 0
    a, b = (_kuhn(deal, []).determiniser(0) for deal in ("KJ", "KQ"))
    roots = [_alone(search(d, 200, random.Random(5), selection="puct",
                           determinisations=determinisations)) for d in (a, b)]
    assert roots[0] == roots[1]
    assert sum(roots[0].visits) == 200


# ----- lock step equals one search at a time ------------------------------------------------
def _mixed_searches(playout="random"):
    """TicTacToe (a linked tree) and Kuhn Poker (information sets, and determinised)
    searches, UCT and PUCT, each with its own seeded rng."""
    boards = ["." * 9, "X...O....", WIN]
    gens = []
    for i in range(9):
        sel = "uct" if i % 3 == 0 else "puct"
        play = "random" if sel == "uct" else playout
        if i % 2:
            state, player = _ttt(boards[i % 3])
            det = state.determiniser(player)
        else:
            det = _kuhn(["KJ", "QK", "JQ"][i % 3], [] if i % 4 else ["[bet]"]).determiniser(
                0 if i % 4 else 1)
        gens.append(search(det, 40 + i, random.Random(i), 1.0, play, selection=sel,
                           determinisations=2 if i == 4 else 0))
    return gens


@pytest.mark.parametrize("playout", ["random", "policy"])
def test_lockstep_equals_one_at_a_time_visit_for_visit(playout):
    favours = _Favours("[4]")
    together = run_lockstep(_mixed_searches(playout), favours.policy_batch)
    alone = [_alone(g, _Favours("[4]").policy_batch) for g in _mixed_searches(playout)]
    assert together.roots == alone  # actions, exact visit counts, Q and priors
    assert len(favours.calls) == together.calls < together.observations


def test_agent_act_batch_equals_act_one_at_a_time():
    boards = ["." * 9, "X...O....", WIN, "XO......."]
    obs = []
    for k, board in enumerate(boards):
        state, player = _ttt(board)
        obs.append((dataclasses.replace(state.observation(player), seed=k),
                    state.determiniser(player)))
    prior = _Favours("[4]")
    batched = MCTSAgent(seed=3, simulations=80, prior=prior).act_batch(
        [o for o, _ in obs], [d for _, d in obs])
    assert len(prior.calls) < sum(prior.calls)  # several searches per batched call
    one = [MCTSAgent(seed=3, simulations=80, prior=_Favours("[4]")).act(o, d) for o, d in obs]
    assert batched == one
    assert [d.info["simulations"] for d in batched] == [80] * 4


# ----- the prior: an Agent object or a spec ----------------------------------------------------
def test_an_agent_object_as_prior_draws_the_visits_to_its_favourite():
    state, player = _ttt("." * 9)
    obs, det = dataclasses.replace(state.observation(player), seed=1), state.determiniser(player)
    visits = {}
    for favourite in ("[0]", "[8]"):
        decision = MCTSAgent(seed=0, simulations=60, prior=_Favours(favourite, 0.92)).act(obs, det)
        visits[favourite] = decision.info["visits"]
        assert decision.text == favourite  # 92% of the prior: most of the visits
    flat = MCTSAgent(seed=0, simulations=60, prior="random").act(obs, det).info["visits"]
    assert visits["[0]"]["[0]"] > flat["[0]"] and visits["[8]"]["[8]"] > flat["[8]"]
    assert visits["[0]"]["[8]"] < visits["[8]"]["[8]"]


def test_an_agent_object_prior_equals_its_spec():
    state, player = _ttt("X...O....")
    obs, det = dataclasses.replace(state.observation(player), seed=2), state.determiniser(player)
    by_spec = MCTSAgent(seed=1, simulations=120, prior="minimax").act(obs, det)
    by_object = MCTSAgent(seed=1, simulations=120, prior=make_agent("minimax")).act(obs, det)
    assert by_spec == by_object
    uct = MCTSAgent(seed=1, simulations=120).act(obs, det)
    assert uct.info["visits"] != by_spec.info["visits"]  # the prior does steer the search


def test_a_given_prior_is_never_reset_and_a_built_one_is():
    live = _Favours("[4]")
    live.reset(7)
    agent = MCTSAgent(seed=0, prior=live, rollout="random")
    agent.reset(3)
    assert live.seed == 7  # the caller's policy: used as it is
    built = MCTSAgent(seed=0, prior="random")
    built.reset(3)
    assert built._prior_agent.seed == 3


def test_a_prior_without_a_policy_is_refused_in_one_line():
    state, player = _ttt(WIN)
    obs, det = state.observation(player), state.determiniser(player)
    with pytest.raises(ValueError, match="mcts prior 'human' needs the policy's action probabilities"):
        MCTSAgent(simulations=10, prior=make_agent("human")).act(obs, det)


def _lowest_cell(observations):
    """A scripted policy: always the lowest free cell."""
    return [{min(o.legal_actions): 1.0} for o in observations]


@pytest.mark.parametrize("seed", range(6))
def test_policy_playouts_play_the_policys_moves(seed):
    # one simulation: the root tries one action, then the policy plays the game out
    state, player = _ttt("X...O....")
    root = _alone(search(state.determiniser(player), 1, random.Random(seed), 1.0, "policy"),
                  _lowest_cell)
    (tried,) = [a for a, n in zip(root.actions, root.visits) if n]
    end = state.clone()
    end.apply(player, tried)
    while not end.is_terminal():
        mover = end.current_players()[0]
        end.apply(mover, min(end.legal_actions(mover)))
    assert root.q[root.actions.index(tried)] == end.returns()[player]


def test_policy_rollouts_need_a_prior_and_ask_it():
    with pytest.raises(ValueError, match="rollout=policy .* needs a prior"):
        MCTSAgent(rollout="policy")
    state, player = _ttt("X...O....")
    obs, det = dataclasses.replace(state.observation(player), seed=0), state.determiniser(player)
    asked = {}
    for rollout in ("policy", "random"):
        prior = _Favours("[4]")
        MCTSAgent(seed=0, simulations=60, prior=prior, rollout=rollout).act(obs, det)
        asked[rollout] = sum(prior.calls)
    assert asked["policy"] > asked["random"]  # playouts asked the prior for their moves


def test_agent_playout_plays_through_the_parser():
    state, player = _ttt("XX." ".O." "...")
    play = agent_playout(make_agent("minimax"))
    assert play(state, player, random.Random(0)) == "[2]"  # O blocks


def test_uct_decisions_are_pinned_visit_for_visit():
    # recorded with the mcts agent before its search moved into the engine: same seed,
    # same UCT decision, on a linked tree (TicTacToe) and on information sets (Kuhn Poker)
    state, player = _ttt("X...O....")
    obs = dataclasses.replace(state.observation(player), seed=11)
    decision = MCTSAgent(seed=4, simulations=150).act(obs, state.determiniser(player))
    assert decision.info["visits"] == {"[1]": 21, "[2]": 48, "[3]": 20, "[5]": 6, "[6]": 36,
                                       "[7]": 8, "[8]": 11}
    kuhn = _kuhn("QK", ["[bet]"])
    obs = dataclasses.replace(kuhn.observation(1), seed=3)
    decision = MCTSAgent(seed=2, simulations=90).act(obs, kuhn.determiniser(1))
    assert decision.info == {"visits": {"[call]": 87, "[fold]": 3},
                             "q": {"[call]": 2.0, "[fold]": -1.0}, "simulations": 90}
