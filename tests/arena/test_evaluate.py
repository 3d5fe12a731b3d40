"""Generic evaluation: the game's exact evaluators, sampled play against random and the
expert per role with Wilson intervals, one-player episodes, team results, policy files,
``arena eval`` for any game, and training's ``eval/...`` rows."""

import json

import pytest

import games.registry
from agents import Agent, Decision, make_agent
from agents import registry as agent_registry
from arena.cli import main
from arena.evaluate import PolicyAgent, evaluate, load_policy, table_policy
from arena.results import wilson_interval
from tests.toy_games import REGISTER
from training.evaluation import evaluate_policy

UNIFORM_KUHN = {f"{c}:{h}": 0.5 for c in "JQK" for h in ("", "check,bet", "bet", "check")}


@pytest.fixture
def small(monkeypatch):
    for name, target in REGISTER.items():
        monkeypatch.setitem(games.registry._BUILTIN, name, target)
    monkeypatch.setitem(agent_registry._BUILTIN, "three", "tests.arena.helpers:AlwaysThree")


def _check_rates(metrics, prefix):
    n = metrics[f"{prefix}games"]
    assert metrics[f"{prefix}win_rate"] + metrics[f"{prefix}draw_rate"] + \
        metrics[f"{prefix}loss_rate"] == pytest.approx(1.0)
    low, high = wilson_interval(round(metrics[f"{prefix}win_rate"] * n), int(n))
    assert (metrics[f"{prefix}win_rate_low"], metrics[f"{prefix}win_rate_high"]) == \
        pytest.approx((low, high))


def test_kuhn_random_gets_its_exact_exploitability_and_sampled_rates():
    result = evaluate("kuhn_poker", "random", games=10, seed=3)
    m = result.metrics
    assert m["exploitability"] == pytest.approx(11 / 24, abs=1e-12)
    assert "value_vs_equilibrium" in m
    for opp in ("random", "expert"):
        _check_rates(m, f"vs_{opp}/")
        assert m[f"vs_{opp}/games"] == 20
        for role in ("first", "second"):
            _check_rates(m, f"vs_{opp}/{role}/")
            assert m[f"vs_{opp}/{role}/games"] == 10
    assert result.notes == [] and (result.game, result.agent, result.games) == (
        "kuhn_poker", "random", 10)
    assert evaluate("kuhn_poker", "random", games=10, seed=3) == result
    assert evaluate("kuhn_poker", "random", games=10, seed=4).metrics != m


def test_minimax_is_optimal_and_never_loses():
    m = evaluate("tictactoe", "minimax", games=5, seed=0).metrics
    assert m["optimal_moves"] == 1.0
    assert m["vs_expert/draw_rate"] == 1.0 and m["vs_random/loss_rate"] == 0.0
    assert m["vs_random/X/games"] == m["vs_random/O/games"] == 5


def test_agents_without_a_stated_policy_skip_exact_evaluators_with_a_note():
    result = evaluate("kuhn_poker", "mcts:simulations=5", games=2)
    assert not [k for k in result.metrics if not k.startswith("vs_")]
    assert any(n.startswith("exploitability skipped:") for n in result.notes)
    assert "vs_random/win_rate" in result.metrics


def test_games_zero_runs_exact_evaluators_only_and_bad_counts_are_refused():
    m = evaluate("kuhn_poker", "kuhn-nash", games=0).metrics
    assert m["exploitability"] == pytest.approx(0.0, abs=1e-12)
    assert not any(k.startswith("vs_") for k in m)
    with pytest.raises(ValueError, match="--games -1 must be a whole number from 0 to 10000"):
        evaluate("kuhn_poker", "random", games=-1)


def test_one_player_games_report_episodes(small):
    m = evaluate("guess", "three", games=40, seed=1).metrics
    assert m["episodes/games"] == 40
    assert m["episodes/success_rate"] == m["episodes/mean_return"]  # returns are 0 or 1
    assert 0 < m["episodes/success_rate"] < 1
    assert m["episodes/success_rate_low"] < m["episodes/success_rate"] < \
        m["episodes/success_rate_high"]


def test_team_games_count_the_team_result_and_skip_a_missing_expert(small):
    result = evaluate("pairs", "three", games=20, seed=0)
    m = result.metrics
    assert result.notes == ["vs_expert skipped: game 'pairs' declares no scripted expert"]
    assert set(k.split("/")[1] for k in m if k.count("/") == 2) == {
        "north", "east", "south", "west"}
    # returns are +-1 per seat of a side, so the mean return is the win-loss balance
    assert m["vs_random/mean_return"] == pytest.approx(m["vs_random/win_rate"]
                                                       - m["vs_random/loss_rate"])
    assert m["vs_random/win_rate"] > m["vs_random/loss_rate"]  # a 3 helps its team


