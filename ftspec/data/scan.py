"""Stream a data source into examples and format issues, with exact lines and byte offsets.

Unlike `sources.read` (which stops at the first problem, as training must), `scan`
reports every problem and goes on. The categories are a superset of OpenAI's chat
fine-tuning data checks; the seven shared ones keep their names.

A chat (or alpaca) object written by `ftspec augment` carries a top-level `provenance`
object. It is not a format problem; the example's `extra["generated"]` says what it is,
`(strategy, reviewed)` (see `generated`), for the data checks to count.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from ftspec.data.sources import Example, SourceSpec

# category -> what it means (the report's legend and the lint messages)
CATEGORIES = {
    "file_not_found": "the file the spec names does not exist",
    "empty_file": "the file has no examples",
    "bad_encoding": "bytes that are not UTF-8",
    "invalid_json": "a line that is not valid JSON",
    "pretty_printed_json": "one JSON document spread over many lines, passed as JSONL",
    "data_type": "an example (or message) that is not a JSON object",
    "missing_messages_list": "no `messages` list, or an empty one",
    "message_missing_key": "a message without `role` or `content`",
    "message_unrecognized_key": "a message key other than role, content, name, weight",
    "unrecognized_role": "a role other than system, user, assistant",
    "missing_content": "content that is missing, null or not a string",
    "empty_turn": "a message whose content is empty or only whitespace",
    "example_missing_assistant_message": "no assistant message",
    "assistant_not_last": "the example does not end with the assistant's reply",
    "missing_column": "a CSV column the spec maps is not in the header",
    "short_row": "a CSV row with fewer fields than the header",
    "missing_field": "an alpaca example without a string `instruction` and `output`",
}

ROLES = frozenset(("system", "user", "assistant"))
MESSAGE_KEYS = frozenset(("role", "content", "name", "weight"))
# Review decisions that let a generated example into training. A tuple, not a set: any JSON
# value can be tested with `in` (a list would raise in a set).
REVIEWED = ("accept", "edit")


@dataclass(frozen=True, slots=True)
class FormatIssue:
    category: str
    path: str
    line: int
    message: str
    byte_offset: int | None = None

    def to_dict(self) -> dict:
        out = {"category": self.category, "file": self.path, "line": self.line, "message": self.message}
        if self.byte_offset is not None:
            out["byte_offset"] = self.byte_offset
        return out


def resolve(source: SourceSpec, base: Path) -> Path:
    path = Path(source.path)
    return path if path.is_absolute() else base / path


def scan(source: SourceSpec, base: Path) -> Iterator[Example | FormatIssue]:
    """Examples and issues in file order. A missing file is one issue at line 0."""
    path = resolve(source, base)
    if not path.is_file():
        yield FormatIssue("file_not_found", str(path), 0, "file not found")
        return
    if source.format == "jsonl":
        yield from _scan_jsonl(path, alpaca=False)
    elif source.format == "alpaca" and path.suffix != ".json":
        yield from _scan_jsonl(path, alpaca=True)
    elif source.format in ("json", "alpaca"):
        yield from _scan_array(path, alpaca=source.format == "alpaca")
    else:
        yield from _scan_csv(path, source)


def _scan_jsonl(path: Path, *, alpaca: bool) -> Iterator[Example | FormatIssue]:
    name = str(path)
    offset = 0
    seen_any = False
    fast = None if alpaca else _fast_chat()
    with path.open("rb") as f:
        for line_no, raw in enumerate(f, start=1):
            start, offset = offset, offset + len(raw)
            if raw.isspace():  # blank line (isspace stops at the first visible byte: no copy)
                continue
            seen_any = True
            if fast is not None:
                example = fast(raw, name, line_no)
                if example is not None:
                    yield example
                    continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                issue = _decode_issue(raw, name, line_no, start, _json_detail(exc))
                if line_no == 1 and issue.category == "invalid_json" and _is_one_document(path):
                    yield FormatIssue("pretty_printed_json", name, 1,
                                      "the file is one JSON document over many lines, not one example per line; "
                                      "use json(...) (a JSON array) or write one object per line")
                    return
                yield issue
                continue
            yield _alpaca(obj, name, line_no) if alpaca else _chat(obj, name, line_no)
    if not seen_any:
        yield FormatIssue("empty_file", name, 1, "the file has no examples")


def _decode_issue(raw: bytes, name: str, line_no: int, start: int, detail: str) -> FormatIssue:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return FormatIssue("bad_encoding", name, line_no,
                           f"byte 0x{raw[exc.start]:02x} is not UTF-8 (byte offset {start + exc.start})",
                           start + exc.start)
    return FormatIssue("invalid_json", name, line_no, f"invalid JSON: {detail}")


def _json_detail(exc: orjson.JSONDecodeError) -> str:
    """orjson's message without its own "line N" (it counts within the one line we gave it)."""
    message = str(exc).split(": line ", 1)[0]
    return f"{message} (column {exc.colno})" if getattr(exc, "colno", None) else message


