"""OpenAIBackend against a small local imitation of a completions server.

The fake server tokenizes text into words with their leading spaces, gives each token a
log-probability that is a fixed function of its text, echoes prompts with ``text_offset``
when asked and samples words from ``random.Random(seed)``; switches make it fail, stall,
ignore ``echo`` or demand an API key.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agents.llm.openai_backend import OpenAIBackend, OpenAIBackendError, candidate_span

KEY = "sk-test-Zq8v3L9mNx"
WORDS = ["alpha", "beta", "gamma", "delta", "[bet]", "[check]", "\\boxed{[4]}"]


def tokens_of(text: str) -> list[str]:
    return re.findall(r"\s*\S+|\s+", text)


def token_logprob(token: str) -> float:
    return -0.1 - (sum(map(ord, token)) % 97) / 10


class FakeServer:
    def __init__(self):
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.fail_first = 0  # answer the first n requests with fail_status
        self.fail_status = 500
        self.retry_after: str | None = None
        self.delay = 0.0
        self.require_key: str | None = None
        self.ignore_echo = False
        self.inflight = self.max_inflight = 0
        self.lock = threading.Lock()

    def completions(self, body: dict) -> dict:
        prompts = body["prompt"] if isinstance(body["prompt"], list) else [body["prompt"]]
        rng = random.Random(body.get("seed", 0))
        choices = []
        for index, prompt in enumerate(prompts):
            new = [f" {rng.choice(WORDS)}" for _ in range(body.get("max_tokens", 16))]
            echo = body.get("echo") and not self.ignore_echo
            tokens = (tokens_of(prompt) if echo else []) + new
            text = (prompt if echo else "") + "".join(new)
            offsets, pos = [], 0
            for tok in tokens:
                offsets.append(pos)
                pos += len(tok)
            values = [token_logprob(t) for t in tokens]
            if echo:
                values[0] = None  # the first prompt token has no logprob
            logprobs = {"tokens": tokens, "token_logprobs": values, "text_offset": offsets,
                        "top_logprobs": None}
            if self.ignore_echo:
                logprobs = {"tokens": tokens, "token_logprobs": values}
            choices.append({"index": index, "text": text, "logprobs": logprobs,
                            "finish_reason": "length"})
        return {"id": "cmpl-1", "object": "text_completion", "model": body["model"],
                "choices": list(reversed(choices))}  # any order: the client sorts by index


def make_handler(server: FakeServer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with server.lock:
                server.requests.append(body)
                server.headers.append(dict(self.headers))
                n = len(server.requests)
                server.inflight += 1
                server.max_inflight = max(server.max_inflight, server.inflight)
            try:
                time.sleep(server.delay)
                if server.require_key and self.headers.get("Authorization") != \
                        f"Bearer {server.require_key}":
                    return self.reply(401, {"error": {"message": "invalid api key"}})
                if n <= server.fail_first:
                    return self.reply(server.fail_status, {"error": {"message": "overloaded"}})
                if self.path != "/v1/completions":
                    return self.reply(404, {"error": {"message": "no such route"}})
                self.reply(200, server.completions(body))
            finally:
                with server.lock:
                    server.inflight -= 1

        def reply(self, status: int, payload: dict):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status != 200 and server.retry_after is not None:
                self.send_header("Retry-After", server.retry_after)
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out
                pass

    return Handler


@pytest.fixture
def server():
    fake = FakeServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    yield fake
    httpd.shutdown()
    httpd.server_close()


def backend(server, **kw) -> OpenAIBackend:
    kw = {"timeout": 5.0, "max_retries": 2, "backoff": 0.01, "api_key_env": None, **kw}
    return OpenAIBackend(base_url=server.url, model="fake-model", **kw)


def test_candidate_span_handles_straddling_and_generated_tokens():
    # "Answer: [bet] x": tokens "Answer:", " [bet]" (straddles the prompt end), " x" generated
    assert candidate_span([0, 7, 13], prompt_len=8, text_len=13) == (1, 2)
    assert candidate_span([0, 8, 13], prompt_len=8, text_len=13) == (1, 2)
    assert candidate_span([0, 3, 8, 10], prompt_len=8, text_len=13) == (2, 4)
    assert candidate_span([0, 8], prompt_len=8, text_len=8) == (1, 1)  # empty candidate


def test_score_sums_candidate_token_logprobs(server):
    prompts = ["Your move:", "Pick one: "]
    cands = [[" [bet]", " [check] now"], ["[4]", "[5] please"]]
    with backend(server) as b:
        scores = b.score(prompts, cands)
    expected = [[[" [bet]"], [" [check]", " now"]], [[" [4]"], [" [5]", " please"]]]
    for s, toks in zip(scores, expected):
        assert s.num_tokens == tuple(len(t) for t in toks)
        assert s.logprob == pytest.approx([sum(map(token_logprob, t)) for t in toks])
        assert s.token_logprobs == tuple(tuple(map(token_logprob, t)) for t in toks)
    # requests run concurrently: find this prompt's request whatever order they arrived in
    body = next(r for r in server.requests if r["prompt"][0].startswith("Your move"))
    assert body["echo"] is True and body["logprobs"] == 1 and body["model"] == "fake-model"
    assert body["prompt"] == ["Your move: [bet]", "Your move: [check] now"]


def test_score_skips_prompts_without_candidates(server):
    scores = backend(server).score(["a b", "c d"], [[], [" e"]])
    assert scores[0].logprob == () and scores[1].num_tokens == (1,)
    assert len(server.requests) == 1


def test_score_without_echo_support_is_a_clear_error(server):
    server.ignore_echo = True
    with pytest.raises(OpenAIBackendError, match="echo") as info:
        backend(server).score(["Your move:"], [[" [bet]"]])
    assert server.url in str(info.value) and "mode=generate" in str(info.value)


def test_generate_returns_text_and_logprobs_reproducibly(server):
    b = backend(server)
    gens = b.generate(["p1", "p2", "p1"], temperature=0.7, top_p=0.9, max_new_tokens=5,
                      seeds=[1, 2, 1])
    assert gens[0] == gens[2] and gens[0].text != gens[1].text
    for g in gens:
        toks = tokens_of(g.text)
        assert len(toks) == 5 and g.token_ids == ()
        assert g.logprobs == pytest.approx([token_logprob(t) for t in toks])
    sent = sorted(server.requests, key=lambda r: r["seed"])[0]
    assert sent["temperature"] == 0.7 and sent["top_p"] == 0.9 and sent["max_tokens"] == 5
    assert sent["logprobs"] == 1 and "echo" not in sent
    with pytest.raises(ValueError, match="one seed per prompt"):
        b.generate(["p"], temperature=1.0, top_p=1.0, max_new_tokens=1, seeds=[])


def test_requests_of_a_batch_run_concurrently(server):
    server.delay = 0.2
    b = backend(server, concurrency=4)
    start = time.perf_counter()
    b.generate([f"p{i}" for i in range(8)], temperature=1.0, top_p=1.0, max_new_tokens=2,
               seeds=list(range(8)))
    elapsed = time.perf_counter() - start
    b.close()
    assert 2 <= server.max_inflight <= 4
    assert elapsed < 8 * 0.2  # serial would take 1.6 s; four at a time about 0.4 s


def test_server_errors_are_retried_then_succeed(server):
    server.fail_first = 2
    gens = backend(server, max_retries=2).generate(
        ["p"], temperature=1.0, top_p=1.0, max_new_tokens=3, seeds=[0])
    assert len(server.requests) == 3 and len(tokens_of(gens[0].text)) == 3


def test_retries_are_bounded(server, caplog):
    server.fail_first, server.fail_status, server.retry_after = 100, 503, "0"
    with caplog.at_level(logging.WARNING), pytest.raises(OpenAIBackendError) as info:
        backend(server, max_retries=2).generate(
            ["p"], temperature=1.0, top_p=1.0, max_new_tokens=3, seeds=[0])
    assert len(server.requests) == 3
    assert info.value.status == 503 and "503" in str(info.value)
    assert info.value.url == server.url + "/completions" and server.url in str(info.value)
    assert "3 attempts" in str(info.value)
    assert sum("retry" in r.getMessage() for r in caplog.records) == 2


def test_rate_limit_is_retried(server):
    server.fail_first, server.fail_status = 1, 429
    backend(server).generate(["p"], temperature=1.0, top_p=1.0, max_new_tokens=1, seeds=[0])
    assert len(server.requests) == 2


def test_timeout_is_a_clear_error(server):
    server.delay = 1.0
    start = time.perf_counter()
    with pytest.raises(OpenAIBackendError, match="timed out after 0.2 s") as info:
        backend(server, timeout=0.2, max_retries=1).generate(
            ["p"], temperature=1.0, top_p=1.0, max_new_tokens=1, seeds=[0])
    assert info.value.status is None and server.url in str(info.value)
    assert time.perf_counter() - start < 1.5


def test_connection_refused_is_a_clear_error(server):
    b = OpenAIBackend(base_url="http://127.0.0.1:9/v1", model="m", api_key_env=None,
                      max_retries=1, backoff=0.01, timeout=2.0)
    with pytest.raises(OpenAIBackendError, match="could not connect") as info:
        b.score(["p"], [[" a"]])
    assert "http://127.0.0.1:9/v1/completions" in str(info.value)


def test_wrong_path_names_the_status_and_url(server):
    b = OpenAIBackend(base_url=server.url.removesuffix("/v1"), model="m", api_key_env=None)
    with pytest.raises(OpenAIBackendError, match="HTTP 404") as info:
        b.generate(["p"], temperature=1.0, top_p=1.0, max_new_tokens=1, seeds=[0])
    assert len(server.requests) == 1 and "/v1" in str(info.value)


def test_api_key_is_sent_but_never_shown(server, monkeypatch, caplog):
    server.require_key = KEY
    monkeypatch.setenv("ARENA_TEST_KEY", KEY)
    caplog.set_level(logging.DEBUG)
    b = backend(server, api_key_env="ARENA_TEST_KEY")
    b.generate(["p"], temperature=1.0, top_p=1.0, max_new_tokens=1, seeds=[0])
    assert server.headers[-1]["Authorization"] == f"Bearer {KEY}"
    assert KEY not in repr(b) and "ARENA_TEST_KEY" in repr(b)

    monkeypatch.setenv("ARENA_TEST_KEY", "sk-wrong-" + KEY)
    bad = backend(server, api_key_env="ARENA_TEST_KEY", max_retries=3)
    with pytest.raises(OpenAIBackendError) as info:
        bad.generate(["p"], temperature=1.0, top_p=1.0, max_new_tokens=1, seeds=[0])
    assert info.value.status == 401 and len(server.requests) == 2  # 401 is not retried
    message = str(info.value)
    assert "401" in message and server.url in message and "ARENA_TEST_KEY" in message
    assert KEY not in message and KEY not in repr(bad)
    assert all(KEY not in r.getMessage() for r in caplog.records)
    assert any("POST" in r.getMessage() for r in caplog.records)  # logging did happen


def test_server_text_quoting_the_key_is_redacted(server, monkeypatch):
    monkeypatch.setenv("ARENA_TEST_KEY", KEY)
    b = backend(server, api_key_env="ARENA_TEST_KEY")
    b.model = f"model-{KEY}"  # the fake server repeats the model name in its reply
    server.ignore_echo = True
    with pytest.raises(OpenAIBackendError) as info:
        b._choices(server.completions({"model": b.model, "prompt": "p"}), 2)
    assert KEY not in str(info.value) and "[API key]" in str(info.value)


def test_no_key_means_no_authorization_header(server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    backend(server, api_key_env="OPENAI_API_KEY").generate(
        ["p"], temperature=1.0, top_p=1.0, max_new_tokens=1, seeds=[0])
    assert "Authorization" not in server.headers[-1]


@pytest.mark.parametrize("kwargs, match", [
    ({"base_url": "127.0.0.1:8000/v1"}, "http"),
    ({"model": ""}, "model"),
    ({"concurrency": 0}, "concurrency"),
    ({"max_retries": -1}, "max_retries"),
    ({"timeout": 0}, "timeout"),
])
def test_bad_settings_are_rejected(kwargs, match):
    settings = {"base_url": "http://127.0.0.1:8000/v1", "model": "m", **kwargs}
    with pytest.raises(ValueError, match=match):
        OpenAIBackend(**settings)


def test_tokenizer_is_loaded_only_when_named(tmp_path):
    from tokenizers import Tokenizer, models
    from transformers import PreTrainedTokenizerFast

    from agents.llm.prompts import CHAT_TEMPLATE

    tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.WordLevel({"a": 0}, "a")))
    tok.chat_template = CHAT_TEMPLATE
    tok.save_pretrained(tmp_path)
    plain = OpenAIBackend(base_url="http://127.0.0.1:8000/v1", model="m", api_key_env=None)
    assert plain.tokenizer is None
    named = OpenAIBackend(base_url="http://127.0.0.1:8000/v1", model="m", api_key_env=None,
                          tokenizer=str(tmp_path))
    assert named.tokenizer.chat_template
    bad = OpenAIBackend(base_url="http://127.0.0.1:8000/v1", model="m", api_key_env=None,
                        tokenizer=str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="could not be loaded"):
        bad.tokenizer


# ----- bounded remote calls: transport faults, trickling and silent servers ---------------


class RawServer:
    """A TCP server on 127.0.0.1 that answers connection i with behaviour ``script[i]``
    (the last one repeats): ``ok``, ``null`` (``"text": null``), ``badstatus``,
    ``incomplete`` (a reply cut short), ``reset`` (RST), ``trickle`` (a byte every 0.05 s
    for ever), ``silent`` (never answers)."""

    def __init__(self, script):
        import socket

        self.script, self.connections, self.stop = list(script), 0, threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            kind = self.script[min(self.connections, len(self.script) - 1)]
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn, kind), daemon=True).start()

    def _answer(self, conn, kind):
        import socket
        import struct

        conn.settimeout(2.0)
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
            while len(body) < length:
                body += conn.recv(65536)
            if kind.startswith("json:"):  # a 200 reply with this exact JSON body
                payload = kind[5:].encode()
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(payload) + payload)
            elif kind in ("ok", "null"):
                text = "I play \\boxed{[bet]}" if kind == "ok" else None
                payload = json.dumps({"choices": [{"index": 0, "text": text,
                                                   "logprobs": None}]}).encode()
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(payload) + payload)
            elif kind == "badstatus":
                conn.sendall(b"HTTQ/9 wat\r\n\r\n")
            elif kind == "incomplete":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"choi")
            elif kind == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif kind == "trickle":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                while not self.stop.wait(0.05):
                    conn.sendall(b" ")
            elif kind == "silent":
                self.stop.wait(30)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.sock.close()


@pytest.fixture
def raw_server():
    servers = []

    def start(*script):
        servers.append(RawServer(script))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def generate_one(url, **kw):
    kw = {"timeout": 2.0, "max_retries": 2, "backoff": 0.01, "api_key_env": None, **kw}
    b = OpenAIBackend(base_url=url, model="fake-model", **kw)
    return b.generate(["p"], temperature=1.0, top_p=1.0, max_new_tokens=4, seeds=[0])[0]


@pytest.mark.parametrize("fault", ["badstatus", "incomplete", "reset"])
def test_transport_faults_are_retried_with_backoff(raw_server, fault):
    server = raw_server(fault, fault, "ok")
    assert generate_one(server.url).text == "I play \\boxed{[bet]}"
    assert server.connections == 3


@pytest.mark.parametrize("fault, named", [("badstatus", "BadStatusLine"),
                                          ("incomplete", "IncompleteRead"),
                                          ("reset", "Connection reset")])
def test_transport_faults_that_persist_are_one_clear_error(raw_server, fault, named):
    server = raw_server(fault)
    with pytest.raises(OpenAIBackendError, match="gave up after 2 attempts") as info:
        generate_one(server.url, max_retries=1)
    assert named in str(info.value) and server.url in str(info.value)
    assert info.value.status is None and server.connections == 2


def test_a_trickling_server_cannot_hold_a_decision_past_its_deadline(raw_server):
    server = raw_server("trickle")
    start = time.monotonic()
    with pytest.raises(OpenAIBackendError, match="deadline of 0.6 s"):
        generate_one(server.url, timeout=0.25, deadline=0.6, max_retries=50)
    assert time.monotonic() - start < 0.6 + 0.5
    assert 2 <= server.connections <= 3  # each attempt cut at 0.25 s although bytes flow


def test_a_silent_server_is_bounded_by_the_deadline_not_retries_times_timeout(raw_server):
    server = raw_server("silent")
    start = time.monotonic()
    with pytest.raises(OpenAIBackendError, match="deadline"):
        generate_one(server.url, timeout=10.0, deadline=0.4, max_retries=3)
    assert time.monotonic() - start < 0.4 + 0.5 and server.connections == 1


def test_null_text_is_a_server_fault_not_the_string_none(raw_server):
    server = raw_server("null")
    with pytest.raises(OpenAIBackendError, match="server fault.*text null"):
        generate_one(server.url)
    assert server.connections == 1


def test_backend_errors_survive_pickling_between_processes():
    import pickle

    err = pickle.loads(pickle.dumps(OpenAIBackendError("boom", "http://h/v1", 503)))
    assert (str(err), err.url, err.status) == ("boom", "http://h/v1", 503)


def test_timeout_retries_and_deadline_are_spec_options(raw_server):
    from agents import make_agent

    server = raw_server("ok")
    agent = make_agent(f"llm:model=m,backend=openai,mode=generate,base_url={server.url},"
                       "api_key_env=,timeout=0.5,max_retries=1,deadline=2")
    assert (agent.backend.timeout, agent.backend.max_retries, agent.backend.deadline) == (
        0.5, 1, 2.0)
    with pytest.raises(ValueError, match="deadline=0"):
        make_agent(f"llm:model=m,backend=openai,base_url={server.url},deadline=0")


def test_arena_play_reports_a_server_fault_in_one_line(raw_server, capsys):
    from arena.cli import main

    server = raw_server("badstatus")
    spec = (f"llm:model=m,backend=openai,mode=generate,base_url={server.url},api_key_env=,"
            "timeout=0.5,max_retries=1,deadline=2")
    assert main(["play", "kuhn_poker", "--agents", f"{spec},random"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert "BadStatusLine" in err and "Traceback" not in err


@pytest.mark.parametrize("workers", [1, 2])
def test_arena_tournament_reports_a_server_fault_in_one_line(raw_server, capsys, tmp_path,
                                                              workers):
    from arena.cli import main

    server = raw_server("badstatus")
    spec = (f"llm:model=m,backend=openai,mode=generate,base_url={server.url},api_key_env=,"
            "timeout=0.5,max_retries=1,deadline=2")
    status = main(["tournament", "--game", "kuhn_poker", "--agents", f"{spec},random",
                   "--rounds", "1", "--workers", str(workers), "--db", str(tmp_path / "t.db")])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err  # a run-time failure (arena.exits)
    lines = [ln for ln in err.splitlines() if ln.startswith("error: ")]
    assert len(lines) == 1 and "BadStatusLine" in lines[0] and server.url in lines[0]


NOT_OBJECTS = ['[]', '[{"choices": []}]', '"text"', 'null', '42', 'true']


@pytest.mark.parametrize("body", NOT_OBJECTS)
def test_a_200_reply_whose_json_is_not_an_object_is_a_server_fault(raw_server, body):
    """Regression (issue 23, item 9): a list, string or null gave an AttributeError."""
    server = raw_server(f"json:{body}")
    with pytest.raises(OpenAIBackendError, match="server fault.*instead of a completion"):
        generate_one(server.url)
    assert server.connections == 1  # not retried: the server answered


@pytest.mark.parametrize("body", ['[1, 2]', 'null', '"hello"'])
def test_play_and_tournament_report_a_non_object_reply_in_one_line(raw_server, capsys,
                                                                    tmp_path, body):
    from arena.cli import main

    server = raw_server(f"json:{body}")
    spec = (f"llm:model=m,backend=openai,mode=generate,base_url={server.url},api_key_env=,"
            "timeout=0.5,max_retries=1,deadline=2")
    assert main(["play", "kuhn_poker", "--agents", f"{spec},random"]) == 1
    assert main(["tournament", "--game", "kuhn_poker", "--agents", f"{spec},random",
                 "--rounds", "1", "--db", str(tmp_path / "t.db")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("error: ")]
    assert len(lines) == 2 and all("instead of a completion object" in ln for ln in lines)
