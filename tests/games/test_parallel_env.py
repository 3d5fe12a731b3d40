"""The Parallel adapter (games.parallel_env): PettingZoo's own parallel_api_test and
parallel_seed_test on Werewolf (claims), two-agent household, TicTacToe and a plug-in;
simultaneous phases step together, sequential ones step the player to move; the same
moves give the same returns through the Parallel adapter, the AEC adapter and the
arena's runner (hypothesis over seeds)."""

from __future__ import annotations

import random
import re
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pettingzoo.test import parallel_api_test, parallel_seed_test

import games
from agents.base import Agent, Decision
from arena.runner import play_match
from games.adapters.aec import env as aec_env
from games.adapters.parallel import ParallelGameEnv, parallel_env
from tests.games.test_plugin import PLUGIN_ROOT, install

DOC = Path(__file__).resolve().parents[2] / "docs" / "parallel-api.md"
SPECS = {
    "werewolf:speech=claims": ("werewolf", {"speech": "claims"}),
    "household:players=2": ("household", {"players": 2}),
    "tictactoe": ("tictactoe", {}),
}


@pytest.fixture
def sealed_bid_installed(tmp_path, monkeypatch):
    """The sealed-bid plug-in, installed through its entry point as pip would."""
    install(tmp_path, monkeypatch, {"sealed_bid": "arena_sealed_bid:SealedBid"})
    yield
    sys.modules.pop("arena_sealed_bid", None)


@pytest.fixture(scope="module")
def sealed_bid():
    """The plug-in's Game class, imported from its package folder."""
    sys.path.insert(0, str(PLUGIN_ROOT))
    try:
        from arena_sealed_bid import SealedBid
        yield SealedBid
    finally:
        sys.path.remove(str(PLUGIN_ROOT))
        sys.modules.pop("arena_sealed_bid", None)


def _pettingzoo_tests(make) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PettingZoo warns where an agent misses a key
        parallel_api_test(make(), num_cycles=1000)
        parallel_seed_test(make, num_cycles=100)


@pytest.mark.parametrize("spec", SPECS)
def test_pettingzoo_parallel_tests_pass(spec):
    name, options = SPECS[spec]
    _pettingzoo_tests(lambda: games.parallel_env(name, **options))


def test_pettingzoo_parallel_tests_pass_on_a_plugin(sealed_bid_installed):
    assert games.parallel_env("sealed_bid").metadata["name"] == "sealed_bid"
    _pettingzoo_tests(lambda: games.parallel_env("sealed_bid"))


def test_text_mode_passes_on_free_text_werewolf():
    _pettingzoo_tests(lambda: games.parallel_env("werewolf", mode="text"))


# ----- what a step plays ------------------------------------------------------------------
def test_a_simultaneous_phase_steps_together(sealed_bid):
    env = parallel_env(sealed_bid(), mode="text")
    obs, infos = env.reset(seed=3)
    assert env.acting == ["player_0", "player_1"]
    assert all(infos[a]["acting"] and infos[a]["legal_actions"][0] == "[0]" for a in env.agents)
    values = [env.game_state.values[p] for p in (0, 1)]
    _, rewards, terminations, truncations, infos = env.step({"player_0": "[2]",
                                                             "player_1": "I bid \\boxed{1}"})
    assert env.game_state.bids == [2, 1]
    assert rewards == {"player_0": float(values[0] - 2), "player_1": 0.0}
    assert all(terminations.values()) and not any(truncations.values())
    assert env.agents == [] and env.acting == []
    assert not any(info["acting"] for info in infos.values())
    with pytest.raises(RuntimeError, match="game is over: call reset"):
        env.step({})


def test_a_sequential_phase_steps_the_player_to_move_and_ignores_the_others():
    env = parallel_env("tictactoe")
    obs, infos = env.reset(seed=0)
    assert env.acting == ["player_0"] and [infos[a]["acting"] for a in env.agents] == [True, False]
    assert not obs["player_1"]["action_mask"].any()  # a waiting agent has no legal action
    env.step({"player_0": 4, "player_1": 0})  # player_1's action is not its turn: ignored
    assert env.game_state.observation(1).legal_actions == tuple(
        f"[{i}]" for i in range(9) if i != 4)
    assert env.acting == ["player_1"]
    with pytest.raises(ValueError, match="missing player_1 .*acting now: player_1"):
        env.step({"player_0": 1})


def test_every_offender_of_a_simultaneous_step_is_penalised(sealed_bid):
    env = parallel_env(sealed_bid(), mode="text", illegal_reward=-5.0)
    env.reset(seed=1)
    _, rewards, terminations, _, infos = env.step({"player_0": "no idea",
                                                   "player_1": "[99]"})
    assert rewards == {"player_0": -5.0, "player_1": -5.0}
    assert all(terminations.values()) and env.game_state.bids == [None, None]
    offences = infos["player_0"]["illegal_actions"]
    assert [(o["agent"], o["action"]) for o in offences] == [("player_0", "no idea"),
                                                           ("player_1", "[99]")]
    assert "not legal" in offences[1]["reason"] and infos["player_1"]["legal_actions"] == []
    env.reset(seed=1)
    _, rewards, _, _, infos = env.step({"player_0": "[3]", "player_1": "[11]"})
    assert rewards == {"player_0": 0.0, "player_1": -5.0}  # the legal bid is not played
    assert env.game_state.bids == [None, None]


