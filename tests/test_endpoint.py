"""The larger rung's OpenAI-compatible client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import socket

import pytest
from chat_server import ChatServer, keyword_router

from ftspec.evaluate.endpoint import ChatEndpoint, EndpointError, api_key, completions_url

LABELS = ["card_arrival", "lost_or_stolen_card", "top_up_failed"]


def conversation(text: str) -> list[dict]:
    return [{"role": "system", "content": "Route the message."}, {"role": "user", "content": text}]


def test_answers_come_back_in_order_with_greedy_decoding_and_the_key():
    asked = ["when is my card arrival", "my card was stolen", "the top up failed", "card arrival?"] * 5
    with ChatServer(keyword_router(LABELS), key="sk-test") as server:
        client = ChatEndpoint(server.url, "big-model", key="sk-test", concurrency=4)
        seen = []
        outputs = client.generate([conversation(t) for t in asked], max_new_tokens=7,
                                  progress=lambda done, total: seen.append((done, total)))
    assert outputs == ["card_arrival", "lost_or_stolen_card", "top_up_failed", "card_arrival"] * 5
    assert len(server.requests) == 20 and seen[-1] == (20, 20)
    body = server.requests[0]["body"]
    assert body["model"] == "big-model" and body["temperature"] == 0 and body["max_tokens"] == 7
    assert {r["authorization"] for r in server.requests} == {"Bearer sk-test"}
    assert {r["path"] for r in server.requests} == {"/v1/chat/completions"}


def test_rate_limits_and_unavailable_answers_are_retried():
    for status in (429, 503):
        with ChatServer(lambda m: "ok", fail_first=2, fail_status=status) as server:
            client = ChatEndpoint(server.url, "m", backoff=0.01, concurrency=1)
            assert client.generate([conversation("hi")], max_new_tokens=4) == ["ok"]
        assert len(server.requests) == 3  # two refusals, then the answer


def test_retries_end_with_a_message_naming_the_status():
    with ChatServer(lambda m: "ok", fail_first=10, fail_status=503) as server:
        client = ChatEndpoint(server.url, "m", retries=2, backoff=0.01)
        with pytest.raises(EndpointError, match=r"answered 503"):
            client.generate([conversation("hi")], max_new_tokens=4)
    assert len(server.requests) == 3


def test_a_wrong_key_says_to_check_the_key():
    with ChatServer(lambda m: "ok", key="right") as server:
        client = ChatEndpoint(server.url, "m", key="wrong")
        with pytest.raises(EndpointError, match=r"401 .*check the key"):
            client.generate([conversation("hi")], max_new_tokens=4)


def test_an_endpoint_that_is_not_openai_compatible():
    with ChatServer(lambda m: "ok") as server:
        client = ChatEndpoint(server.url.replace("/v1", "/v2"), "m", retries=0)
        with pytest.raises(EndpointError, match=r"answered 404"):
            client.generate([conversation("hi")], max_new_tokens=4)


def test_a_server_that_is_not_running():
    with socket.socket() as s:  # a port that was free a moment ago, and nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = ChatEndpoint(f"http://127.0.0.1:{port}/v1", "m", retries=1, backoff=0.01)
    with pytest.raises(EndpointError, match=r"cannot reach http://127.0.0.1:\d+/v1/chat/completions"):
        client.generate([conversation("hi")], max_new_tokens=4)


def test_urls_and_keys(monkeypatch):
    assert completions_url("http://h:1/v1/") == "http://h:1/v1/chat/completions"
    assert completions_url("https://h/v1/chat/completions") == "https://h/v1/chat/completions"
    with pytest.raises(EndpointError, match="not an http"):
        completions_url("h:1/v1")
    monkeypatch.delenv("FTSPEC_TEST_KEY", raising=False)
    assert api_key(None) is None
    with pytest.raises(EndpointError, match=r"\$FTSPEC_TEST_KEY, which is not set"):
        api_key("FTSPEC_TEST_KEY")
    monkeypatch.setenv("FTSPEC_TEST_KEY", "sk-1")
    assert api_key("FTSPEC_TEST_KEY") == "sk-1"
