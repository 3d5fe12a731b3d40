"""``arena serve``: whole matches through OpenEnv's own client equal ``arena play``'s, bad
requests are errors in the response while the server goes on, sessions are bounded,
finished matches reach the store."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import games
from agents.registry import make_agent
from common.seeds import derive_seed

from arena.cli import main as arena_main
from arena.store import Store

SKIP_REASON = "openenv-core is not installed (pip install 'selfplay-arena[serve]')"


@pytest.fixture
def openenv():
    return pytest.importorskip("openenv.core.env_server", reason=SKIP_REASON)


@contextlib.contextmanager
def serving(game: str, opponents=("random",), seat: int = 0, db: str | None = None,
            max_sessions: int = 4, idle_timeout: float = 60.0, **hub_options):
    """A server on a free loopback port; yields (url, hub)."""
    from arena.serve.hub import Hub
    from arena.serve.server import Server, build_app
    from arena.serve.sink import RecordSink

    sink = RecordSink(db, "served", {"game": game}) if db else None
    hub = Hub(game, opponents, seat, sink=sink, **hub_options)
    server = Server(build_app(hub, max_sessions, idle_timeout), "127.0.0.1", 0).start()
    try:
        yield server.url, hub
    finally:
        server.stop()
        hub.close()


def client(url: str):
    from arena.serve.client import ArenaClient

    return ArenaClient(base_url=url, message_timeout_s=30).sync()


def play_through(env, agent, seed: int, name: str):
    """One whole match in an open session, ``agent`` answering every question from the
    observations it is sent (as a remote player would); returns the final result and the
    texts the seat was shown."""
    result = env.reset(seed=seed, agent=name)
    shown = []
    while not result.done:
        obs = games.Observation.from_dict(result.observation.model_dump())
        shown.append(obs.text)
        result = env.step(agent.act(obs).text)
    return result, shown


def arena_play(capsys, game: str, specs: list[str], seed: int) -> dict:
    capsys.readouterr()
    assert arena_main(["play", game, "--agents", ",".join(specs), "--seed", str(seed),
                       "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def moves(record) -> list[tuple]:
    return [(d.player, d.action, d.valid, d.observation) for d in record.decisions]


@pytest.mark.parametrize("game, specs, seat, seeds", [
    ("tictactoe", ["expert", "minimax"], 1, range(4)),
    ("kuhn_poker", ["random", "kuhn-nash"], 0, range(4)),
    ("werewolf:speech=claims", ["werewolf-rules"] * 7, 3, range(2)),
])
def test_served_matches_are_arena_plays(openenv, tmp_path, capsys, game, specs, seat, seeds):
    """The client's seat played through OpenEnv's client by the same agent, the other
    seats by the server: the stored record has arena play's actions, observations and
    returns, and the client saw its seat's observations and got its return."""
    from arena.records import MatchRecord

    db = str(tmp_path / "served.db")
    opponents = specs[:seat] + specs[seat + 1:]
    finals = {}
    with serving(game, opponents, seat, db=db) as (url, hub), client(url) as env:
        for seed in seeds:
            agent = make_agent(specs[seat], seed=derive_seed("play-agent", seed, seat,
                                                             specs[seat]))
            finals[seed] = play_through(env, agent, seed, name=specs[seat])
        hub.sink.flush()
    with Store(db, create=False) as store:
        for seed in seeds:
            result, shown = finals[seed]
            served = store.get_match(result.observation.match_id)
            played = MatchRecord.from_dict(arena_play(capsys, game, specs, seed))
            assert moves(served) == moves(played)
            assert served.returns == played.returns and served.outcome == played.outcome
            assert served.agents == tuple(specs) and served.seed == seed
            assert shown == [d.observation for d in played.decisions if d.player == seat]
            assert result.reward == played.returns[seat]
            assert result.observation.returns == list(played.returns)
            assert result.observation.roles == list(played.roles)
        assert store.count("served") == len(seeds)


def test_sessions_are_isolated(openenv):
    """Two sessions played turn about, on different seeds, each get their own match."""
    from arena.runner import play_match

    game = games.make("tictactoe")
    with serving("tictactoe", ["random"], 0) as (url, _), client(url) as a, client(url) as b:
        envs = {3: a, 8: b}
        agents = {s: make_agent("random", seed=s) for s in envs}
        results = {s: envs[s].reset(seed=s) for s in envs}
        taken = {s: [] for s in envs}
        while not all(r.done for r in results.values()):
            for s, env in envs.items():
                if not results[s].done:
                    obs = games.Observation.from_dict(results[s].observation.model_dump())
                    action = agents[s].act(obs).text
                    taken[s].append(action)
                    results[s] = env.step(action)
    for s in envs:
        expected = play_match(game, [make_agent("random", seed=s),
                                     make_agent("random", seed=derive_seed("play-agent", s, 1,
                                                                           "random"))], s)
        assert taken[s] == [d.action for d in expected.decisions if d.player == 0]
        assert results[s].reward == expected.returns[0]


