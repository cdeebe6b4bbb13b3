"""The larger-model rung through any OpenAI-compatible chat endpoint.

`compare { larger { model = "gpt-4o-mini"  endpoint = "https://api.openai.com/v1"
api_key_env = "OPENAI_API_KEY" } }`: the same eval conversations are sent to
`POST {endpoint}/chat/completions` with greedy decoding (temperature 0) and the
same token limit as the local rungs. Plain urllib, a few requests in flight at once;
429 and 5xx answers are retried with backoff, anything else stops the rung with
a message that names the URL and what to do.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

RETRY_STATUS = {408, 429, 500, 502, 503, 504}


class EndpointError(Exception):
    """The endpoint cannot be used: the message says why and what to do."""


def completions_url(endpoint: str) -> str:
    """`https://host/v1` -> `https://host/v1/chat/completions`; a full URL stays as it is."""
    url = endpoint.rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise EndpointError(f"endpoint {endpoint!r} is not an http(s) URL")
    return url if url.endswith("/chat/completions") else url + "/chat/completions"


def api_key(env: str | None, what: str = "the larger rung's key") -> str | None:
    if env is None:
        return None
    key = os.environ.get(env)
    if not key:
        raise EndpointError(f"{what} is read from ${env}, which is not set: "
                            f"export {env}=... (or remove `api_key_env` for an endpoint without a key)")
    return key


class ChatEndpoint:
    def __init__(self, endpoint: str, model: str, *, key: str | None = None, timeout: float = 120.0,
                 retries: int = 4, backoff: float = 1.0, concurrency: int = 8) -> None:
        self.url = completions_url(endpoint)
        host = urllib.parse.urlsplit(self.url).hostname or ""
        if key and self.url.startswith("http://") and host not in ("127.0.0.1", "localhost", "::1"):
            print(f"ftspec: warning: the API key goes to {host} over plain http; use https", file=sys.stderr)
        self.model, self.key, self.timeout = model, key, timeout
        self.retries, self.backoff, self.concurrency = retries, backoff, concurrency

    def _post(self, body: dict) -> dict:
        headers = {"Content-Type": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        request = urllib.request.Request(self.url, data=json.dumps(body).encode("utf-8"), headers=headers,
                                         method="POST")
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as exc:
                detail = exc.read().decode("utf-8", errors="replace")[:300]
                if exc.code in RETRY_STATUS and attempt < self.retries:
                    time.sleep(self._wait(attempt, exc.headers.get("Retry-After")))
                    continue
                hint = " (check the key in the variable `api_key_env` names)" if exc.code in (401, 403) else ""
                raise EndpointError(f"{self.url} answered {exc.code} {exc.reason}{hint}: {detail}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException) as exc:
                if attempt < self.retries:
                    time.sleep(self._wait(attempt, None))
                    continue
                reason = getattr(exc, "reason", exc)
                raise EndpointError(f"cannot reach {self.url}: {reason} (is the server running?)") from None
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise EndpointError(f"{self.url} did not answer JSON: is it an OpenAI-compatible endpoint?") from None
        raise AssertionError("unreachable")

    def _wait(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.replace(".", "", 1).isdigit():
            return min(float(retry_after), 60.0)
        return self.backoff * 2 ** attempt

    def complete(self, messages: list[dict[str, str]], max_new_tokens: int, *, temperature: float = 0.0) -> str:
        """One reply; greedy unless a temperature is given (augmentation samples for variety)."""
        answer = self._post({"model": self.model, "messages": messages, "temperature": temperature,
                             "max_tokens": max_new_tokens, "n": 1})
        try:
            content = answer["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise EndpointError(f"{self.url} answered without choices[0].message.content: "
                                f"{json.dumps(answer)[:200]}") from None
        return content.strip() if isinstance(content, str) else ""

    def generate(self, conversations: Sequence[list[dict[str, str]]], *, max_new_tokens: int,
                 progress: Callable[[int, int], None] | None = None) -> list[str]:
        """One reply per conversation, in order; several requests in flight at once."""
        outputs: list[str] = [""] * len(conversations)
        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            futures = {pool.submit(self.complete, c, max_new_tokens): i for i, c in enumerate(conversations)}
            done = 0
            try:
                for future in as_completed(futures):
                    outputs[futures[future]] = future.result()
                    done += 1
                    if progress:
                        progress(done, len(conversations))
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return outputs

