"""The rating ladder: ratings with intervals for checkpoints and fixed agents."""

from __future__ import annotations

import json

import pytest

from agents import make_agent
from training.ladder import ladder_checkpoints, play_ladder, rate_run


def _ratings(row: dict, game: str = "kuhn_poker") -> dict[str, tuple[float, float, float]]:
    prefix = f"ladder/{game}/"
    names = {k[len(prefix):-len("/rating")] for k in row
             if k.startswith(prefix) and k.endswith("/rating")}
    return {n: (row[f"{prefix}{n}/rating"], row[f"{prefix}{n}/low"], row[f"{prefix}{n}/high"])
            for n in names}


def _check_intervals(ratings: dict[str, tuple[float, float, float]]) -> None:
    for name, (rating, low, high) in ratings.items():
        assert low <= rating <= high, f"{name}: {low} <= {rating} <= {high} fails"


def test_ladder_of_fixed_agents_is_seeded_and_sane():
    nash = make_agent("kuhn-nash", seed=3)
    nash.name = "nash"
    row = play_ladder({"nash": nash}, ["kuhn_poker"], games_per_seat=20, seed=5)
    ratings = _ratings(row)
    assert set(ratings) == {"nash", "random", "expert"}
    _check_intervals(ratings)
    assert ratings["random"] == (1000.0, 1000.0, 1000.0)  # the anchor
    assert ratings["nash"][0] > 1000.0  # the equilibrium beats uniform random play
    assert row["ladder/kuhn_poker/nash/games"] == 2 * 2 * 20  # two opponents, two seats
    nash2 = make_agent("kuhn-nash", seed=3)
    nash2.name = "nash"
    assert play_ladder({"nash": nash2}, ["kuhn_poker"], games_per_seat=20, seed=5) == row


def test_ladder_errors_name_the_problem():
    with pytest.raises(ValueError, match="games_per_seat=0"):
        play_ladder({}, ["kuhn_poker"], games_per_seat=0, seed=0)
    agent = make_agent("random")
    agent.name = "random"
    with pytest.raises(ValueError, match="clash"):
        play_ladder({"random": agent}, ["kuhn_poker"], games_per_seat=1, seed=0)
    with pytest.raises(ValueError, match="keyed by its own name"):
        play_ladder({"other": make_agent("kuhn-nash")}, ["kuhn_poker"], 1, 0)
    with pytest.raises(ValueError, match="last=-1"):
        ladder_checkpoints(".", last=-1)


def test_training_rows_carry_the_ladder(smoke_run):
    rows = [json.loads(x) for x in (smoke_run / "metrics.jsonl").read_text().splitlines()]
    laddered = {r["iteration"]: _ratings(r) for r in rows if _ratings(r)}
    assert set(laddered) == {1, 2}  # the checkpoint iterations
    assert set(laddered[1]) == {"start", "policy", "random", "expert"}
    assert set(laddered[2]) == {"start", "checkpoint-1", "policy", "random", "expert"}
    for ratings in laddered.values():
        _check_intervals(ratings)


def test_rate_run_rates_the_saved_checkpoints(smoke_run):
    assert [it for it, _ in ladder_checkpoints(smoke_run)] == [1, 2]
    row = rate_run(smoke_run, games_per_seat=1, seed=1)
    ratings = _ratings(row)
    assert set(ratings) == {"start", "checkpoint-1", "checkpoint-2", "random", "expert"}
    _check_intervals(ratings)


def test_rate_run_needs_a_run_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="config.json"):
        rate_run(tmp_path)


def test_arena_ladder_command_rates_a_run(smoke_run, capsys):
    from arena.cli import main

    assert main(["ladder", str(smoke_run), "--games-per-seat", "1", "--seed", "1",
                 "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row == rate_run(smoke_run, games_per_seat=1, seed=1)
    assert main(["ladder", str(smoke_run), "--games-per-seat", "1", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "Ladder: kuhn_poker" in out
    assert all(name in out for name in ("start", "checkpoint-2", "random", "expert"))


def test_arena_ladder_command_errors_are_one_line(tmp_path, capsys):
    from arena.cli import main

    assert main(["ladder", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no config.json" in err and "Traceback" not in err


@pytest.mark.parametrize("argv, message", [
    (["--games-per-seat", "100000"], "--games-per-seat 100000 must be a whole number from 1 to 10000"),
    (["--last", "0"], "--last 0 must be a whole number from 1 to 64"),
])
def test_arena_ladder_counts_have_a_stated_maximum(argv, message, tmp_path, capsys):
    from arena.cli import main

    assert main(["ladder", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_ladder_on_a_game_whose_teams_follow_the_dealt_roles():
    from agents import make_agent
    from training.ladder import play_ladder

    players = {}
    for i in range(6):  # a round robin of a 7-seat game needs 7 entrants
        players[f"rules{i}"] = make_agent("werewolf-rules", seed=i)
        players[f"rules{i}"].name = f"rules{i}"
    row = play_ladder(players, ["werewolf:speech=claims"], games_per_seat=1, seed=0,
                      fixed=("random",))
    assert {"ladder/werewolf/rules0/rating", "ladder/werewolf/random/rating"} <= set(row)
