"""A backend that talks to any OpenAI-compatible completions endpoint over HTTP.

Works with ``vllm serve MODEL`` (the intended use: a model on another machine or in
another process), and with hosted APIs that still offer the legacy ``/completions``
endpoint. Only the standard library is used (``http.client`` through
:mod:`agents.llm.bounded_http`, ``json``, a thread pool for the requests of one batch), so
the backend adds no dependency. Proxy settings (``HTTP_PROXY``) are not used.

Requests (``POST {base_url}/completions``):

- ``generate``: one request per prompt, ``{"prompt", "max_tokens", "temperature",
  "top_p", "seed", "logprobs": 1}``; the reply's ``choices[0].text`` and
  ``choices[0].logprobs.token_logprobs`` become a ``Generation``. Servers do not return
  token ids, so ``token_ids`` is ``()``, except with ``token_ids=True`` on a vLLM server
  (its ``return_tokens_as_token_ids`` extension: tokens come back as ``"token_id:N"``).
- ``score``: one request per prompt, ``prompt`` = the list ``[prompt + candidate, ...]``,
  ``echo=true``, ``logprobs=1``, ``max_tokens=1``. The server echoes every prompt token
  with its log-probability and character offset (``logprobs.text_offset``); a candidate's
  log-likelihood is the sum over the tokens whose text reaches past the prompt (a token
  that straddles the boundary counts for the candidate) and lies before the one generated
  token. This needs a server that supports ``echo`` with ``logprobs`` on completions:
  vLLM does; OpenAI's current chat models and many others do not, and scoring against them
  raises ``OpenAIBackendError`` saying so.

The API key is read once from the environment variable named by ``api_key_env`` (absent or
empty: no ``Authorization`` header, fine for a local server) and sent as ``Bearer`` token.
It is never logged, never in a repr, and redacted from any server text quoted in errors.

Prompts are plain text; pass ``tokenizer=FOLDER_OR_HUB_ID`` (needs transformers) to give
the agent the served model's tokenizer, so its prompts use the model's chat template.

Bounds: every ``generate``/``score`` call (one decision of each pending match) has an
overall ``deadline`` (seconds, default 180) that covers every request, retry and backoff;
each attempt is limited to ``timeout`` seconds from connecting to the last byte of the
reply (a watchdog shuts the socket, so a server that trickles bytes cannot hold it); a
reply larger than ``max_reply_bytes`` is refused. ``timeout``, ``max_retries`` and
``deadline`` are spec options of the ``llm`` agent (``llm:backend=openai,...,timeout=20,
max_retries=2,deadline=60``).

Failures: 429, 408, 425 and 5xx replies, timeouts, refused or reset connections and broken
HTTP exchanges (a bad status line, a reply cut short) are retried ``max_retries`` times
with exponential backoff (``backoff * 2**attempt`` seconds, capped at ``max_backoff``; a
``Retry-After`` header within the cap wins) while the deadline allows; other statuses fail
at once. A reply that is not what the API promises (not JSON, no choices, ``"text":
null``) is a server fault too. Every failure is an ``OpenAIBackendError`` (a
``RuntimeError``, picklable so it crosses worker processes) naming the URL and the HTTP
status; the runner does not turn it into a forfeit: the command stops with one line.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import ssl
import time
from bisect import bisect_right
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Sequence

from agents.llm import bounded_http
from agents.llm.backend import Generation, Scores

log = logging.getLogger(__name__)

__all__ = ["OpenAIBackend", "OpenAIBackendError", "candidate_span"]

RETRY_STATUSES = frozenset({408, 425, 429}) | frozenset(range(500, 600))


class OpenAIBackendError(RuntimeError):
    """A request to the completions endpoint failed; ``url`` and ``status`` (None when no
    HTTP reply came) say where and how."""

    def __init__(self, message: str, url: str, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status

    def __reduce__(self):  # rebuilt with all its fields in the process that catches it
        return (type(self), (str(self), self.url, self.status))


def candidate_span(offsets: Sequence[int], prompt_len: int, text_len: int) -> tuple[int, int]:
    """Token positions ``[start, stop)`` of a candidate in an echoed ``prompt + candidate``.

    ``offsets[i]`` is the character offset of token i in the echoed text; ``prompt_len`` is
    ``len(prompt)`` and ``text_len`` is ``len(prompt + candidate)``. A token belongs to the
    candidate when its text ends after the prompt and starts before the end of the
    candidate (tokens after it were generated, not echoed).
    """
    ends = list(offsets[1:])  # token i ends where token i+1 starts
    start = bisect_right(ends, prompt_len)
    stop = start
    while stop < len(offsets) and offsets[stop] < text_len:
        stop += 1
    return start, stop


class OpenAIBackend:
    """Scores and samples through ``POST {base_url}/completions`` (see the module doc)."""

    name = "openai"

    def __init__(self, base_url: str, model: str, *, api_key_env: str | None = "OPENAI_API_KEY",
                 timeout: float = 60.0, max_retries: int = 3, concurrency: int = 8,
                 backoff: float = 0.5, max_backoff: float = 8.0, token_ids: bool = False,
                 tokenizer: str | None = None, deadline: float = 180.0,
                 max_reply_bytes: int = 64 << 20):
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url {base_url!r} is not an http(s) URL; "
                             "expected e.g. http://127.0.0.1:8000/v1")
        if not model:
            raise ValueError("model is empty; pass the served model name (vllm serve NAME)")
        for label, value, low, high in (
                ("timeout", timeout, 1e-3, 3600), ("deadline", deadline, 1e-3, 86400),
                ("concurrency", concurrency, 1, 1024), ("max_retries", max_retries, 0, 100),
                ("backoff", backoff, 0, 600), ("max_backoff", max_backoff, 0, 3600),
                ("max_reply_bytes", max_reply_bytes, 1, 1 << 34)):
            if not (isinstance(value, (int, float)) and low <= value <= high):
                raise ValueError(f"{label}={value!r} must be a number from {low:g} to "
                                 f"{high:g}")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = float(timeout)
        self.deadline = float(deadline)
        self.max_reply_bytes = int(max_reply_bytes)
        self.max_retries = int(max_retries)
        self.concurrency = int(concurrency)
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.token_ids = token_ids
        self.__key = os.environ.get(api_key_env, "") if api_key_env else ""
        self._pool: ThreadPoolExecutor | None = None
        self._tokenizer_name = tokenizer
        self._tokenizer: Any = None

    @property
    def tokenizer(self) -> Any:
        """The tokenizer named by ``tokenizer=`` (a folder or hub id, loaded on first use
        with transformers), whose chat template the agent puts around prompts; None when no
        name was given: prompts then use the plain layout, the server sees only text."""
        if self._tokenizer is None and self._tokenizer_name:
            try:
                from transformers import AutoTokenizer

                self._tokenizer = AutoTokenizer.from_pretrained(self._tokenizer_name)
            except ImportError as err:
                raise ImportError("tokenizer= needs transformers: pip install transformers "
                                  "(or leave tokenizer unset for plain prompts)") from err
            except (OSError, ValueError) as err:
                raise ValueError(f"tokenizer={self._tokenizer_name!r} could not be loaded "
                                 f"({err}); give the served model's folder or hub id") from err
        return self._tokenizer

    def __repr__(self) -> str:
        key = "set" if self.__key else "not set"
        return (f"OpenAIBackend(base_url={self.base_url!r}, model={self.model!r}, "
                f"api_key_env={self.api_key_env!r} ({key}))")

    # -- the Backend protocol ---------------------------------------------------------------

    def generate(self, prompts: Sequence[str], *, temperature: float, top_p: float,
                 max_new_tokens: int, seeds: Sequence[int]) -> list[Generation]:
        if len(seeds) != len(prompts):
            raise ValueError(f"got {len(seeds)} seeds for {len(prompts)} prompts; "
                             "pass one seed per prompt")
        bodies = []
        for prompt, seed in zip(prompts, seeds):
            body = {"model": self.model, "prompt": prompt, "max_tokens": int(max_new_tokens),
                    "temperature": float(temperature), "top_p": float(top_p),
                    "seed": int(seed), "logprobs": 1}
            if self.token_ids:
                body["return_tokens_as_token_ids"] = True
            bodies.append(body)
        replies = self._post_all("/completions", bodies)
        return [self._read_reply(self._generation, reply) for reply in replies]

    def score(self, prompts: Sequence[str], candidates: Sequence[Sequence[str]]) -> list[Scores]:
        if len(candidates) != len(prompts):
            raise ValueError(f"got {len(candidates)} candidate lists for {len(prompts)} "
                             "prompts; pass one list per prompt")
        bodies = [{"model": self.model, "prompt": [p + c for c in cands], "max_tokens": 1,
                   "temperature": 0.0, "echo": True, "logprobs": 1}
                  for p, cands in zip(prompts, candidates)]
        todo = [i for i, cands in enumerate(candidates) if cands]
        replies = self._post_all("/completions", [bodies[i] for i in todo])
        out = [Scores(logprob=(), num_tokens=())] * len(prompts)
        for i, reply in zip(todo, replies):
            out[i] = self._read_reply(self._scores, reply, prompts[i], candidates[i])
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __enter__(self) -> "OpenAIBackend":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- replies ------------------------------------------------------------------------------

    def _read_reply(self, read, reply: Any, *args: Any):
        """``read(reply, *args)``; a reply whose fields have the wrong types is a server
        fault (an ``OpenAIBackendError``), never a ``TypeError`` from deep inside."""
        try:
            return read(reply, *args)
        except (TypeError, ValueError, AttributeError, KeyError) as err:
            if isinstance(err, OpenAIBackendError):
                raise
            url = self._url("/completions")
            raise OpenAIBackendError(
                f"server fault: {url} replied with a malformed completion ({err}): "
                f"{self._redact(json.dumps(reply))[:300]}", url, 200) from err

    def _generation(self, reply: dict[str, Any]) -> Generation:
        choice = self._choices(reply, 1)[0]
        text = choice.get("text")
        if not isinstance(text, str):
            url = self._url("/completions")
            raise OpenAIBackendError(
                f"server fault: {url} replied with text {json.dumps(text)} instead of the "
                "completion's text; check the server's logs", url, 200)
        lp = choice.get("logprobs") or {}
        logprobs = tuple(float(x) for x in (lp.get("token_logprobs") or ()) if x is not None)
        ids: tuple[int, ...] = ()
        tokens = lp.get("tokens") or ()
        if self.token_ids and tokens and all(str(t).startswith("token_id:") for t in tokens):
            ids = tuple(int(str(t).split(":", 1)[1]) for t in tokens)
        return Generation(text=text, token_ids=ids, logprobs=logprobs)

    def _scores(self, reply: dict[str, Any], prompt: str, cands: Sequence[str]) -> Scores:
        choices = sorted(self._choices(reply, len(cands)), key=lambda c: c.get("index", 0))
        per_token: list[tuple[float, ...]] = []
        for cand, choice in zip(cands, choices):
            full = prompt + cand
            lp = choice.get("logprobs") or {}
            offsets, values = lp.get("text_offset"), lp.get("token_logprobs")
            text = choice.get("text")
            if (not offsets or not values or len(offsets) != len(values)
                    or not isinstance(text, str) or not text.startswith(full)):
                raise OpenAIBackendError(
                    f"{self._url('/completions')} did not echo the prompt with logprobs and "
                    "text_offset; scoring (mode=choice) needs a completions server that "
                    "supports echo=true with logprobs, such as `vllm serve`; use "
                    "mode=generate with this server", self._url("/completions"), 200)
            start, stop = candidate_span(offsets, len(prompt), len(full))
            span = values[start:stop]
            if any(v is None for v in span):
                raise OpenAIBackendError(
                    f"{self._url('/completions')} returned no logprob for a candidate token "
                    f"of {cand!r} (is the prompt empty?)", self._url("/completions"), 200)
            per_token.append(tuple(float(v) for v in span))
        return Scores(logprob=tuple(float(sum(t)) for t in per_token),
                      num_tokens=tuple(len(t) for t in per_token), token_logprobs=tuple(per_token))

    def _choices(self, reply: dict[str, Any], n: int) -> list[dict[str, Any]]:
        choices = reply.get("choices") if isinstance(reply, dict) else None
        if (not isinstance(choices, list) or len(choices) < n
                or not all(isinstance(c, dict) for c in choices)):
            raise OpenAIBackendError(
                f"{self._url('/completions')} replied without the expected {n} choice(s); "
                f"got {self._redact(json.dumps(reply))[:300]}", self._url("/completions"), 200)
        return choices

    # -- HTTP ---------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.base_url + path

    def _redact(self, text: str) -> str:
        return text.replace(self.__key, "[API key]") if self.__key else text

    def _post_all(self, path: str, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every body posted (concurrently), all within one deadline from now."""
        deadline_at = time.monotonic() + self.deadline
        if len(bodies) <= 1 or self.concurrency == 1:
            return [self._post(path, b, deadline_at) for b in bodies]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="openai-backend")
        return list(self._pool.map(lambda b: self._post(path, b, deadline_at), bodies))

    def _post(self, path: str, body: dict[str, Any], deadline_at: float) -> dict[str, Any]:
        url = self._url(path)
        data = json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.__key:
            headers["Authorization"] = f"Bearer {self.__key}"
        error: OpenAIBackendError | None = None
        for attempt in range(self.max_retries + 1):
            limit = min(self.timeout, deadline_at - time.monotonic())
            if limit <= 0:
                break
            error, wait = self._attempt(url, data, headers, limit)
            if isinstance(error, dict):
                return error
            if error.status is not None and error.status not in RETRY_STATUSES:
                raise error
            if attempt == self.max_retries:
                raise OpenAIBackendError(
                    f"{error} (gave up after {attempt + 1} attempts)", url, error.status)
            delay = min(self.max_backoff, self.backoff * 2 ** attempt)
            delay = wait if wait is not None and wait <= self.max_backoff else delay
            if time.monotonic() + delay >= deadline_at:
                break
            log.warning("POST %s failed (%s); retry %d of %d in %.2f s", url,
                        error.status or "no reply", attempt + 1, self.max_retries, delay)
            time.sleep(delay)
        last = f"; last attempt: {error}" if error is not None else ""
        raise OpenAIBackendError(
            f"POST {url}: no reply within the deadline of {self.deadline:g} s per decision "
            f"(attempts of up to {self.timeout:g} s each{last}); is the server overloaded? "
            "raise deadline=/timeout= in the agent spec or check the server", url, None)

    def _attempt(self, url: str, data: bytes, headers: dict[str, str], limit: float
                 ) -> tuple[dict[str, Any] | OpenAIBackendError, float | None]:
        """One request: (decoded reply, None) or (the error, the server's Retry-After)."""
        start = time.perf_counter()
        try:
            status, reason, reply_headers, payload = bounded_http.post(
                url, data, headers, limit, self.max_reply_bytes)
        except bounded_http.Expired:
            return OpenAIBackendError(f"POST {url} timed out after {limit:g} s; is the "
                                      "server running?", url, None), None
        except bounded_http.TooLarge:
            raise OpenAIBackendError(f"server fault: {url} sent a reply over "
                                     f"{self.max_reply_bytes} bytes", url, None) from None
        except ssl.SSLCertVerificationError as err:  # not worth retrying
            raise OpenAIBackendError(f"POST {url}: the server's TLS certificate is not "
                                     f"trusted ({err}); check base_url", url, None) from err
        except (http.client.HTTPException, OSError) as err:
            return self._connection_error(url, err), None
        log.debug("POST %s: %d in %.3f s", url, status, time.perf_counter() - start)
        if 200 <= status < 300:
            return self._decode(url, payload), None
        return (self._http_error(url, status, reason, payload),
                self._retry_after(reply_headers.get("Retry-After")))

    def _decode(self, url: str, payload: bytes) -> dict[str, Any]:
        try:
            reply = json.loads(payload)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
            raise OpenAIBackendError(
                f"server fault: {url} replied with something that is not JSON: "
                f"{self._redact(payload[:200].decode('utf-8', 'replace'))!r}", url, 200) from err
        if not isinstance(reply, dict):  # a list, a string, a number or null
            raise OpenAIBackendError(
                f"server fault: {url} replied with a JSON {type(reply).__name__} instead of "
                f"a completion object: {self._redact(payload[:200].decode('utf-8', 'replace'))!r}; "
                "check base_url points at an OpenAI-compatible /v1", url, 200)
        return reply

    def _http_error(self, url: str, status: int, reason: str, payload: bytes
                    ) -> OpenAIBackendError:
        text = payload[:2000].decode("utf-8", "replace")
        hint = ""
        if status in (401, 403):
            hint = (f"; check the API key in the environment variable {self.api_key_env!r}"
                    if self.api_key_env else "; the server wants an API key: pass api_key_env")
        elif status == 404:
            hint = f"; is base_url right (it usually ends in /v1) and model {self.model!r} served?"
        elif status >= 500:
            hint = " (a server fault)"
        return OpenAIBackendError(
            f"POST {url} failed with HTTP {status} {reason}{hint}: "
            f"{self._redact(text)[:300]}", url, status)

    def _connection_error(self, url: str, err: Exception) -> OpenAIBackendError:
        if isinstance(err, (TimeoutError, socket.timeout)):
            what = f"timed out after {self.timeout:g} s; is the server running?"
        elif isinstance(err, http.client.HTTPException):
            what = (f"broke off the HTTP exchange ({type(err).__name__}: "
                    f"{self._redact(str(err))[:200]}): a server fault")
        elif isinstance(err, (ConnectionRefusedError, socket.gaierror)):
            what = f"could not connect ({err}); is the server running?"
        else:
            what = f"lost the connection ({err})"
        return OpenAIBackendError(f"POST {url} {what}", url, None)

    @staticmethod
    def _retry_after(value: str | None) -> float | None:
        try:
            return max(0.0, float(value)) if value is not None else None
        except ValueError:
            return None
