"""``arena check`` calls every hook a game declares, bounds each check in time and the
seeds in number (issue 23, items 4, 7 and 10); and a plug-in whose hook misses the declared
contract (an old ``teams(self)``, ``render(self)``, a hook left as data) is told in one
line by the ``contract`` check (issue 22)."""

from __future__ import annotations

import time

import pytest

from arena.cli import main
from games.conformance import MAX_SEEDS, check_game
from tests.toy_games import Pennies, PenniesState


def _failed(report):
    return {f.check: f.message for f in report.failures}


def test_builtin_games_pass_the_contract_and_hooks_checks_two_player_household_included():
    for spec in ("kuhn_poker", "tictactoe", "negotiation", "household:players=2", "werewolf"):
        report = check_game(spec, seeds=range(3), checks=["contract", "hooks"])
        assert report.passed == ["contract", "hooks"], report.summary()


def test_arena_eval_of_two_player_household_reports_its_metrics(capsys):
    """Regression: ``Household.record_metrics`` lacked ``seats``; eval raised TypeError."""
    from arena.evaluate import evaluate

    result = evaluate("household:players=2", "random", games=1, seed=0,
                      opponents=("random",))
    assert any(k.startswith("vs_random/game/household/") for k in result.metrics)
    assert main(["eval", "household:players=2", "--agent", "random", "--games", "1",
                 "--json"]) == 0
    assert "Traceback" not in capsys.readouterr().err


class ExtraArgumentMetrics(Pennies):
    def record_metrics(self, records, seats, weights):  # one parameter the arena never passes
        return {}


class NoRolesTeams(Pennies):
    def forfeit_returns(self, offender, roles=None):
        return [-1.0, -1.0]  # sums to -2 in a zero-sum game


class TextMetrics(Pennies):
    def record_metrics(self, records, seats=None):
        return {"wins": "many"}


class SeatsUsed(Pennies):
    def record_metrics(self, records, seats=None):
        assert seats is not None and len(seats) == len(records)
        return {"seat0_share": sum(s == 0 for s in seats) / len(seats)}


@pytest.mark.parametrize("game, words", [
    (NoRolesTeams(), "sums to -2"),
    (TextMetrics(), "expected metric names (str) with finite numbers"),
])
def test_a_hook_with_the_wrong_result_is_told(game, words):
    report = check_game(game)
    failed = _failed(report)
    assert set(failed) == {"hooks"}, report.summary()
    assert words in failed["hooks"]


class OldTeams(Pennies):
    def teams(self):  # written before the arena passed the match's roles
        return (0, 1)


class OldForfeit(Pennies):
    def forfeit_returns(self, offender):
        return [-1.0, 1.0] if offender == 0 else [1.0, -1.0]


class StateOfOldRender(PenniesState):
    __slots__ = ()

    def render(self):  # the viewer passes reveal
        return "board"


class OldRender(Pennies):
    state_class = StateOfOldRender


class HookAsData(Pennies):
    load_policy = None  # the old style: a ClassVar, None for "not offered"


@pytest.mark.parametrize("game, words", [
    (ExtraArgumentMetrics(), "ExtraArgumentMetrics.record_metrics(self, records, seats, weights) "
                             "cannot take the arena's call record_metrics(records, seats); "
                             "declare it as in games.core.Game: def record_metrics(self, records: "
                             "'Sequence[Any]', seats: 'Sequence[int] | None' = None) -> "
                             "'dict[str, float]'"),
    (OldTeams(), "OldTeams.teams(self) cannot take the arena's call teams(roles); declare it "
                 "as in games.core.Game: def teams(self, roles: 'Sequence[str] | None' = None)"),
    (OldForfeit(), "OldForfeit.forfeit_returns(self, offender) cannot take the arena's call "
                   "forfeit_returns(offender, roles)"),
    (OldRender(), "StateOfOldRender.render(self) cannot take the arena's call "
                  "render(reveal=True); declare it as in games.core.State: def render(self, "
                  "reveal: 'bool' = False) -> 'str'"),
    (HookAsData(), "HookAsData.load_policy is None, not a method; hooks are methods with "
                   "defaults on games.core.Game"),
])
def test_a_plugin_that_misses_the_declared_contract_is_told_in_one_line(game, words):
    report = check_game(game, seeds=range(2), checks=["contract"])
    message = _failed(report)["contract"]
    assert words in message and "\n" not in message, message
    assert check_game(Pennies(), seeds=range(2), checks=["contract"]).passed == ["contract"]


def test_record_metrics_is_called_with_seats_as_the_arena_calls_it():
    assert check_game(SeatsUsed(), checks=["hooks"]).passed == ["hooks"]


class Hanging(Pennies):
    def chance_outcomes(self):
        while True:  # a plug-in that never returns, swallowing what it can
            try:
                time.sleep(0.01)
            except Exception:
                pass


def test_a_hanging_hook_is_stopped_at_the_time_limit_and_later_checks_still_run():
    start = time.monotonic()
    report = check_game(Hanging(), seeds=range(2), checks=["hooks", "playout"],
                        time_limit=0.5)
    assert time.monotonic() - start < 5
    assert "did not finish within 0.5 s" in _failed(report)["hooks"]
    assert report.passed == ["playout"]


def test_arena_check_refuses_a_huge_seed_count_at_once_in_one_line(capsys):
    """Regression: --seeds 1000000000 built every seed first (7.8 GB in 15 s)."""
    start = time.monotonic()
    assert main(["check", "tictactoe", "--seeds", "1000000000"]) == 2
    assert time.monotonic() - start < 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"from 1 to {MAX_SEEDS}" in err
    assert main(["check", "tictactoe", "--time-limit", "inf"]) == 2
    assert "--time-limit inf must be a finite number" in capsys.readouterr().err
    with pytest.raises(ValueError, match="more than the 10000"):
        check_game("tictactoe", seeds=range(MAX_SEEDS + 1))