def _is_one_document(path: Path) -> bool:
    if path.stat().st_size > 256 << 20:
        return False
    try:
        return isinstance(orjson.loads(path.read_bytes()), (dict, list))
    except orjson.JSONDecodeError:
        return False


def generated(provenance) -> tuple[str, bool] | None:
    """What a line's `provenance` says, as the data checks count it: (strategy, reviewed), or
    None when the value is not an object (the example is then not a generated one).

    The contract is `ftspec augment`'s: `strategy` is a string ("template", "paraphrase",
    "synthetic", or another; anything else is "unknown"), and an example is reviewed when
    `review` is an object whose `decision` is accept or edit and whose `reviewer` is named.
    Only this summary is kept, never the object: memory stays one small tuple an example.
    """
    if type(provenance) is not dict:
        return None
    strategy = provenance.get("strategy")
    if type(strategy) is not str or not strategy.strip():
        strategy = "unknown"
    review = provenance.get("review")
    if type(review) is not dict or review.get("decision") not in REVIEWED:
        return strategy, False
    reviewer = review.get("reviewer")
    return strategy, type(reviewer) is str and bool(reviewer.strip())


def _fast_chat():
    from ftspec.data.chat_shape import plain_example  # msgspec: imported when JSONL is read

    return plain_example


def _chat(obj, name: str, line: int) -> Example | FormatIssue:
    if type(obj) is not dict:
        return FormatIssue("data_type", name, line, f"expected an object, got {type(obj).__name__}")
    messages = obj.get("messages")
    if type(messages) is not list or not messages:
        return FormatIssue("missing_messages_list", name, line, "missing or empty `messages` list")
    has_assistant = False
    plain = True  # every message is exactly {role, content}
    for i, m in enumerate(messages):
        # The common shape first, checked cheaply: exactly role and content, both strings.
        if type(m) is dict and len(m) == 2:
            content, role = m.get("content"), m.get("role")
            if type(content) is str and type(role) is str and role in ROLES:
                if not content or content.isspace():
                    return FormatIssue("empty_turn", name, line, f"message {i} ({role}) is empty")
                if role == "assistant":
                    has_assistant = True
                continue
        issue = _message_issue(m, i, name, line)
        if issue is not None:
            return issue
        plain = False
        has_assistant = has_assistant or m["role"] == "assistant"
    if not has_assistant:
        return FormatIssue("example_missing_assistant_message", name, line, "no assistant message")
    if messages[-1]["role"] != "assistant":
        return FormatIssue("assistant_not_last", name, line, "the last message is not the assistant's")
    if not plain:  # drop `name`/`weight`: training sees role and content
        messages = [{"role": m["role"], "content": m["content"]} for m in messages]
    tags = obj.get("tags")
    tagged = type(tags) is list and tags and type(tags[0]) is str
    category = tags[0].strip() if tagged else messages[-1]["content"].strip()
    extra = {"tags": tags} if tagged else None
    summary = generated(obj.get("provenance"))
    if summary is not None:
        extra = {**(extra or {}), "generated": summary}
    return Example(messages, name, line, category, extra)