def test_policy_tables(tmp_path):
    game = games.make("kuhn_poker")
    path = tmp_path / "p.json"
    path.write_text(json.dumps(UNIFORM_KUHN))
    agent = PolicyAgent(load_policy(game, path), name="uniform")
    assert evaluate("kuhn_poker", agent, games=0).metrics["exploitability"] == \
        pytest.approx(11 / 24)
    always = {k: {"[check]": 0.0, "[bet]": 1.0} if k.endswith((":", "check")) else
              {"[fold]": 0.0, "[call]": 1.0} for k in UNIFORM_KUHN}
    policy = table_policy(always)
    state = game.new_state(0)
    assert policy([state.observation(0)]) == [{"[check]": 0.0, "[bet]": 1.0}]
    with pytest.raises(ValueError, match="has no entry for information state"):
        table_policy({})([state.observation(0)])
    with pytest.raises(ValueError, match=r"probability \(0..1\) of the second"):
        table_policy({k: 2 for k in UNIFORM_KUHN})([state.observation(0)])
    with pytest.raises(ValueError, match="does not exist"):
        load_policy(game, tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="is not valid JSON"):
        load_policy(game, tmp_path / "bad.json")


def test_arena_eval_works_for_any_game(tmp_path, capsys):
    assert main(["eval", "negotiation", "--agent", "expert", "--games", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["game"] == "negotiation" and out["metrics"]["vs_random/games"] == 4
    assert main(["eval", "kuhn_poker", "--agent", "random", "--games", "3"]) == 0
    text = capsys.readouterr().out
    assert "Exact evaluation: kuhn_poker" in text and "exploitability" in text
    assert "random against expert (3 games per seat)" in text
    path = tmp_path / "uniform.json"
    path.write_text(json.dumps(UNIFORM_KUHN))
    assert main(["eval", "kuhn_poker", "--policy", str(path), "--games", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["metrics"]["exploitability"] == \
        pytest.approx(11 / 24)


@pytest.mark.parametrize("argv, message", [
    (["eval", "kuhn_poker"], "exactly one of --agent SPEC"),
    (["eval", "chess", "--agent", "random"], "unknown game 'chess'"),
    (["eval", "kuhn_poker", "--policy", "missing.json"], "does not exist"),
])
def test_arena_eval_errors_are_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_training_rows_carry_every_declared_metric():
    agent = make_agent("kuhn-nash")
    row = evaluate_policy(agent, ["kuhn_poker"], 3, seed=0, greedy=make_agent("kuhn-nash"))
    assert row["eval/kuhn_poker/exploitability"] == pytest.approx(0.0, abs=1e-12)
    assert row["eval/kuhn_poker/vs_random/win_rate"] >= 0
    assert "eval/kuhn_poker/vs_expert/first/win_rate" in row
    assert "eval/kuhn_poker/greedy/vs_random/win_rate" in row
    assert not any(k.startswith("eval/kuhn_poker/greedy/exploitability") for k in row)


# ---- what the Kuhn Poker and TicTacToe wrappers checked, now through evaluate ------------


@pytest.mark.parametrize("alpha", [0.0, 0.2, 1 / 3])
def test_equilibrium_agents_are_unexploitable_and_worth_one_eighteenth(alpha):
    m = evaluate("kuhn_poker", make_agent(f"kuhn-nash:alpha={alpha}"), games=0).metrics
    assert abs(m["exploitability"]) < 1e-12
    assert m["value_vs_equilibrium/as_first"] == pytest.approx(-1 / 18, abs=1e-12)
    assert m["value_vs_equilibrium/as_second"] == pytest.approx(1 / 18, abs=1e-12)
    assert abs(m["value_vs_equilibrium"]) < 1e-12


class _Opaque(Agent):
    name = "opaque"

    def act(self, obs, *rest):
        return Decision(text=obs.legal_actions[0])


class _Broken(_Opaque):
    name = "broken"

    def policy(self, obs):
        return {"[raise]": 1.0}


def test_an_agent_without_probabilities_is_skipped_and_a_broken_one_named():
    result = evaluate("kuhn_poker", _Opaque(), games=0)
    assert result.metrics == {}
    assert [n.split(":")[0] for n in result.notes] == ["exploitability skipped",
                                                        "value_vs_equilibrium skipped"]
    with pytest.raises(ValueError, match=r"\[raise\].*expected non-negative probabilities"):
        evaluate("kuhn_poker", _Broken(), games=0)


def test_an_agent_object_plays_with_its_own_name():
    result = evaluate("tictactoe", make_agent("random", seed=5), games=10, seed=2)
    assert result.agent == "random" and result.metrics["vs_random/X/games"] == 10
    assert result.metrics["vs_expert/win_rate"] == 0.0  # nobody beats minimax


def test_an_agent_evaluated_against_its_namesake_is_told_apart():
    m = evaluate("tictactoe", "random", games=50, seed=0).metrics
    assert m["vs_random/win_rate"] > 0.2 and m["vs_random/loss_rate"] > 0.2
    assert m["vs_random/draw_rate"] < 0.5