def test_numeric_actions_are_checked_like_the_aec_adapter():
    env = parallel_env("tictactoe")
    env.reset(seed=0)
    with pytest.raises(TypeError, match="numeric mode"):
        env.step({"player_0": "[4]"})
    with pytest.raises(ValueError, match="out of range"):
        env.step({"player_0": 9})
    env.step({"player_0": 4})
    _, rewards, _, _, infos = env.step({"player_1": 4})  # taken: masked out
    assert rewards == {"player_0": 0.0, "player_1": -1.0}
    assert infos["player_0"]["illegal_actions"][0]["action"] == "[4]"
    assert not env.action_mask(0).any()


def test_seeds_reset_and_render():
    a, b = parallel_env("werewolf", speech="claims", seed=5), \
        parallel_env("werewolf", speech="claims", seed=5, render_mode="ansi")
    assert a.reset()[1]["player_0"]["role"] == b.reset()[1]["player_0"]["role"]
    assert a.reset(seed=9)[1] == b.reset(seed=9)[1]
    assert isinstance(b.render(), str) and b.state() == b.render()
    with pytest.raises(RuntimeError, match="reset"):
        parallel_env("tictactoe").step({})
    with pytest.raises(TypeError, match="already built"):
        parallel_env(games.make("tictactoe"), players=3)
    assert isinstance(games.parallel_env("tictactoe"), ParallelGameEnv)


# ----- the same moves, three ways -----------------------------------------------------------
def _random_parallel_play(game: games.Game, seed: int
                          ) -> tuple[ParallelGameEnv, dict[int, list[str]], dict[str, float]]:
    """A random legal game through the Parallel adapter (text mode): the env at its end,
    each player's moves in order, the rewards of the last step."""
    env = parallel_env(game, mode="text")
    rng = random.Random(seed)
    _, infos = env.reset(seed=seed)
    moves: dict[int, list[str]] = {p: [] for p in range(game.num_players)}
    rewards: dict[str, float] = {}
    while env.agents:
        actions = {}
        for agent in env.acting:
            player = int(agent.split("_")[1])
            action = env.game_state.random_action(player, rng)
            moves[player].append(action)
            actions[agent] = action
        _, rewards, _, _, infos = env.step(actions)
    return env, moves, rewards


def _through_aec(game: games.Game, seed: int, moves: dict[int, list[str]]):
    env = aec_env(game, mode="text")
    env.reset(seed=seed)
    queues = {p: list(m) for p, m in moves.items()}
    final = {}
    for agent in env.agent_iter():
        _, reward, terminated, truncated, _ = env.last()
        if terminated or truncated:
            final[agent] = reward
            env.step(None)
        else:
            env.step(queues[int(agent.split("_")[1])].pop(0))
    assert not any(queues.values())
    return env, final


class _Replay(Agent):
    """Plays the moves it is given, in order."""

    def __init__(self, moves: list[str]) -> None:
        super().__init__(0)
        self.name, self.moves = "replay", list(moves)

    def act(self, obs, determiniser=None) -> Decision:
        return Decision(text=self.moves.pop(0))


GAMES = {
    "tictactoe": lambda sealed: games.make("tictactoe"),
    "kuhn_poker:hands=3": lambda sealed: games.make("kuhn_poker", hands=3),
    "werewolf:speech=claims": lambda sealed: games.make("werewolf", speech="claims"),
    "werewolf:players=9,speech=claims": lambda sealed: games.make("werewolf", players=9,
                                                                  speech="claims"),
    "household:players=2": lambda sealed: games.make("household", players=2),
    "sealed_bid (plug-in)": lambda sealed: sealed(),
}


@pytest.mark.parametrize("name", GAMES)
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_the_same_moves_give_the_same_returns_three_ways(name, sealed_bid, seed):
    game = GAMES[name](sealed_bid)
    par, moves, rewards = _random_parallel_play(game, seed)
    returns = par.game_state.returns()
    assert rewards == {f"player_{p}": float(r) for p, r in enumerate(returns)}
    aec, final = _through_aec(game, seed, moves)
    assert final == rewards
    for p in range(game.num_players):  # the same trajectory, as each player knows it
        assert aec.game_state.information_state(p) == par.game_state.information_state(p)
    record = play_match(game, [_Replay(moves[p]) for p in range(game.num_players)], seed)
    assert record.outcome == "terminal" and record.returns == tuple(map(float, returns))
    for p in range(game.num_players):
        assert [d.action for d in record.decisions if d.player == p] == moves[p]


def test_the_snippets_of_the_docs_page_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 3
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {})
    assert capsys.readouterr().out.startswith("{'player_0': ")
