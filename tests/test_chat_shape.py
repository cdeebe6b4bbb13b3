"""The msgspec fast path of the chat reader agrees with the slow path on every line.

`scan` first tries `chat_shape.plain_example` (C parsing and validation of the common
shape) and falls back to orjson plus Python checks, which name the problem. The fast
path is only correct if whatever it accepts, the slow path accepts identically; random
lines near the common shape (wrong types, extra keys, empty turns, odd roles, bad
bytes) check that.
"""

from __future__ import annotations

import json

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftspec.data.chat_shape import plain_example
from ftspec.data.scan import _chat
from ftspec.data.sources import Example

TEXTS = st.sampled_from(["hi", "", " ", "\t\n", "Where is my card?", "café", "42", "billing"]) | st.text(max_size=8)
ROLES = st.sampled_from(["system", "user", "assistant", "tool", "User", ""])
VALUES = st.one_of(TEXTS, st.none(), st.integers(), st.lists(TEXTS, max_size=2), st.booleans())
MESSAGE = st.one_of(
    st.fixed_dictionaries({"role": ROLES, "content": TEXTS}),
    st.fixed_dictionaries({"role": ROLES, "content": VALUES},
                          optional={"name": VALUES, "weight": VALUES, "extra": VALUES}),
    st.dictionaries(st.sampled_from(["role", "content", "name"]), VALUES, max_size=3),
    VALUES,
)
EXAMPLE = st.one_of(
    st.fixed_dictionaries({"messages": st.lists(MESSAGE, max_size=4)},
                          optional={"tags": st.one_of(st.lists(TEXTS, max_size=2), VALUES), "weight": VALUES}),
    st.fixed_dictionaries({"messages": VALUES}),
    st.lists(MESSAGE, max_size=2),
    VALUES,
)


def _same(fast: Example, slow: Example) -> None:
    assert (fast.messages, fast.path, fast.line, fast.category, fast.extra or None) == (
        slow.messages, slow.path, slow.line, slow.category, slow.extra or None)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXAMPLE)
def test_the_fast_path_accepts_only_what_the_slow_path_accepts_and_reads_it_the_same(obj) -> None:
    raw = json.dumps(obj).encode()
    fast = plain_example(raw, "d.jsonl", 7)
    slow = _chat(orjson.loads(raw), "d.jsonl", 7)
    if fast is not None:
        assert isinstance(slow, Example), (obj, slow)
        _same(fast, slow)


def test_the_common_shapes_take_the_fast_path() -> None:
    # If these fell back, the checks would still be right but twice as slow.
    lines = [
        {"messages": [{"role": "user", "content": "Where is my card?"}, {"role": "assistant", "content": "card"}]},
        {"messages": [{"role": "system", "content": "Route."}, {"role": "user", "content": "Hi"},
                      {"role": "assistant", "content": "greet"}], "tags": ["greeting", "short"]},
        {"messages": [{"role": "user", "content": "Hi", "name": "ann"}, {"role": "assistant", "content": "x",
                                                                          "weight": 0}], "id": 3},
    ]
    for obj in lines:
        raw = json.dumps(obj).encode()
        fast = plain_example(raw, "d.jsonl", 1)
        assert fast is not None, obj
        _same(fast, _chat(orjson.loads(raw), "d.jsonl", 1))
    assert plain_example(b'{"messages": [{"role": "user", "content": "\xe9"}]}', "d.jsonl", 1) is None  # bad UTF-8
