"""Kuhn Poker rules: chips of every deal and betting line, matches of N hands, errors,
information hiding, information states, determinisation, clones and options."""

from __future__ import annotations

import random
from collections import defaultdict
from itertools import permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import games
from games import IllegalAction
from games.core import Determiniser
from games.kuhn_poker import KuhnOptions, KuhnPoker, KuhnState

DEALS = ["".join(p) for p in permutations("JQK", 2)]
RANK = {"J": 0, "Q": 1, "K": 2}
# Betting line -> (stake, showdown?, fixed result for the first player when no showdown).
LINES = {
    ("[check]", "[check]"): (1, True),
    ("[bet]", "[call]"): (2, True),
    ("[check]", "[bet]", "[call]"): (2, True),
    ("[bet]", "[fold]"): (1, False),
    ("[check]", "[bet]", "[fold]"): (-1, False),
}


def play(state: KuhnState, actions) -> KuhnState:
    for a in actions:
        state.apply(state.current_players()[0], a)
    return state


def all_states(game: KuhnPoker) -> list[KuhnState]:
    """Every state reachable from every deal of the game (decision and terminal)."""
    deals = [""]
    for _ in range(game.options.hands):
        deals = [d + pair for d in deals for pair in DEALS]
    out, stack = [], [game.deal_state(d) for d in deals]
    while stack:
        s = stack.pop()
        out.append(s)
        if not s.is_terminal():
            for a in s.legal_actions(s.current_players()[0]):
                stack.append(play(s.clone(), [a]))
    return out


def test_declaration():
    g = games.make("kuhn_poker")
    info = g.info
    assert (info.id, info.roles, info.chance, info.information) == (
        "kuhn_poker", ("first", "second"), "seeded", "imperfect")
    assert (info.min_utility, info.max_utility, info.utility_sum, info.max_length) == (-2, 2, 0.0, 3)
    assert g.num_players == 2 and g.expert.name == "kuhn-nash" and "J < Q < K" in g.rules
    g5 = games.make("kuhn_poker", hands=5)
    assert (g5.info.min_utility, g5.info.max_utility, g5.info.max_length) == (-10, 10, 15)
    assert KuhnPoker.info.max_length == 3  # the class declaration stays the one-hand one


@pytest.mark.parametrize("deal", DEALS)
@pytest.mark.parametrize("line", list(LINES))
def test_every_deal_and_line_pays_the_right_chips(deal, line):
    stake, showdown = LINES[line]
    s = play(KuhnPoker().deal_state(deal), line)
    assert s.is_terminal() and s.current_players() == [] and s.legal_actions(0) == []
    if showdown:
        stake = stake if RANK[deal[0]] > RANK[deal[1]] else -stake
    assert s.returns() == [stake, -stake]
    assert s.turn == len(line)


def test_actors_and_legal_actions():
    s = KuhnPoker().deal_state("QK")
    assert s.current_players() == [0] and s.legal_actions(0) == ["[check]", "[bet]"]
    assert s.legal_actions(1) == []
    play(s, ["[check]"])
    assert s.current_players() == [1] and s.legal_actions(1) == ["[check]", "[bet]"]
    play(s, ["[bet]"])
    assert s.current_players() == [0] and s.legal_actions(0) == ["[fold]", "[call]"]
    assert s.returns() == [0.0, 0.0]


def test_match_alternates_first_player_and_sums_chips():
    g = games.make("kuhn_poker", hands=3)
    s = g.deal_state("KJ" "KJ" "JQ")
    play(s, ["[bet]", "[call]"])  # hand 1: player 0 first, K beats J: +2
    assert s.current_players() == [1] and s.hand == 1 and s.returns() == [2.0, -2.0]
    play(s, ["[bet]", "[fold]"])  # hand 2: player 1 first bets, player 0 (K) folds: -1
    assert s.current_players() == [0] and s.returns() == [1.0, -1.0]
    play(s, ["[check]", "[check]"])  # hand 3: player 0 first, J loses to Q: -1
    assert s.is_terminal() and s.returns() == [0.0, 0.0] and s.turn == 6
    assert [s.role(0), s.role(1)] == ["first", "second"]