def _message_issue(m, i: int, name: str, line: int) -> FormatIssue | None:
    """Why a message is not of the common shape, or None if it is fine (e.g. it has `name`)."""
    if not isinstance(m, dict):
        return FormatIssue("data_type", name, line, f"message {i} is not an object")
    if "role" not in m or "content" not in m:
        missing = "role" if "role" not in m else "content"
        return FormatIssue("message_missing_key", name, line, f"message {i} has no `{missing}`")
    extra = m.keys() - MESSAGE_KEYS
    if extra:
        return FormatIssue("message_unrecognized_key", name, line, f"message {i} has unknown key `{sorted(extra)[0]}`")
    role, content = m["role"], m["content"]
    if type(role) is not str or role not in ROLES:
        return FormatIssue("unrecognized_role", name, line, f"message {i} has role {role!r}")
    if not isinstance(content, str):
        return FormatIssue("missing_content", name, line, f"message {i} content is not a string")
    if not content.strip():
        return FormatIssue("empty_turn", name, line, f"message {i} ({role}) is empty")
    return None


def _alpaca(obj, name: str, line: int) -> Example | FormatIssue:
    if not isinstance(obj, dict):
        return FormatIssue("data_type", name, line, f"expected an object, got {type(obj).__name__}")
    instruction, output = obj.get("instruction"), obj.get("output")
    if not isinstance(instruction, str) or not isinstance(output, str):
        return FormatIssue("missing_field", name, line, "needs string `instruction` and `output`")
    if not instruction.strip() or not output.strip():
        return FormatIssue("empty_turn", name, line, "`instruction` or `output` is empty")
    prompt = instruction
    if isinstance(obj.get("input"), str) and obj["input"].strip():
        prompt = f"{instruction}\n\n{obj['input']}"
    summary = generated(obj.get("provenance"))
    return Example([{"role": "user", "content": prompt}, {"role": "assistant", "content": output}],
                   name, line, output.strip(), None if summary is None else {"generated": summary})


def _scan_array(path: Path, *, alpaca: bool) -> Iterator[Example | FormatIssue]:
    name = str(path)
    data = path.read_bytes()
    if not data.strip():
        yield FormatIssue("empty_file", name, 1, "the file has no examples")
        return
    try:
        items = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        yield _decode_issue(data, name, getattr(exc, "lineno", 1) or 1, 0, str(exc))
        return
    if not isinstance(items, list):
        yield FormatIssue("data_type", name, 1, "expected a JSON array of examples")
        return
    if not items:
        yield FormatIssue("empty_file", name, 1, "the array is empty")
    for i, obj in enumerate(items, start=1):  # "line": the example's position in the array
        yield _alpaca(obj, name, i) if alpaca else _chat(obj, name, i)


def _scan_csv(path: Path, source: SourceSpec) -> Iterator[Example | FormatIssue]:
    name = str(path)
    input_col, output_col = source.input or "text", source.output or "label"
    category_col = source.category or output_col
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        yield FormatIssue("bad_encoding", name, line,
                          f"byte 0x{raw[exc.start]:02x} is not UTF-8 (byte offset {exc.start})", exc.start)
        return
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=source.delimiter or ",")
    header = reader.fieldnames or []
    if not header:
        yield FormatIssue("empty_file", name, 1, "the file has no header and no rows")
        return
    for col in dict.fromkeys((input_col, output_col, category_col)):
        if col not in header:
            yield FormatIssue("missing_column", name, 1, f"no column `{col}` (columns: {', '.join(header)})")
            return
    named_category = {"category_column": True} if source.category else {}  # else the reply is not a category
    rows = 0
    line = reader.line_num + 1  # the header's last line, plus one: where the first row starts
    for row in reader:
        rows += 1
        start, line = line, reader.line_num + 1  # a quoted field may span lines: report the first
        if any(row.get(c) is None for c in (input_col, output_col, category_col)):
            yield FormatIssue("short_row", name, start, f"fewer fields than the header ({len(header)})")
            continue
        user, reply = row[input_col].strip(), row[output_col].strip()
        if not user or not reply:
            yield FormatIssue("empty_turn", name, start, f"empty `{input_col if not user else output_col}`")
            continue
        yield Example([{"role": "user", "content": user}, {"role": "assistant", "content": reply}],
                      name, start, row[category_col].strip(), named_category)
    if rows == 0:
        yield FormatIssue("empty_file", name, 1, "the file has a header and no rows")