def test_self_play_sessions_share_one_match(openenv, tmp_path):
    """--opponents self: two sessions that reset with the same seed play the two seats of
    one match, the record equal to arena play's with the same agents."""
    from arena.runner import play_match

    db = str(tmp_path / "self.db")
    finals, names = {}, {}

    def session(url, name):
        with client(url) as env:
            result = env.reset(seed=11, agent=name)
            seat = result.observation.player  # the lowest free seat when it joined
            agent = make_agent("random", seed=derive_seed("play-agent", 11, seat, "random"))
            while not result.done:
                obs = games.Observation.from_dict(result.observation.model_dump())
                result = env.step(agent.act(obs).text)
            finals[seat], names[seat] = result, name

    with serving("tictactoe", ["self"], 0, db=db, wait_timeout=20) as (url, hub):
        threads = [threading.Thread(target=session, args=(url, name)) for name in "ab"]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        hub.sink.flush()
    assert sorted(finals) == [0, 1]
    expected = play_match(games.make("tictactoe"), [
        make_agent("random", seed=derive_seed("play-agent", 11, i, "random")) for i in (0, 1)], 11)
    assert [finals[s].reward for s in (0, 1)] == list(expected.returns)
    assert finals[0].observation.match_id == finals[1].observation.match_id
    with Store(db, create=False) as store:
        stored = store.get_match(finals[0].observation.match_id)
    assert moves(stored) == moves(expected)
    assert stored.agents == (names[0], names[1])


def test_bad_requests_are_errors_and_the_server_goes_on(openenv):
    import requests
    from openenv.core.generic_client import GenericEnvClient

    with serving("tictactoe", ["random"], 0) as (url, _):
        with client(url) as env:
            with pytest.raises(RuntimeError, match="no match in this session: reset first"):
                env.step("[4]")
            result = env.reset(seed=1)
            for bad, why in [("[9]", "'\\[9\\]' is not legal; legal: \\[0\\]"),
                             ("no move here", "action refused: no answer found")]:
                with pytest.raises(RuntimeError, match=why):
                    env.step(bad)
            with pytest.raises(RuntimeError, match="unknown reset option.*'colour'"):
                env.reset(seed=2, colour="red")
            with pytest.raises(RuntimeError, match="seed 'x' must be a whole number"):
                env.reset(seed="x")
            with pytest.raises(RuntimeError, match="episode_id must be text"):
                env.reset(seed=2, episode_id=5)
            # the refused requests changed nothing: the match goes on from where it was
            result = env.step(result.observation.legal_actions[0])
            assert result.observation.last_action == "[0]" and result.observation.last_valid
            while not result.done:
                result = env.step(result.observation.legal_actions[0])
            with pytest.raises(RuntimeError, match="the match is over; reset to play another"):
                env.step("[1]")
        with GenericEnvClient(base_url=url).sync() as raw:
            raw.reset()
            with pytest.raises(RuntimeError, match="VALIDATION_ERROR|text"):
                raw.step({"txt": "[4]"})
            with pytest.raises(RuntimeError, match="VALIDATION_ERROR|string"):
                raw.step({"text": 4})
            assert raw.step({"text": "[4]"}).observation["last_action"] == "[4]"
        response = requests.post(f"{url}/step", json={"action": {"text": "[4]"}}, timeout=10)
        assert response.status_code == 400 and "reset first" in response.json()["detail"]
        assert requests.post(f"{url}/step", json={"nothing": 1}, timeout=10).status_code == 422
        assert requests.get(f"{url}/health", timeout=10).json()["status"] == "healthy"


