"""Werewolf's kept pieces (per-phase legal and NOW tables, STATE line, PRIVATE sections,
information-state tail, the one-call observation) against a rebuild from the state's
fields alone, over seeded random games of many option sets; clones and
determinisations keep them right."""

import random

import pytest

import games
from games.core import State
from games.werewolf.roles import PACK
from games.werewolf.text import (
    observation_text, pack_secret, private_lines, private_sections, state_line, you_lines,
)

SPECS = [
    "werewolf",
    "werewolf:speech=claims",
    "werewolf:speech=claims,wolf_decision=leader",
    "werewolf:doctor_repeat=false,reveal_on_death=true,tie=none",
    "werewolf:players=5,wolves=1,wolf_decision=leader",
    "werewolf:players=15,wolves=3,discussion_rounds=2,speech=claims,doctor_repeat=false",
    "werewolf:discussion_rounds=0,speech=claims",
    "werewolf:players=9,seers=0,doctors=0,max_rounds=3",
]


def rebuilt_info(s, p):
    """The information state from the fields alone."""
    secret = pack_secret(s, p) if s.phase == PACK else (s.pending[p] or "")
    return f"{s.you[p]}\n{s.private[p]}\n{s.log}\n{s.phase}/{s.day}/{s.spoke}/{secret}"


def rebuilt_legal(s, p):
    """The legal actions from the rules (``_legal_tuple``), not the phase's table."""
    if p not in s.waiting:
        return ()
    if s.phase == 2 and not s.game.claims:  # free-mode discussion
        return None
    return s._legal_tuple(p)


def assert_pieces_match(s):
    n = s.num_players
    assert s.you == you_lines(s.roles)
    assert s.private == private_lines(s.roles, s.nights, n)
    assert s.psec == private_sections(s.private)
    assert s.line == state_line(s)
    for p in range(n):
        assert s.legal_actions(p) == (None if rebuilt_legal(s, p) is None
                                      else list(rebuilt_legal(s, p)))
        obs = s.observation(p)
        assert obs == State.observation(s, p)  # the override equals the base method
        assert obs.text == observation_text(s, p)
        assert obs.info_state == s.information_state(p) == rebuilt_info(s, p)
        assert obs.legal_actions == rebuilt_legal(s, p)


def random_states(spec, seeds):
    """Every state of seeded random games (one game object: its caches are shared)."""
    game = games.make(spec)
    for seed in seeds:
        s = game.new_state(seed)
        rng = random.Random(seed)
        while True:
            yield s
            if s.is_terminal():
                break
            players = s.current_players()
            p = players[rng.randrange(len(players))]
            s.apply(p, s.random_action(p, rng))


@pytest.mark.parametrize("spec", SPECS)
def test_kept_pieces_equal_a_rebuild_from_the_fields_at_every_step(spec):
    count = 0
    for s in random_states(spec, range(12)):
        assert_pieces_match(s)
        count += 1
    assert count > 12 * 10


@pytest.mark.parametrize("spec", ["werewolf:speech=claims", "werewolf:wolf_decision=leader"])
def test_clones_keep_their_own_pieces_while_the_other_moves_on(spec):
    rng = random.Random(7)
    for i, s in enumerate(random_states(spec, range(4))):
        if i % 3 or s.is_terminal():
            continue
        before = [s.observation(p) for p in range(s.num_players)]
        c = s.clone()
        for _ in range(12):  # through at least one phase change
            if c.is_terminal():
                break
            p = c.current_players()[0]
            c.apply(p, c.random_action(p, rng))
        assert [s.observation(p) for p in range(s.num_players)] == before
        assert_pieces_match(s)
        assert_pieces_match(c)


@pytest.mark.parametrize("spec", ["werewolf:speech=claims,doctor_repeat=false",
                                  "werewolf:wolf_decision=leader,reveal_on_death=true"])
def test_determinisations_rebuild_their_pieces_for_the_drawn_roles(spec):
    rng = random.Random(3)
    changed = 0
    for i, s in enumerate(random_states(spec, range(6))):
        if i % 2 or s.is_terminal():
            continue
        p = s.current_players()[0]
        d = s.sample_determinisation(p, rng)
        assert_pieces_match(d)
        changed += d.roles != s.roles
        assert d.observation(p).text == s.observation(p).text
    assert changed > 0  # the draws did change roles, so the rebuild was exercised


def test_tables_started_over_when_full_give_the_same_pieces(monkeypatch):
    import games.werewolf.game as werewolf_game

    monkeypatch.setattr(werewolf_game, "TABLES_KEPT", 2)
    states = 0
    for s in random_states("werewolf:speech=claims,doctor_repeat=false", range(6)):
        assert_pieces_match(s)
        assert len(s.game._days) <= 2 and len(s.game._nights) <= 2 and len(s.game.lines) <= 2
        states += 1
    assert states > 60
