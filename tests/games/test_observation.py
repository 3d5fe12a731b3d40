"""Observation is a frozen dataclass of plain data, whatever it is stored as: fields and
defaults, assignment refused, equality and hash by fields and class, repr,
``dataclasses.replace``/``asdict``, copies and pickles, JSON round trip, ``vars``."""

import copy
import dataclasses
import json
import pickle

import pytest

import games
from games.core import Observation, observation_of

FIELDS = ("game", "player", "role", "turn", "text", "legal_actions", "rules", "info_state",
          "seed")


def obs(**changes):
    base = dict(game="tictactoe", player=1, role="O", turn=3, text="board", legal_actions=("[4]",),
                rules="rules", info_state="X4")
    return Observation(**{**base, **changes})


def test_fields_defaults_and_reading():
    assert tuple(f.name for f in dataclasses.fields(Observation)) == FIELDS
    o = Observation("kuhn_poker", 0, "first", 2, "t", None)
    assert (o.game, o.player, o.role, o.turn, o.text, o.legal_actions) == (
        "kuhn_poker", 0, "first", 2, "t", None)
    assert (o.rules, o.info_state, o.seed) == ("", "", None)
    assert dataclasses.is_dataclass(o) and vars(o) == dataclasses.asdict(o)
    assert set(vars(o)) == set(FIELDS)


@pytest.mark.parametrize("name", FIELDS + ("other",))
def test_assignment_and_deletion_are_refused(name):
    o = obs()
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(o, name, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(o, name)
    assert o == obs()


def test_equality_and_hash_follow_class_and_fields():
    assert obs() == obs() and hash(obs()) == hash(obs())
    assert obs() != obs(seed=1) and not obs() == obs(turn=4)
    assert len({obs(), obs(), obs(seed=2)}) == 2
    o = obs()
    assert o != tuple(o) and not o == tuple(o) and not tuple(o) == o
    assert o != "board" and o != None  # noqa: E711


def test_repr_replace_copy_pickle_and_json():
    o = obs(seed=7)
    assert repr(o) == ("Observation(game='tictactoe', player=1, role='O', turn=3, text='board', "
                       "legal_actions=('[4]',), rules='rules', info_state='X4', seed=7)")
    assert dataclasses.replace(o, seed=8) == obs(seed=8)
    assert dataclasses.replace(o, text="x").text == "x" and o.text == "board"
    for other in (copy.copy(o), copy.deepcopy(o), pickle.loads(pickle.dumps(o))):
        assert other == o and type(other) is Observation
    assert Observation.from_dict(json.loads(json.dumps(o.to_dict()))) == o


def test_observation_of_builds_the_same_object_as_the_constructor():
    fields = ("werewolf", 2, "seer", 5, "text", ("[pass]",), "rules", "info", None)
    assert observation_of(fields) == Observation(*fields)
    assert type(observation_of(fields)) is Observation


@pytest.mark.parametrize("name", ["kuhn_poker", "tictactoe", "werewolf:speech=claims"])
def test_games_build_observations_through_it(name):
    state = games.make(name).new_state(0)
    player = state.current_players()[0]
    o = state.observation(player)
    assert type(o) is Observation and o.player == player and o.turn == 0
    assert o.legal_actions == tuple(state.legal_actions(player))
