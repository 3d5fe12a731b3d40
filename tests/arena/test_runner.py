"""The runner: batching, invalid-action policies, limits, records, reproducibility."""

import json

import pytest

import games
from agents import Agent, Decision, make_agent
from arena.records import MatchRecord
from arena.runner import MatchConfig, MatchSpec, play_match, run_matches


class Scripted(Agent):
    """Answers from a fixed list of texts, counting its batched calls."""

    def __init__(self, texts, seed=0):
        super().__init__(seed)
        self.texts = list(texts)
        self.calls = []
        self.name = "scripted"

    def act_batch(self, obs):
        self.calls.append(len(obs))
        return [Decision(text=self.texts.pop(0)) for _ in obs]


class Counting(Agent):
    """Random legal play that records the size of each act_batch call."""

    def __init__(self, seed=0):
        super().__init__(seed)
        self.inner = make_agent("random", seed=seed)
        self.calls = []
        self.name = "counting"

    def act_batch(self, obs):
        self.calls.append(len(obs))
        return [self.inner.act(o) for o in obs]


def ttt():
    return games.make("tictactoe")


def test_one_batched_call_per_agent_per_step():
    a, b = Counting(1), Counting(2)
    specs = [MatchSpec(ttt(), [a, b], seed=s) for s in range(16)]
    records = run_matches(specs)
    assert len(records) == 16
    assert a.calls[0] == 16  # all 16 X moves of the first step in one call
    assert sum(a.calls) == sum(1 for r in records for d in r.decisions if d.player == 0)
    assert max(a.calls) == 16 and len(a.calls) <= 5


def test_batched_equals_one_at_a_time():
    agents = [make_agent("random", seed=5), make_agent("random", seed=6)]
    batched = run_matches([MatchSpec(ttt(), agents, seed=s) for s in range(10)])
    single = [play_match(ttt(), agents, seed=s) for s in range(10)]
    for x, y in zip(batched, single):
        assert [d.action for d in x.decisions] == [d.action for d in y.decisions]
        assert x.returns == y.returns


def test_forfeit_ends_match_with_offender_losing():
    record = play_match(ttt(), [Scripted(["[4]", "[4]"]), Scripted(["[4]"])], seed=0)
    assert record.outcome == "forfeit" and record.forfeit_player == 1
    assert record.returns == (1.0, -1.0)
    bad = record.decisions[-1]
    assert not bad.valid and bad.action is None
    assert "'[4]' is not legal" in bad.error


def test_retry_shows_the_error_then_accepts_a_fix():
    o = Scripted(["[4]", "\\boxed{0}"])
    x = Scripted(["[4]", "[1]", "[2]", "[7]"])
    o2 = Scripted(["[4]"])
    record = play_match(ttt(), [x, o], seed=0, config=MatchConfig(invalid="retry:1",
                                                                    max_turns=3))
    first_o = [d for d in record.decisions if d.player == 1]
    assert [d.valid for d in first_o] == [False, True]
    assert first_o[1].attempt == 1
    assert "Your previous answer was invalid" in first_o[1].observation
    assert record.outcome == "max_turns" and record.returns == (0.0, 0.0)
    del o2


def test_retry_exhausted_forfeits():
    record = play_match(ttt(), [Scripted(["[4]"]), Scripted(["x", "y", "z"])], seed=0,
                        config=MatchConfig(invalid="retry:2"))
    assert record.outcome == "forfeit" and record.forfeit_player == 1
    assert [d.attempt for d in record.decisions if d.player == 1] == [0, 1, 2]


def test_random_fallback_plays_a_legal_move_and_records_the_fault():
    record = play_match(ttt(), [Scripted(["nonsense"] * 9), make_agent("random")], seed=3,
                        config=MatchConfig(invalid="random"))
    assert record.outcome == "terminal"
    xs = [d for d in record.decisions if d.player == 0]
    assert all(not d.valid and d.fallback and d.action for d in xs)


