"""kuhn-nash (Kuhn Poker's declared expert, games.kuhn_poker.expert.KuhnNash, played by the
generic expert agent): the equilibrium family, its validation, sampling, and matches of N
hands."""

from __future__ import annotations

import pytest

import games
from games import Observation
from agents import make_agent
from agents.expert import ExpertAgent
from games.kuhn_poker import KuhnNash


def kuhn_nash(seed=0, alpha=0.0):
    """The ``kuhn-nash`` agent as ``make_agent("kuhn-nash:alpha=...")`` builds it."""
    return ExpertAgent.of_expert(KuhnNash, ["kuhn_poker"], seed=seed, alpha=alpha)


def at(deal, actions, hands=1):
    """The state after ``actions`` from a chosen deal."""
    s = games.make("kuhn_poker", hands=hands).deal_state(deal)
    for a in actions:
        s.apply(s.current_players()[0], a)
    return s


def dist_at(agent, deal, actions, hands=1):
    s = at(deal, actions, hands)
    return agent.policy(s.observation(s.current_players()[0]))


@pytest.mark.parametrize("alpha", [0.0, 0.1, 0.25, 1 / 3])
def test_policy_is_the_equilibrium_family(alpha):
    agent = kuhn_nash(alpha=alpha)
    third = 1 / 3
    expected = {
        # (card of the actor, history): probability of the aggressive action
        ("J", ()): alpha, ("Q", ()): 0.0, ("K", ()): 3 * alpha,
        ("J", ("[check]", "[bet]")): 0.0, ("Q", ("[check]", "[bet]")): alpha + third,
        ("K", ("[check]", "[bet]")): 1.0,
        ("J", ("[bet]",)): 0.0, ("Q", ("[bet]",)): third, ("K", ("[bet]",)): 1.0,
        ("J", ("[check]",)): third, ("Q", ("[check]",)): 0.0, ("K", ("[check]",)): 1.0,
    }
    for (card, history), p in expected.items():
        other = "Q" if card != "Q" else "K"
        deal = card + other if len(history) % 2 == 0 else other + card
        dist = dist_at(agent, deal, history)
        aggressive = "[bet]" if history in ((), ("[check]",)) else "[call]"
        passive = "[check]" if aggressive == "[bet]" else "[fold]"
        assert set(dist) == {aggressive, passive}
        assert dist[aggressive] == pytest.approx(p, abs=1e-15)
        assert dist[passive] == pytest.approx(1 - p, abs=1e-15)


def test_alpha_is_validated():
    for bad in (-0.01, 0.34, 1.0):
        with pytest.raises(ValueError, match="0 <= alpha <= 1/3"):
            kuhn_nash(alpha=bad)
    with pytest.raises(ValueError, match="0 <= alpha <= 1/3"):
        make_agent("kuhn-nash:alpha=0.5")
    with pytest.raises(ValueError, match="must be float"):
        make_agent("kuhn-nash:alpha=big")
    assert make_agent("kuhn-nash:alpha=0.2").expert_for("kuhn_poker").alpha == 0.2
    assert KuhnNash(alpha=1 / 3).alpha == 1 / 3


def test_act_samples_legal_actions_reproducibly():
    s = at("QJ", [])
    obs = s.observation(0)
    a, b = kuhn_nash(seed=3, alpha=0.2), kuhn_nash(seed=3, alpha=0.2)
    seq_a = [a.act(at("JQ", []).observation(0)).text for _ in range(50)]
    seq_b = [b.act(at("JQ", []).observation(0)).text for _ in range(50)]
    assert seq_a == seq_b and set(seq_a) == {"[check]", "[bet]"}
    # Q opens with a check whatever the rng says; K facing a bet always calls.
    assert {a.act(obs).text for _ in range(20)} == {"[check]"}
    k = at("JK", ["[bet]"]).observation(1)
    decision = a.act(k)
    assert decision.text == "[call]" and decision.distribution == {"[fold]": 0.0, "[call]": 1.0}


def test_no_policy_when_not_its_move_and_wrong_game_errors():
    s = at("JQ", [])
    assert kuhn_nash().policy(s.observation(1)) is None
    with pytest.raises(ValueError, match="no legal action"):
        kuhn_nash().act(s.observation(1))
    other = Observation(game="tictactoe", player=0, role="X", turn=0, text="",
                        legal_actions=("[0]",), info_state="")
    with pytest.raises(ValueError, match="kuhn-nash plays only 'kuhn_poker'"):
        kuhn_nash().policy(other)

def test_matches_of_several_hands_use_the_current_hand():
    agent = kuhn_nash(alpha=0.3)
    # Hand 2: player 1 acts first with K: bets with 3 * alpha.
    s = at("QJ" "JK", ["[check]", "[check]"], hands=2)
    assert s.current_players() == [1]
    assert agent.policy(s.observation(1))["[bet]"] == pytest.approx(0.9)
    # Player 0 is second in hand 2: after a check, J bets 1/3.
    s.apply(1, "[check]")
    assert agent.policy(s.observation(0))["[bet]"] == pytest.approx(1 / 3)


def test_game_expert_is_kuhn_nash():
    s = at("KJ", ["[check]"])
    obs = s.observation(1)
    assert games.make("kuhn_poker").expert is KuhnNash and KuhnNash.name == "kuhn-nash"
    assert ExpertAgent().policy(obs) == kuhn_nash().policy(obs)
