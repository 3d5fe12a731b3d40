"""Werewolf hides what it must: thousands of seeded random games, every player's view
checked against the hidden facts, and determinisations consistent with the view.

The strongest check is differential: a determinisation for player p redraws everything
p cannot know (other roles, others' checks, protections and pack choices, pending
secret moves). If p's observation text or information state depended on any of it, some
draw would change them. Direct checks add what the rules promise in words.
"""

import random
import re

import pytest

import games
from agents import make_agent
from agents.base import act_at
from games.werewolf.compact import text_view
from games.werewolf.determinise import known_roles
from games.werewolf.roles import NIGHT, OVER, PACK, VOTE, WOLF

SPECS = ["werewolf:speech=claims", "werewolf",
         "werewolf:speech=claims,wolf_decision=leader,reveal_on_death=true,doctor_repeat=false",
         "werewolf:players=9,wolves=3,speech=claims,discussion_rounds=2",
         "werewolf:speech=claims,view=compact", "werewolf:view=compact",
         "werewolf:speech=claims,view=compact,wolf_decision=leader,reveal_on_death=true"]
GAMES = {SPECS[0]: 1500, SPECS[1]: 400, SPECS[2]: 400, SPECS[3]: 200, SPECS[4]: 600,
         SPECS[5]: 200, SPECS[6]: 200}
"""Compact views are probed too: their direct checks read the text view that
``text_view`` gives back (exact, tests/games/test_views.py), and the differential check
compares the compact texts themselves."""
_ROLE_OF = re.compile(r"Player (\d+),? (werewolf|seer|doctor|villager)\b")


def playout(game, seed):
    """Seeded random play; yields each state before a decision (and the last one)."""
    state, rng = game.new_state(seed), random.Random(seed)
    while not state.is_terminal():
        yield state
        p = state.current_players()[0]
        state.apply(p, state.random_action(p, rng))
    yield state


def _direct_checks(state, p, text, info):
    n = state.num_players
    opts = state.game.options
    dead = {q for q in range(n) if not state.alive >> q & 1}
    for seat, role in _ROLE_OF.findall(text.split("\nPUBLIC LOG:")[0]):
        seat = int(seat)
        mine = seat == p or (state.roles[p] == WOLF and role == "werewolf")
        assert mine, f"player {p} sees 'Player {seat} {role}' outside the public log"
    if state.phase != OVER:
        assert "Roles:" not in text and "Roles:" not in info
        revealed = {int(q) for q in re.findall(r"Player (\d+) was \w+[^\n]*they were", text)}
        assert revealed <= (dead if opts.reveal_on_death else set())
    private = text.split("PRIVATE:\n", 1)[1].split("\nPUBLIC LOG:")[0] if "PRIVATE:" in text else ""
    role = state.roles[p]
    if "you checked" in private:
        assert state.role(p) == "seer"
    if "you protected" in private:
        assert state.role(p) == "doctor"
    if "the pack" in private or "proposed" in text:
        assert role == WOLF
    if state.phase in (NIGHT, PACK, VOTE):
        for q, action in enumerate(state.pending):
            if q != p and action is not None and action != "[sleep]":
                assert f"Player {q} {action}" not in text
                assert f"Player {q} proposed" not in text or role == WOLF


@pytest.mark.parametrize("spec", SPECS)
def test_no_view_holds_what_its_player_may_not_know(spec):
    game = games.make(spec)
    rng = random.Random(7)
    checked = 0
    for seed in range(GAMES[spec]):
        for state in playout(game, seed):
            if rng.random() > 0.25 and not state.is_terminal():
                continue
            for p in range(game.num_players):
                obs = state.observation(p)
                _direct_checks(state, p, text_view(obs.text, obs.legal_actions), obs.info_state)
                d = state.sample_determinisation(p, rng)
                other = d.observation(p)
                assert (other.text, other.info_state, other.legal_actions) == (
                    obs.text, obs.info_state, obs.legal_actions), (
                    f"{spec} seed {seed} turn {state.turn}: player {p}'s view depends on "
                    "something a determinisation redrew")
                checked += 1
    assert checked > 5 * GAMES[spec]


def test_determinisations_keep_the_players_knowledge_and_redraw_the_rest():
    game = games.make("werewolf:speech=claims,reveal_on_death=true")
    rng = random.Random(3)
    changed = 0
    for seed in range(150):
        for state in playout(game, seed):
            if state.is_terminal():
                continue
            p = rng.randrange(game.num_players)
            exact, wolves, not_wolves = known_roles(state, p)
            d = state.sample_determinisation(p, rng)
            assert d is not state and d.turn == state.turn
            for seat, role in exact.items():
                assert d.roles[seat] == role
            assert all(d.roles[q] == WOLF for q in wolves)
            assert all(d.roles[q] != WOLF for q in not_wolves)
            assert sorted(d.roles) == sorted(state.roles)
            assert d.alive == state.alive and d.current_players() == state.current_players()
            living_wolves = bin(d.alive & d.wolves).count("1")
            assert 0 < living_wolves < bin(d.alive).count("1") - living_wolves
            changed += d.roles != state.roles
            finish = d.clone()
            play = random.Random(seed)
            while not finish.is_terminal():  # a determinisation plays on legally
                q = finish.current_players()[0]
                finish.apply(q, finish.random_action(q, play))
    assert changed > 100


def test_a_wolf_knows_every_role_team_and_a_seer_keeps_its_checks():
    game = games.make("werewolf:speech=claims")
    state = game.new_state(11)
    rng = random.Random(0)
    wolf = state.roles.index(WOLF)
    seer = state.roles.index(1)
    for p in list(state.current_players()):
        legal = state.legal_actions(p)
        state.apply(p, f"[check Player {wolf}]" if p == seer else legal[0])
    for _ in range(30):
        d = state.sample_determinisation(wolf, rng)
        assert d.wolves == state.wolves
        s = state.sample_determinisation(seer, rng)
        assert s.roles[wolf] == WOLF and s.roles[seer] == 1


def test_mcts_and_random_play_werewolf_with_no_werewolf_code():
    game = games.make("werewolf:speech=claims")
    mcts = make_agent("mcts:simulations=30", seed=1)
    rand = make_agent("random", seed=2)
    state = game.new_state(5)
    rng = random.Random(5)
    steps = 0
    while not state.is_terminal():
        p = state.current_players()[0]
        agent = mcts if p in (0, 1) else rand
        obs, decision = act_at(agent, state, p, seed=rng.getrandbits(30))
        assert decision.text in obs.legal_actions
        state.apply(p, decision.text)
        steps += 1
    assert steps > 10 and set(state.returns()) <= {-1.0, 0.0, 1.0}
