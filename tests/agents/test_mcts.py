"""The mcts agent: tactics on TicTacToe, strength against random, reproducibility, its
statistics, max^n backups with three players, IS-MCTS that never peeks on Kuhn Poker,
free-text search on negotiation, and the determiniser channel it searches through."""

import dataclasses

import pytest

import games
from agents import make_agent
from agents.mcts import MCTSAgent
from arena.runner import MatchConfig, play_match
from tests.toy_games import ChainGame

TTT = games.make("tictactoe")


def _obs(board: str, seed: int = 0):
    """The observation of the player to move and the determiniser the runner would give."""
    state = TTT.state_from_board(board)
    player = state.turn % 2
    return dataclasses.replace(state.observation(player), seed=seed), state.determiniser(player)


# ----- tactics ----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("board, win", [
    ("XX." "OO." "...", "[2]"),   # X completes the top row
    ("OO." "XX." "X..", "[2]"),   # O completes the top row (O to move)
    ("X.X" "OO." "X..", "[5]"),   # O completes the middle row; blocking [1] is not enough
])
def test_takes_an_immediate_win(board, win, seed):
    decision = MCTSAgent(seed=seed, simulations=400).act(*_obs(board, seed))
    assert decision.text == win, decision.info


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("board, block", [
    ("XX." ".O." "...", "[2]"),   # O must block the top row
    ("X.." ".O." "X..", "[3]"),   # O must block the left column
    ("O.." "XO." "X..", "[8]"),   # X must block the diagonal
])
def test_blocks_an_immediate_loss(board, block, seed):
    decision = MCTSAgent(seed=seed, simulations=400).act(*_obs(board, seed))
    assert decision.text == block, decision.info


@pytest.mark.parametrize("prior", ["random", "minimax"])
def test_puct_with_a_prior_agent_finds_the_win(prior):
    agent = make_agent(f"mcts:simulations=300,prior={prior}", seed=1)
    assert agent.act(*_obs("XX." "OO." "...")).text == "[2]"


def test_agent_rollouts_play_through_the_parser():
    agent = MCTSAgent(seed=0, simulations=60, rollout="minimax")
    decision = agent.act(*_obs("XX." ".O." "..."))
    assert decision.text == "[2]"


@pytest.mark.parametrize("seat", [0, 1])
def test_never_loses_to_random(seat):
    for i in range(20):
        agents = [MCTSAgent(seed=i, simulations=200), make_agent("random", seed=i)]
        if seat == 1:
            agents.reverse()
        record = play_match(TTT, agents, seed=i)
        assert record.outcome == "terminal"
        assert record.returns[seat] >= 0, record.transcript()


# ----- statistics and reproducibility -----------------------------------------------------
def test_statistics_and_distribution():
    obs, det = _obs("X........", seed=3)
    decision = MCTSAgent(seed=0, simulations=250).act(obs, det)
    visits, q = decision.info["visits"], decision.info["q"]
    assert decision.info["simulations"] == 250 == sum(visits.values())
    assert set(visits) == set(obs.legal_actions)
    assert decision.text == max(visits, key=visits.get)
    assert sum(decision.distribution.values()) == pytest.approx(1.0)
    for a, n in visits.items():
        assert decision.distribution[a] == pytest.approx(n / 250)
        assert -1.0 <= q[a] <= 1.0


def test_same_seed_same_decision():
    obs, det = _obs("X...O....", seed=11)
    first = MCTSAgent(seed=4, simulations=150).act(obs, det)
    again = MCTSAgent(seed=4, simulations=150).act(obs, det)
    assert first == again
    others = {MCTSAgent(seed=s, simulations=150).act(obs, det).info["visits"]["[8]"]
              for s in range(6)}
    assert len(others) > 1  # the seed does change the search


def test_same_match_seed_same_record():
    def play():
        agents = [make_agent("mcts:simulations=40", seed=2), make_agent("random", seed=3)]
        return play_match(TTT, agents, seed=5).to_dict()
    first, again = play(), play()
    for rec in (first, again):
        rec.pop("elapsed_s")
        for d in rec["decisions"]:
            d.pop("elapsed_s")
    assert first == again


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="simulations=0"):
        MCTSAgent(simulations=0)
    with pytest.raises(ValueError, match="c=-1"):
        make_agent("mcts:c=-1")
    with pytest.raises(ValueError, match="no move"):
        MCTSAgent().act(TTT.state_from_board("XX.OO....").observation(1))


def test_searches_only_through_a_determiniser():
    obs, det = _obs("XX.OO....")
    assert MCTSAgent.searches and MCTSAgent().wants_states(obs)
    assert not hasattr(obs, "sample_state") and "_sampler" not in vars(obs)
    with pytest.raises(ValueError, match="needs the determiniser of player 0"):
        MCTSAgent().act(obs)
    with pytest.raises(ValueError, match="needs the determiniser of player 0"):
        MCTSAgent().act(obs, TTT.state_from_board("XX.OO....").determiniser(1))
    assert MCTSAgent(simulations=50).act(obs, det).text == "[2]"