def test_max_sessions_is_enforced(openenv):
    """A session past --max-sessions is refused with OpenEnv's CAPACITY_REACHED (sent as it
    connects, then the socket closes: OpenEnv's client may see either first)."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    with serving("tictactoe", ["random"], 0, max_sessions=2) as (url, _):
        with client(url) as a, client(url) as b:
            a.reset(seed=1)
            b.reset(seed=2)
            with connect(url.replace("http://", "ws://") + "/ws") as raw:
                refusal = json.loads(raw.recv(timeout=10))
            assert refusal["type"] == "error"
            assert refusal["data"]["code"] == "CAPACITY_REACHED", refusal
            with client(url) as c, pytest.raises((RuntimeError, ConnectionClosed)):
                c.reset(seed=3)
            assert a.step("[4]").observation.last_action == "[4]"  # the two go on
        deadline = time.monotonic() + 10  # a and b closed: their places free up
        while True:
            try:
                with client(url) as d:
                    assert d.reset(seed=4).observation.legal_actions
                break
            except (RuntimeError, ConnectionClosed):
                assert time.monotonic() < deadline, "closed sessions' places never freed"
                time.sleep(0.1)


def test_idle_sessions_are_closed(openenv):
    """OpenEnv's reaper closes a session idle past --idle-timeout (checked every 5 s at
    least): its next request is an error, and its place is free."""
    with serving("tictactoe", ["random"], 0, max_sessions=1, idle_timeout=0.5) as (url, _):
        with client(url) as idle:
            idle.reset(seed=1)
            deadline = time.monotonic() + 20
            while True:
                try:
                    idle.step("[4]")
                    idle.reset(seed=1)
                except RuntimeError as err:
                    assert "this session is closed" in str(err)
                    break
                assert time.monotonic() < deadline, "the idle session was never closed"
                time.sleep(1.0)
            with client(url) as fresh:
                assert fresh.reset(seed=2).observation.legal_actions


def test_invalid_forfeit_is_recorded_like_arena_play(openenv, tmp_path):
    """--invalid forfeit: a reply naming no legal action ends the match as arena play
    ends it (offender -1), and the record keeps the reply."""
    db = str(tmp_path / "f.db")
    with serving("tictactoe", ["random"], 0, db=db, invalid="forfeit") as (url, hub), \
            client(url) as env:
        env.reset(seed=5)
        result = env.step("I resign")
        hub.sink.flush()
    assert result.done and result.reward == -1.0 and result.observation.outcome == "forfeit"
    assert result.observation.last_valid is False and "no answer" in result.observation.last_error
    with Store(db, create=False) as store:
        record = store.get_match(result.observation.match_id)
    assert record.decisions[0].raw == "I resign" and record.forfeit_player == 0


def test_bad_options_are_one_line(openenv, capsys):
    from arena.serve.cli import serve_from_argv

    for argv, message in [
        (["tictactoe", "--opponents", "random", "random"], "2 agent spec(s)"),
        (["tictactoe", "--seat", "2"], "--seat 2 is not a seat of this game"),
        (["tictactoe", "--port", "70000"], "--port 70000 must be from 0 to 65535"),
        (["tictactoe", "--opponents", "nobody"], "unknown agent 'nobody'"),
        (["tictactoe", "--invalid", "shrug"], "--invalid 'shrug'"),
        (["tictactoe", "--tournament", "a:b", "--db", "x.db"], "--tournament 'a:b'"),
    ]:
        assert serve_from_argv(argv) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err


def test_missing_openenv_is_one_line_naming_the_extra(monkeypatch, capsys):
    from arena.serve.cli import serve_from_argv

    monkeypatch.setitem(sys.modules, "openenv.core.env_server", None)
    assert serve_from_argv(["tictactoe"]) == 2
    err = capsys.readouterr().err
    assert "selfplay-arena[serve]" in err and err.count("\n") == 1


def test_the_command_serves_stores_and_stops(openenv, tmp_path):
    """``arena serve`` itself: the banner names the address (port 0: a free one), a match
    played through it is in --db, Ctrl-C stops it (exit 130, the arena's Ctrl-C status)."""
    db = tmp_path / "cli.db"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "arena.cli", "serve", "kuhn_poker", "--opponents", "kuhn-nash",
         "--port", "0", "--db", str(db), "--tournament", "remote-1"],
        stderr=subprocess.PIPE, text=True, env=env, cwd=Path(__file__).parents[2])
    try:
        banner = proc.stderr.readline()
        assert banner.startswith("arena serve: kuhn_poker on http://127.0.0.1:"), banner
        url = banner.split(" on ", 1)[1].split(" ", 1)[0]
        with client(url) as session:
            result = session.reset(seed=0, agent="remote-policy")
            while not result.done:
                result = session.step(result.observation.legal_actions[-1])
        assert result.observation.match_id == "remote-1:0"
    finally:
        proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=30)[1]
    assert proc.returncode == 130, out
    assert "stopped; matches are in" in out and "Traceback" not in out
    with Store(db, create=False) as store:
        assert store.get_match("remote-1:0").agents == ("remote-policy", "kuhn-nash")


def test_docs_options_table_is_the_declared_one():
    """docs/serving.md's options table is ServeConfig's, as options_table() writes it."""
    from arena.serve.cli import build_parser, options_table

    page = (Path(__file__).parents[2] / "docs" / "serving.md").read_text(encoding="utf-8")
    table = page.split("<!-- options:start -->\n", 1)[1].split("<!-- options:end -->", 1)[0]
    assert table == options_table()
    flags = {a.option_strings[-1] for a in build_parser()._actions
             if a.option_strings} - {"--help"}
    assert flags and all(f"`{flag}`" in table for flag in flags)
