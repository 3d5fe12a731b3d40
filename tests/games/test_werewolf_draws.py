"""Werewolf's in-game chance (games/werewolf/draws.py): the deal and the tie-breaks come
from the game's seed alone, and are uniform (role per seat, every arrangement of the
deck, every tied candidate)."""

from collections import Counter
from math import comb, sqrt

import pytest

import games
from games.werewolf.draws import NIGHT_TIE, VOTE_TIE, deal, mix, pick
from games.werewolf.roles import TALK, WOLF
from tests.games.test_werewolf import play_night, play_talk, seats


def within(count: int, n: int, p: float, sigmas: float = 5.0) -> bool:
    """``count`` of ``n`` draws of probability ``p`` within ``sigmas`` standard deviations."""
    return abs(count - n * p) <= sigmas * sqrt(n * p * (1 - p))


def test_mix_is_splitmix64():
    # splitmix64's first outputs from state 0 (the published reference values)
    assert mix(0) == 0xE220A8397B1DCDAF
    assert mix(0x9E3779B97F4A7C15) == 0x6E789E6AA1B965F4


def test_new_state_deals_with_deal_and_the_same_seed_gives_the_same_roles():
    g = games.make("werewolf")
    for seed in (0, 1, 2**40, -5):
        assert g.new_state(seed).roles == deal(g.deck, seed) == g.new_state(seed).roles
    assert deal(g.deck, 1) != deal(g.deck, 2)


def test_each_seat_gets_each_role_uniformly():
    g = games.make("werewolf")
    n = 21_000
    per_seat = [Counter() for _ in range(7)]
    for seed in range(n):
        for seat, role in enumerate(deal(g.deck, seed)):
            per_seat[seat][role] += 1
    share = {role: g.deck.count(role) / 7 for role in set(g.deck)}
    for seat in range(7):
        for role, p in share.items():
            assert within(per_seat[seat][role], n, p), (seat, role, per_seat[seat])


def test_every_arrangement_of_the_deck_is_dealt_about_equally_often():
    g = games.make("werewolf")  # 2 wolves, seer, doctor, 3 villagers: 420 arrangements
    arrangements = comb(7, 2) * 5 * 4
    n = 42_000
    counts = Counter(deal(g.deck, seed) for seed in range(n))
    assert len(counts) == arrangements
    p = 1 / arrangements
    assert all(within(c, n, p) for c in counts.values()), counts.most_common(3)


def test_larger_tables_deal_uniformly_too():
    g = games.make("werewolf:players=15,wolves=3")
    n = 15_000
    wolves = Counter(seat for seed in range(n) for seat, r in enumerate(deal(g.deck, seed))
                     if r == WOLF)
    assert all(within(wolves[seat], n, 3 / 15) for seat in range(15)), wolves


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_pick_is_uniform_over_the_candidates_and_depends_on_purpose_and_day(k):
    n = 12_000
    counts = Counter(pick(seed, VOTE_TIE, 1 + seed % 10, k) for seed in range(n))
    assert set(counts) == set(range(k))
    assert all(within(counts[i], n, 1 / k) for i in range(k)), counts
    night = [pick(seed, NIGHT_TIE, 1, k) for seed in range(200)]
    vote = [pick(seed, VOTE_TIE, 1, k) for seed in range(200)]
    day2 = [pick(seed, VOTE_TIE, 2, k) for seed in range(200)]
    assert night != vote and vote != day2


def tied_vote(seed: int):
    """A claims game of ``seed`` after night 1 (no one dies) and a vote tied 3-3 between
    two players; returns the state and the tied pair."""
    s = games.make("werewolf:speech=claims").new_state(seed)
    doctor = seats(s, "doctor")[0]
    victim = seats(s, "villager")[0]
    play_night(s, kill=victim, protect=victim)
    play_talk(s)
    a, b = [p for p in range(7) if p != doctor][:2]
    rest = [p for p in range(7) if p not in (a, b, doctor)]
    ballots = {a: b, b: a, doctor: None, **{p: (a, b)[i % 2] for i, p in enumerate(rest)}}
    for p in list(s.current_players()):
        s.apply(p, "[vote none]" if ballots[p] is None else f"[vote Player {ballots[p]}]")
    return s, (a, b)


def test_a_tied_vote_eliminates_the_seeded_pick_and_both_sides_get_picked():
    out = Counter()
    for seed in range(60):
        s, tied = tied_vote(seed)
        dead = [p for p in range(7) if not s.alive >> p & 1]
        assert dead == [tied[pick(seed, VOTE_TIE, 1, 2)]]
        assert "tie broken at random" in s.log
        out[dead[0] == tied[0]] += 1
        again, _ = tied_vote(seed)
        assert again.log == s.log
    assert min(out.values()) >= 15, out


def test_disagreeing_wolves_kill_the_seeded_pick_among_their_targets():
    hits = Counter()
    for seed in range(60):
        s = games.make("werewolf:speech=claims").new_state(seed)
        w1, w2 = seats(s, "werewolf")
        targets = sorted(p for p in range(7) if s.roles[p] != WOLF)[:2]
        doctor = seats(s, "doctor")[0]
        for p in list(s.current_players()):
            if p in (w1, w2):
                s.apply(p, f"[kill Player {targets[p == w2]}]")
            elif p == doctor:  # protects a wolf: the victim dies
                s.apply(p, f"[protect Player {w1}]")
            else:
                s.apply(p, s.legal_actions(p)[0])
        assert s.phase == TALK
        victim = targets[pick(seed, NIGHT_TIE, 1, 2)]
        assert s.nights[0][1] == victim and not s.alive >> victim & 1
        hits[victim == targets[0]] += 1
    assert min(hits.values()) >= 15, hits


def test_random_action_draws_what_randrange_over_the_legal_actions_draws():
    import random  # the caller's generator: search rollouts and the runner's fallback

    g = games.make("werewolf:speech=claims")
    for seed in range(20):
        s, mine, ref = g.new_state(seed), random.Random(seed), random.Random(seed)
        while not s.is_terminal():
            p = s.current_players()[0]
            legal = s.legal_actions(p)
            action = s.random_action(p, mine)
            assert action == legal[ref.randrange(len(legal))]
            s.apply(p, action)