@given(seed=st.integers(0, 10**6), hands=st.integers(1, 4), data=st.data())
@settings(max_examples=150, deadline=None)
def test_random_playouts_keep_invariants(seed, hands, data):
    g = games.make("kuhn_poker", hands=hands)
    s = g.new_state(seed)
    rng = random.Random(seed)
    while not s.is_terminal():
        (p,) = s.current_players()
        legal = s.legal_actions(p)
        assert legal and len(set(legal)) == len(legal)
        junk = data.draw(st.text(max_size=8))
        if junk not in legal:
            with pytest.raises(IllegalAction):
                s.apply(p, junk)
        before = (s.information_state(0), s.information_state(1), s.returns(), s.turn)
        play(s.clone(), [legal[0]])
        assert before == (s.information_state(0), s.information_state(1), s.returns(), s.turn)
        s.apply(p, legal[rng.randrange(len(legal))])
    r = s.returns()
    assert sum(r) == g.info.utility_sum and g.info.min_utility <= r[0] <= g.info.max_utility
    assert s.turn <= g.info.max_length and s.hand == hands - 1


def test_same_seed_same_deal_and_seeds_cover_all_deals():
    g = games.make("kuhn_poker", hands=2)
    assert g.new_state(7).cards == g.new_state(7).cards
    seen = {games.make("kuhn_poker").new_state(seed).cards for seed in range(200)}
    assert len(seen) == 6


def test_illegal_actions_explain_themselves():
    s = KuhnPoker().deal_state("JQ")
    with pytest.raises(IllegalAction, match=r"'\[call\]' is not legal; legal: \[check\], \[bet\]"):
        s.apply(0, "[call]")
    with pytest.raises(IllegalAction, match="not player 1's turn; waiting for player"):
        s.apply(1, "[check]")
    with pytest.raises(IllegalAction, match="must be a string such as '\\[check\\]'"):
        s.apply(0, 1)
    play(s, ["[bet]", "[fold]"])
    with pytest.raises(IllegalAction, match="the game is over"):
        s.apply(0, "[check]")


@pytest.mark.parametrize("view", ["text", "compact"])
@pytest.mark.parametrize("hands", [1, 2])
def test_observation_never_leaks_the_opponents_card(hands, view):
    """States a player cannot tell apart (same information state) give the same text."""
    texts = defaultdict(set)
    for s in all_states(games.make("kuhn_poker", hands=hands, view=view)):
        if s.is_terminal():
            continue
        for p in (0, 1):
            obs = s.observation(p)
            assert obs.info_state == s.information_state(p) and obs.role == s.role(p)
            texts[(p, obs.info_state)].add(obs.text)
    assert all(len(t) == 1 for t in texts.values())
    if hands == 1:  # 4 open histories x 3 cards x 2 players
        assert len(texts) == 24


def test_observation_text_contents():
    g = games.make("kuhn_poker", hands=2)
    s = play(g.deal_state("QK" "JK"), ["[check]", "[bet]"])
    text = s.observation(0).text
    assert "Your card: Q" in text and "you checked, opponent bet" in text
    assert "Pot: 3 chips" in text and "hand 1 of 2" in text
    assert text.endswith("Legal actions: [fold], [call]")
    assert "Waiting for the opponent" in s.observation(1).text
    play(s, ["[call]"])  # showdown: K beats Q; hand 2 begins with player 1 first
    text = s.observation(0).text
    assert "opponent K (showdown)" in text and "you lost 2" in text and "Match chips so far: you -2" in text
    assert "hand 2 of 2" in text and "you act second" in text


def test_render_shows_both_cards():
    s = KuhnPoker().deal_state("KJ")
    table = s.render()
    assert "card        K         J" in table and "to act: player 0" in table


def test_information_state_strings():
    g = KuhnPoker()
    s = g.deal_state("KQ")
    assert (s.information_state(0), s.information_state(1)) == ("K:", "Q:")
    play(s, ["[check]"])
    assert s.information_state(1) == "Q:check"
    play(s, ["[bet]"])
    assert (s.information_state(0), s.information_state(1)) == ("K:check,bet", "Q:check,bet")
    assert KuhnPoker().deal_state("JQ").clone().information_state(0) == "J:"
    m = play(games.make("kuhn_poker", hands=3).deal_state("KJ" "QK" "JQ"), ["[bet]", "[fold]"])
    assert m.information_state(0) == "2/3|K-?:bet,fold|Q:"
    play(m, ["[check]", "[check]"])
    assert m.information_state(1) == "3/3|J-?:bet,fold|K-Q:check,check|Q:"