def test_runner_hands_states_to_mcts_and_records_it():
    agents = [make_agent("mcts:simulations=20", seed=1), make_agent("random", seed=2)]
    record = play_match(TTT, agents, seed=3)
    assert [d.states_given for d in record.decisions] == [d.player == 0 for d in record.decisions]
    searched = record.decisions[0].to_dict()
    assert searched["states_given"] is True
    assert "states_given" not in record.decisions[1].to_dict()  # random read observations only


# ----- three players: every node maximises its own mover's return -----------------------
def test_three_players_back_up_their_own_returns():
    state = ChainGame().new_state()
    decision = MCTSAgent(seed=0, simulations=400).act(state.observation(0), state.determiniser(0))
    assert decision.text == "[R]"  # after [L] player 1 would take [b], leaving player 0 -1
    assert decision.info["q"]["[R]"] == pytest.approx(0.5)
    assert decision.info["q"]["[L]"] < 0


# ----- hidden information ----------------------------------------------------------------
KUHN = games.make("kuhn_poker")


def _kuhn_obs(deal: str, history: list[str], player: int, seed: int):
    state = KUHN.deal_state(deal)
    for action in history:
        state.apply(state.current_players()[0], action)
    return dataclasses.replace(state.observation(player), seed=seed), state.determiniser(player)


@pytest.mark.parametrize("spec", [
    "mcts:simulations=200", "mcts:simulations=200,determinisations=5"])
@pytest.mark.parametrize("deals, history, player", [
    (("KJ", "KQ"), [], 0),                  # player 0 holds K; player 1's card is hidden
    (("JQ", "KQ"), ["[bet]"], 1),           # player 1 holds Q facing a bet
    (("QJ", "QK"), ["[check]", "[bet]"], 0),
])
def test_is_mcts_never_peeks(spec, deals, history, player):
    a, b = (_kuhn_obs(d, history, player, seed=7) for d in deals)
    assert a[0].info_state == b[0].info_state
    first = make_agent(spec, seed=1).act(*a)
    second = make_agent(spec, seed=1).act(*b)
    assert first == second


@pytest.mark.parametrize("spec", [
    "mcts:simulations=300", "mcts:simulations=300,determinisations=6"])
def test_kuhn_decisions_follow_the_card(spec):
    agent = make_agent(spec, seed=0)
    facing_bet = ["[bet]"]
    assert agent.act(*_kuhn_obs("QK", facing_bet, 1, seed=1)).text == "[call]"  # K always wins
    assert agent.act(*_kuhn_obs("QJ", facing_bet, 1, seed=1)).text == "[fold]"  # J always loses
    decision = agent.act(*_kuhn_obs("QK", facing_bet, 1, seed=2))
    assert decision.info["q"]["[call]"] == pytest.approx(2.0)


def test_kuhn_matches_run_through_the_runner():
    for i in range(10):
        agents = [make_agent("mcts:simulations=50", seed=i), make_agent("kuhn-nash", seed=i)]
        record = play_match(games.make("kuhn_poker", hands=3), agents, seed=i)
        assert record.outcome == "terminal" and all(d.valid for d in record.decisions)


def test_free_text_negotiation_plays_without_errors():
    game = games.make("negotiation", turns=6)
    for i in range(3):
        mcts = make_agent("mcts:simulations=30,candidates=5", seed=i)
        agents = [mcts, make_agent("random", seed=i)]
        record = play_match(game, agents, seed=i, config=MatchConfig(invalid="forfeit"))
        assert record.outcome == "terminal", record.transcript()
        mine = [d for d in record.decisions if d.player == 0]
        assert mine and all(d.valid for d in mine)
        for d in mine:
            assert 1 <= len(d.info["visits"]) <= 5
            assert sum(d.info["visits"].values()) == 30


def test_negotiation_search_ignores_the_opponents_true_values():
    game = games.make("negotiation", turns=6)
    state = game.new_state(4)
    state.apply(0, "[offer] 1 Wood -> 1 Ore")
    other = state.clone()
    other.values = (tuple(41 - v for v in state.values[0]), state.values[1])  # player 0's
    a, b = ((dataclasses.replace(s.observation(1), seed=9), s.determiniser(1))
            for s in (state, other))
    assert a[0].info_state == b[0].info_state and a[0].text == b[0].text
    agent = "mcts:simulations=60,candidates=4"
    assert make_agent(agent, seed=2).act(*a) == make_agent(agent, seed=2).act(*b)
