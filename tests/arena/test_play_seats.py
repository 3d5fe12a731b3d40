"""One agent spec fills every seat of ``arena play`` (each seat its own agent, seeded as
the spec written out once per seat); a list names each seat and must fit the game;
``arena eval`` evaluates one agent with the opponent in every other seat."""

from __future__ import annotations

import json

import pytest

from arena.cli import main


def _play(argv: list[str], capsys) -> dict:
    assert main(["play", *argv, "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    record.pop("elapsed_s")
    for d in record["decisions"]:
        d.pop("elapsed_s")
    return record


@pytest.mark.parametrize("game, spec, seats", [
    ("werewolf", "werewolf-rules", 7),
    ("werewolf:players=5", "random", 5),
    ("tictactoe", "random", 2),
    ("household", "household-expert", 1),
])
def test_one_spec_plays_every_seat_as_the_spec_written_per_seat(game, spec, seats, capsys):
    one = _play([game, "--agents", spec, "--seed", "4"], capsys)
    written_out = _play([game, "--agents", ",".join([spec] * seats), "--seed", "4"], capsys)
    assert one["agents"] == [spec] * seats
    assert one == written_out  # same agents, same per-seat seeds, same match
    assert one["outcome"] == "terminal"
    assert {d["player"] for d in one["decisions"]} == set(range(seats))


@pytest.mark.parametrize("game, agents, seats", [
    ("tictactoe", "random,random,random", 2),
    ("werewolf", "random,werewolf-rules", 7),
    ("household", "household-expert,random", 1),
])
def test_a_list_of_the_wrong_length_is_one_line(game, agents, seats, capsys):
    assert main(["play", game, "--agents", agents]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err
    got = len(agents.split(","))
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert f"needs {seats} agents, got {got}" in err
    assert "one spec per seat" in err and "--agents random)" in err


def test_eval_fills_the_other_seats_with_the_opponent(capsys):
    assert main(["eval", "werewolf:speech=claims", "--agent", "werewolf-rules", "--games", "1",
                 "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)["metrics"]
    # one match per seat against each field of six: random, then the scripted expert
    assert metrics["vs_random/games"] == 7.0 and metrics["vs_expert/games"] == 7.0


def test_eval_of_several_agents_is_one_line(capsys):
    assert main(["eval", "tictactoe", "--agent", "random,minimax", "--games", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "'random,minimax'" in err and "2 agents" in err and "--agent random" in err