def test_determinisation_is_consistent_and_resamples_hidden_cards():
    g = games.make("kuhn_poker", hands=3)
    s = play(g.deal_state("KJ" "QK" "JQ"), ["[bet]", "[fold]", "[check]"])  # hand 2, player 0 to act
    original = (s.cards, s.information_state(0), s.observation(0).text)
    rng = random.Random(0)
    opp_now, future = set(), set()
    for _ in range(200):
        d = s.sample_determinisation(0, rng)
        assert d.information_state(0) == s.information_state(0)
        assert d.observation(0).text == s.observation(0).text
        assert d.cards[0] == 2 and d.cards[2] == 1  # the player's own cards stay
        assert all(d.cards[2 * h] != d.cards[2 * h + 1] for h in range(3))
        opp_now.add(d.cards[3])
        future.add(d.cards[4:6])
    assert opp_now == {0, 2} and len(future) == 6
    assert (s.cards, s.information_state(0), s.observation(0).text) == original
    # A card seen at a showdown stays; the search channel gives the same guarantee.
    t = play(g.deal_state("KJ" "QK" "JQ"), ["[check]", "[check]"])
    determiniser = Determiniser(t, 1)
    for _ in range(50):
        d = determiniser.sample(rng)
        assert d.cards[:2] == (2, 0) and d.cards[3] == 2 and d.turn == t.turn


def test_clone_is_independent():
    s = KuhnPoker().deal_state("QJ")
    c = s.clone()
    play(c, ["[bet]", "[call]"])
    assert not s.is_terminal() and s.turn == 0 and s.information_state(0) == "Q:"
    assert c.returns() == [2.0, -2.0] and s.returns() == [0.0, 0.0]


@pytest.mark.parametrize("bad", [0, -3, 21, 3000])
def test_hands_out_of_range(bad):
    with pytest.raises(ValueError, match=rf"option hands={bad} for game 'kuhn_poker' is out of "
                                         r"range: expected an integer from 1 to 20; use e.g. "
                                         r"kuhn_poker:hands=1"):
        KuhnPoker(KuhnOptions(hands=bad))


@pytest.mark.parametrize("bad", [True, 1.5, "2"])
def test_hands_of_the_wrong_type(bad):
    with pytest.raises(ValueError, match="hands=.* must be an integer from 1 to 20"):
        KuhnPoker(KuhnOptions(hands=bad))


def test_bad_options_from_strings_and_deals():
    with pytest.raises(ValueError, match="hands=3000 .* out of range"):
        games.make("kuhn_poker:hands=3000")
    assert games.make("kuhn_poker:hands=20").info.max_length == 60
    with pytest.raises(ValueError, match="option hands='x'"):
        games.make("kuhn_poker:hands=x")
    with pytest.raises(ValueError, match="unknown option"):
        games.make("kuhn_poker", players=3)
    assert games.make("kuhn_poker:hands=4").options.hands == 4
    with pytest.raises(ValueError, match="must be 2 card letters"):
        KuhnPoker().deal_state("KA")
    with pytest.raises(ValueError, match="same card"):
        KuhnPoker().deal_state("KK")


@pytest.mark.parametrize("hands", [1, 5])
def test_a_forfeit_costs_the_most_the_match_could(hands):
    game = games.make("kuhn_poker", hands=hands)
    worst = 2.0 * hands
    assert game.forfeit_returns(0) == [-worst, worst]
    assert game.forfeit_returns(1) == [worst, -worst]
    assert game.info.min_utility == -worst and game.info.max_utility == worst


def test_a_runner_forfeit_in_a_five_hand_match_scores_ten():
    from agents import Agent, Decision, make_agent
    from arena.runner import play_match

    class Garbler(Agent):
        name = "garbler"

        def act(self, obs, determiniser=None):
            return Decision(text="I raise")

    record = play_match(games.make("kuhn_poker:hands=5"), [make_agent("random"), Garbler()],
                        seed=0)
    assert record.outcome == "forfeit" and record.forfeit_player == 1
    assert record.returns == (10.0, -10.0)
