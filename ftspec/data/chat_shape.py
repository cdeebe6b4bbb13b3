"""The common shape of a chat JSONL line, parsed and validated in C by msgspec.

Most lines of a chat dataset are an object whose `messages` is a non-empty list of
{role, content} (`name` and `weight` allowed) with a known role and string content,
and `tags` a list of strings if present. msgspec parses and validates that shape
about twice as fast as orjson plus the same checks in Python (DESIGN.md section 8).
A line it rejects is not judged here: `scan` reads it again the slow way, which
names the problem, so the fast path can only ever accept what the slow path accepts.

`provenance` (what `ftspec augment` writes on a generated example) is decoded as any
JSON value and summarised by the slow path's own `scan.generated`, so both read it the
same way; a line without it costs one attribute test.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from ftspec.data.scan import generated
from ftspec.data.sources import Example


class Message(msgspec.Struct, forbid_unknown_fields=True):
    role: Literal["system", "user", "assistant"]
    content: str
    name: Any = None
    weight: Any = None


class Chat(msgspec.Struct):
    messages: Annotated[list[Message], msgspec.Meta(min_length=1)]
    tags: list[str] | None = None
    provenance: Any = None  # any value: only an object counts, as in the slow path


_decode = msgspec.json.Decoder(Chat).decode


def plain_example(raw: bytes, path: str, line: int) -> Example | None:
    """The example on this line if it has the common shape and no problem, else None."""
    try:
        chat = _decode(raw)
    except (msgspec.MsgspecError, UnicodeDecodeError):  # malformed, not UTF-8, another shape: the slow path says which
        return None
    messages = []
    for m in chat.messages:
        content = m.content
        if not content or content.isspace():
            return None  # empty_turn
        messages.append({"role": m.role, "content": content})  # training sees role and content
    if m.role != "assistant":
        return None  # no assistant message, or not last
    tags = chat.tags
    if chat.provenance is not None:  # a generated example (a line without provenance skips this)
        summary = generated(chat.provenance)
        if summary is not None:
            extra = {"tags": tags, "generated": summary} if tags else {"generated": summary}
            return Example(messages, path, line, tags[0].strip() if tags else content.strip(), extra)
    if tags:
        return Example(messages, path, line, tags[0].strip(), {"tags": tags})
    return Example(messages, path, line, content.strip())
