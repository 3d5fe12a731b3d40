"""Household: conformance, verified generation, the expert, splits, two agents, text."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import games
from agents import make_agent
from games.conformance import check_game
from games.household import KINDS, ROOMS, Household, expert_command, read_knowledge
from games.household.tasks import candidate_goals, is_unseen
from games.household.world import OBJECTS, RECEPTACLES


@pytest.mark.parametrize("spec", ["household", "household:players=2,history=3",
                                  "household:size=large,dense=true,split=valid_unseen"])
def test_conformance(spec):
    report = check_game(spec)
    assert report.ok, report.summary()


def _expert_episode(state):
    agent = make_agent("household-expert")
    while not state.is_terminal():
        obs = state.observation(0)
        state.apply(0, agent.act(obs).text)
    return state


@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_expert_solves_1000_generated_worlds_of_every_size(size):
    game = games.make(f"household:size={size}")
    steps = []
    for seed in range(1000):
        s = _expert_episode(game.new_state(seed))
        assert s.success and s.returns() == [1.0], (size, seed)
        steps.append(s.step)
    assert max(steps) <= 50
    assert 3 <= sum(steps) / len(steps) <= 30


def test_expert_agent_states_its_policy():
    s = games.make("household").new_state(4)
    agent = make_agent("household-expert")
    obs = s.observation(0)
    action = agent.act(obs).text
    assert agent.policy(obs) == {action: 1.0} and action in obs.legal_actions


@pytest.mark.parametrize("kind", KINDS)
def test_every_task_type_generates_and_states_its_goal(kind):
    for seed in range(20):
        s = games.make(f"household:task={kind}").new_state(seed)
        task = s.lay.world.task
        assert task.kind == kind
        assert s.observation(0).text.startswith(f"Your task is to: {task.text()}")
        assert not s.success and s.met == 0


def test_first_observation_lists_receptacles_not_objects():
    s = games.make("household").new_state(0)
    text = s.observation(0).text
    w = s.lay.world
    assert all(r in text for r in w.receptacles)
    assert not any(f" {o}," in text or f" {o}." in text for o in w.objects)


def test_contents_seen_only_at_an_open_receptacle():
    game = games.make("household:room=kitchen,task=heat")
    s = game.new_state(0)
    fridge = s.lay.world.receptacles.index("fridge 1")
    s.apply(0, "[go to fridge 1]")
    assert s.last[0][1] == "You arrive at fridge 1. The fridge 1 is closed."
    assert not s.seen >> fridge & 1
    s.apply(0, "[open fridge 1]")
    assert s.last[0][1].startswith("You open the fridge 1. The fridge 1 is open. In the fridge 1")
    assert s.seen >> fridge & 1 and "[close fridge 1]" in s.legal_actions(0)


def test_heat_task_by_hand():
    s = games.make("household:room=kitchen,task=heat,dense=true").new_state(3)
    w = s.lay.world
    while not s.is_terminal():
        k = read_knowledge(s.information_state(0))
        s.apply(0, f"[{expert_command(k)}]")
        if s.hold[0] >= 0 and w.obj_type[s.hold[0]] == w.task.obj:
            assert s.met & 1
    assert s.success and s.met == 0b111 and s.returns() == [1.0]


def test_dense_pays_a_share_per_condition_and_sparse_pays_nothing_before_success():
    dense = games.make("household:task=put,dense=true,max_steps=5").new_state(1)
    sparse = games.make("household:task=put,max_steps=5").new_state(1)
    for s in (dense, sparse):
        while not s.is_terminal():
            s.apply(0, "[look]")
    assert dense.returns() == [0.0] and sparse.returns() == [0.0]
    s = games.make("household:task=put,dense=true").new_state(1)
    while not s.hold[0] >= 0:
        s.apply(0, f"[{expert_command(read_knowledge(s.information_state(0)))}]")
    assert s.returns() == [0.5]


def test_step_limit_ends_the_episode():
    s = games.make("household:max_steps=7").new_state(2)
    for _ in range(7):
        s.apply(0, "[inventory]")
    assert s.is_terminal() and s.returns() == [0.0] and s.legal_actions(0) == []


def test_split_combinations_are_disjoint():
    for room in ROOMS:
        for kind in KINDS:
            train = {t.combo(room) for t in candidate_goals(room, kind, "train", ROOMS, OBJECTS)}
            seen = {t.combo(room) for t in
                    candidate_goals(room, kind, "valid_seen", ROOMS, OBJECTS)}
            unseen = {t.combo(room) for t in
                      candidate_goals(room, kind, "valid_unseen", ROOMS, OBJECTS)}
            assert train == seen and not train & unseen
            assert all(is_unseen(*c) for c in unseen) and not any(is_unseen(*c) for c in train)
    combos = {s: {games.make(f"household:split={s}").new_state(i).lay.world.combo
                  for i in range(300)} for s in ("train", "valid_unseen")}
    assert combos["train"] and combos["valid_unseen"]
    assert not combos["train"] & combos["valid_unseen"]


def test_train_and_valid_seen_worlds_differ_by_seed():
    a = games.make("household").new_state(5).lay.world
    b = games.make("household:split=valid_seen").new_state(5).lay.world
    assert a != b


def test_objects_start_where_they_may_stand():
    for seed in range(200):
        w = games.make("household:size=medium").new_state(seed).lay.world
        for o, r in enumerate(w.start):
            assert w.rec_type[r] in OBJECTS[w.obj_type[o]][1]
        for t in set(w.rec_type):
            assert w.rec_type.count(t) <= RECEPTACLES[t][1]


def test_options_are_checked():
    with pytest.raises(ValueError, match="option room='garage'"):
        games.make("household:room=garage")
    with pytest.raises(ValueError, match="receptacles=61"):
        games.make("household:receptacles=61")
    with pytest.raises(ValueError, match="no 'heat' task exists in the bathroom"):
        games.make("household:room=bathroom,task=heat").new_state(0)


# ----- two agents -----------------------------------------------------------------------

def _two_at_same_object():
    game = games.make("household:players=2,task=put")
    for seed in range(50):
        s = game.new_state(seed)
        w = s.lay.world
        for r, name in enumerate(w.receptacles):
            if not w.openable >> r & 1 and r in w.start:
                return s, name, w.objects[w.start.index(r)]
    raise AssertionError("no open receptacle with an object in 50 worlds")


def test_two_agents_conflict_rule_agent_0_first():
    s, rec, obj = _two_at_same_object()
    s.apply(0, f"[go to {rec}]")
    assert s.current_players() == [1] and s.step == 0
    s.apply(1, f"[go to {rec}]")
    assert s.step == 1 and s.current_players() == [0, 1]
    take = f"[take {obj} from {rec}]"
    assert take in s.legal_actions(0) and take in s.legal_actions(1)
    s.apply(1, take)
    s.apply(0, take)
    assert s.hold[0] == s.lay.obj_index[obj] and s.hold[1] == -1
    assert s.last[1] == (take[1:-1], "Nothing happens.")
    text = s.observation(1).text
    assert f"The other agent (agent_0) is at {rec}, holding {obj}" in text


def test_two_agents_share_one_reward_and_team():
    game = games.make("household:players=2")
    assert game.teams() == (0, 0) and game.info.simultaneous
    s = game.new_state(0)
    assert [s.role(0), s.role(1)] == ["agent_0", "agent_1"]
    agent = make_agent("household-expert")
    while not s.is_terminal():
        for p in s.current_players():
            s.apply(p, agent.act(s.observation(p)).text)
    assert s.returns()[0] == s.returns()[1]


def test_one_agent_role_and_forfeit():
    game = games.make("household")
    assert game.new_state(0).role(0) == "agent" and game.forfeit_returns(0) == [0.0]


# ----- free text ------------------------------------------------------------------------

@pytest.mark.parametrize("typed, canonical", [
    ("Take the Apple 1 from  countertop 1", "[take apple 1 from countertop 1]"),
    ("put a mug 1 on the cabinet 2.", "[put mug 1 in/on cabinet 2]"),
    ("put mug 1 in fridge 1", "[put mug 1 in/on fridge 1]"),
    ("  GO TO   the sinkbasin 1 ", "[go to sinkbasin 1]"),
    ("[inventory]", "[inventory]"),
])
def test_canonicalize_folds_case_spacing_and_articles(typed, canonical):
    assert Household().canonicalize(typed) == canonical


def test_canonicalize_refuses_non_commands_with_nothing_happens():
    with pytest.raises(games.IllegalAction, match="^Nothing happens"):
        Household().canonicalize("dance wildly")


def test_bracketed_or_boxed_answers_parse_to_admissible_commands():
    s = games.make("household").new_state(0)
    legal = s.legal_actions(0)
    assert games.parse_action("I will \\boxed{Go to  Cabinet 1}", legal) == "[go to cabinet 1]"
    with pytest.raises(games.IllegalAction):
        games.parse_action("[fly to the moon]", legal)


# ----- invariants under random play -----------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), players=st.sampled_from([1, 2]),
       size=st.sampled_from(["small", "medium", "large"]))
def test_random_play_invariants(seed, players, size):
    game = games.make(f"household:players={players},size={size}")
    s = game.new_state(seed)
    rng = random.Random(seed)
    while not s.is_terminal():
        for p in s.current_players():
            legal = s.legal_actions(p)
            assert len(set(legal)) == len(legal) and legal
            before = s.clone()
            snapshot = (before.obj_loc, before.hold, before.loc, before.opened)
            s.apply(p, legal[rng.randrange(len(legal))])
            assert (before.obj_loc, before.hold, before.loc, before.opened) == snapshot
        held = {o for o in s.hold if o >= 0}
        assert held == {o for o, r in enumerate(s.obj_loc) if r == -1}
        assert s.step <= game.options.max_steps
    assert s.returns() in ([1.0] * players, [0.0] * players)


# ----- evaluation -----------------------------------------------------------------------

def test_arena_eval_reports_success_per_task_type():
    from arena.evaluate import evaluate

    result = evaluate("household:task=heat,split=valid_unseen", "household-expert", games=6)
    m = result.metrics
    g = {k[len("episodes/game/household/"):]: v for k, v in m.items()
         if k.startswith("episodes/game/household/")}
    assert m["episodes/success_rate"] == 1.0
    assert g["heat/success_rate"] == 1.0 and g["heat/episodes"] == 6.0
    assert "put/success_rate" not in g
    assert g["invalid_rate"] == 0.0 and 3 <= g["mean_steps_success"] <= 50
    low, high = g["heat/success_rate_low"], g["heat/success_rate_high"]
    assert 0.5 < low < 1.0 and math.isclose(high, 1.0)


def test_record_metrics_counts_invalid_decisions():
    from types import SimpleNamespace as NS

    from games.algorithms.evaluation import wilson_interval as wilson
    from games.household.evaluation import record_metrics

    game = games.make("household")
    kind = game.new_state(3).lay.world.task.kind
    recs = [NS(seed=3, returns=(1.0,), decisions=[NS(valid=True)] * 4 + [NS(valid=False)]),
            NS(seed=3, returns=(0.0,), decisions=[NS(valid=True)] * 5)]
    m = record_metrics(game, recs)
    assert m[f"household/{kind}/success_rate"] == 0.5
    assert m["household/invalid_rate"] == 0.1 and m["household/mean_steps_success"] == 4.0
    assert wilson(0, 0) == (0.0, 1.0)
    low, high = wilson(1, 2)
    assert math.isclose(low, 0.0945, abs_tol=1e-3) and math.isclose(high, 0.9055, abs_tol=1e-3)


def test_viewer_shows_task_receptacles_position_and_outcome():
    from arena.runner import play_match
    from arena.viewer import render_text

    rec = play_match(games.make("household:task=put"), [make_agent("household-expert")], 2)
    text = render_text(rec, width=120)
    task = games.make("household:task=put").new_state(2).lay.world.task.text()
    assert f"Task: {task}" in text and "return +1" in text and "Task completed." in text
    assert " > " in text and "step " in text


def test_history_option_repeats_earlier_exchanges_oldest_first():
    s = games.make("household:history=2").new_state(0)
    plain = games.make("household").new_state(0)
    go = s.legal_actions(0)[2]
    for cmd in ("[look]", "[inventory]", go):
        s.apply(0, cmd)
        plain.apply(0, cmd)
    text = s.observation(0).text
    shown = f"> {go[1:-1]}"
    assert "> look" in text and "> inventory" in text and shown in text
    assert text.count(s.lay.welcome) == 1  # from "look"; the start is beyond history=2
    assert text.index("> look") < text.index("> inventory") < text.index(shown)
    assert "> look" not in plain.observation(0).text
    assert s.clone().observation(0).text == text


def test_memory_option_lists_what_the_information_state_knows():
    """memory=true: the observation names every receptacle seen so far with its contents
    now, the same facts the information state holds; off by default."""
    import random as _random

    from games.household.expert import read_knowledge

    game = games.make("household:memory=true")
    for seed in range(30):
        s = game.new_state(seed)
        rng = _random.Random(seed)
        assert "You remember: nothing seen yet." in s.observation(0).text
        while not s.is_terminal():
            s.apply(0, rng.choice(s.legal_actions(0)))
            if s.is_terminal():
                break
            line = next(x for x in s.observation(0).text.splitlines()
                        if x.startswith("You remember: "))
            seen = read_knowledge(s.information_state(0)).seen
            if not seen:
                assert line == "You remember: nothing seen yet."
                continue
            parts = line[len("You remember: "):-1].split("; ")
            assert [p.split(": ")[0] for p in parts] == sorted(
                seen, key=s.lay.world.receptacles.index)
            for part in parts:
                rec, objs = part.split(": ")
                named = [] if objs == "nothing" else [o.split()[-2] + " " + o.split()[-1]
                                                     for o in objs.split(", ")]
                assert sorted(named) == sorted(seen[rec])
    assert "You remember" not in games.make("household").new_state(0).observation(0).text
