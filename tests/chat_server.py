"""A small OpenAI-compatible chat server on 127.0.0.1, for testing the larger rung for real.

It speaks the part of the API ftspec uses (`POST /v1/chat/completions`, JSON in and out,
a Bearer key), answers from a table of replies, records every request, and can be told
to fail the first requests with a status (429, 503) to exercise retries.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ChatServer:
    def __init__(self, answer: Callable[[list[dict]], str], *, key: str | None = None,
                 fail_first: int = 0, fail_status: int = 429, fail_after: int | None = None) -> None:
        self.answer, self.key = answer, key
        self.fail_first, self.fail_status = fail_first, fail_status
        self.fail_after = fail_after  # answer this many requests, then fail every later one (a server gone bad)
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with server.lock:
                    server.requests.append({"path": self.path, "body": body,
                                            "authorization": self.headers.get("Authorization")})
                    failing = server.fail_first > 0
                    server.fail_first -= 1 if failing else 0
                    failing = failing or (server.fail_after is not None and len(server.requests) > server.fail_after)
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                if server.key and self.headers.get("Authorization") != f"Bearer {server.key}":
                    return self._send(401, {"error": {"message": "invalid api key"}})
                if failing:
                    return self._send(server.fail_status, {"error": {"message": "slow down"}}, retry_after="0")
                reply = server.answer(body["messages"])
                self._send(200, {"id": "chatcmpl-test", "object": "chat.completion", "model": body.get("model"),
                                 "choices": [{"index": 0, "finish_reason": "stop",
                                              "message": {"role": "assistant", "content": reply}}]})

            def _send(self, status: int, payload: dict, retry_after: str | None = None):
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if retry_after is not None:
                    self.send_header("Retry-After", retry_after)
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> ChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def keyword_router(labels: list[str]) -> Callable[[list[dict]], str]:
    """Answers with the label whose words appear most in the last user message: a 'larger
    model' that is right more often than a random tiny one, deterministically."""

    def answer(messages: list[dict]) -> str:
        text = next(m["content"] for m in reversed(messages) if m["role"] == "user").lower()
        scored = [(sum(word in text for word in label.split("_") if len(word) > 3), label) for label in labels]
        return max(scored)[1]

    return answer