def test_a_refused_random_fallback_forfeits_instead_of_crashing():
    from games import IllegalAction
    from games.tictactoe import TicTacToe

    class RefusingState(type(TicTacToe().new_state(0))):
        __slots__ = ()

        def random_action(self, player, rng):
            raise IllegalAction("no move can be drawn here")

    class NoRandom(TicTacToe):
        def new_state(self, seed=0):
            state = super().new_state(seed)
            state.__class__ = RefusingState
            return state

    record = play_match(NoRandom(), [Scripted(["nonsense"]), make_agent("random")], seed=3,
                        config=MatchConfig(invalid="random"))
    assert record.outcome == "forfeit" and record.forfeit_player == 0
    last = record.decisions[-1]
    assert not last.valid and not last.fallback and "fallback was refused" in last.error


def test_bad_invalid_policy_names_the_choices():
    with pytest.raises(ValueError, match="'retry:K'"):
        MatchConfig(invalid="retry")


def test_wrong_agent_count():
    with pytest.raises(ValueError, match="needs 2 agents, got 1"):
        play_match(ttt(), [make_agent("random")], seed=0)


def test_record_json_round_trip_and_same_seed_same_record():
    agents = [make_agent("random", seed=1), make_agent("random", seed=2)]
    a = play_match(games.make("kuhn_poker"), agents, seed=7)
    b = play_match(games.make("kuhn_poker"), agents, seed=7)
    assert a.transcript() == b.transcript()
    again = MatchRecord.from_json(a.to_json())
    assert again.to_dict() == a.to_dict()
    assert json.loads(a.to_json())["game"] == "kuhn_poker"


class Peeking(Agent):
    """Records what it is handed: observations, and determinisers where it searches."""

    searches = True

    def __init__(self, seed=0):
        super().__init__(seed)
        self.name = "peeking"
        self.given = []

    def act_batch(self, obs, determinisers=None):
        self.given.append(determinisers)
        return [Decision(text=o.legal_actions[0]) for o in obs]


class TwoHandForfeit(type(ttt())):
    """TicTacToe whose forfeit costs 2 (a game that declares its own forfeit score)."""

    def forfeit_returns(self, offender, roles=None):
        return [-2.0 if p == offender else 2.0 for p in range(2)]


def test_only_agents_that_search_get_states_and_records_say_so():
    peek, counting = Peeking(), Counting(3)
    record = play_match(ttt(), [peek, counting], seed=1)
    assert all(len(dets) == 1 and dets[0].player == 0 for dets in peek.given)
    det = peek.given[0][0]
    state = det.sample(None)  # perfect information: a copy of the true position, no draws
    assert state.board_string() == "........." and state is not det.sample(None)
    assert [d.states_given for d in record.decisions] == [d.player == 0 for d in record.decisions]
    mine = [d.to_dict() for d in record.decisions]
    assert all(d["states_given"] is True for d in mine if d["player"] == 0)
    assert all("states_given" not in d for d in mine if d["player"] == 1)
    assert MatchRecord.from_json(record.to_json()) == record


def test_observations_are_plain_data():
    obs = ttt().new_state(0).observation(0)
    assert set(vars(obs)) == {"game", "player", "role", "turn", "text", "legal_actions",
                              "rules", "info_state", "seed"}
    assert games.Observation.from_dict(json.loads(json.dumps(obs.to_dict()))) == obs
    with pytest.raises(ValueError, match="an observation needs player, turn"):
        games.Observation.from_dict({"game": "tictactoe", "role": "X", "text": ""})


def test_random_gets_states_only_for_free_text_actions():
    game = games.make("negotiation", turns=4)
    record = play_match(game, [make_agent("random", seed=1), make_agent("random", seed=2)], seed=3)
    assert record.decisions and all(d.states_given and d.valid for d in record.decisions)
    kuhn = play_match(games.make("kuhn_poker"), [make_agent("random")] * 2, seed=3)
    assert not any(d.states_given for d in kuhn.decisions)
    assert not any("states_given" in d.to_dict() for d in kuhn.decisions)


def test_forfeit_scores_come_from_the_game():
    record = play_match(TwoHandForfeit(), [Scripted(["[4]", "[4]"]), Scripted(["[4]"])], seed=0)
    assert record.outcome == "forfeit" and record.returns == (2.0, -2.0)
    kuhn = games.make("kuhn_poker", hands=3)
    three = play_match(kuhn, [Scripted(["nonsense"]), Scripted([])], seed=0)
    assert three.outcome == "forfeit" and three.forfeit_player == 0
    assert three.returns == tuple(kuhn.forfeit_returns(0)) == (-6.0, 6.0)  # 2 chips a hand
