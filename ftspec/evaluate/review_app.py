"""`ftspec review serve`: judge a review packet in the browser, one blind pair at a time.

A small local web app (Bottle on the standard library's WSGI server, bound to 127.0.0.1 only)
shows a reviewer the packet's items in an order of their own, takes a preference (A, B or tie),
error categories for each reply and a note from the keyboard, and writes every judgment to
PACKET_DIR/judgments-<reviewer>.jsonl as it is made: one JSON line per event, appended, flushed
and fsync'ed before the HTTP response returns. Nothing is kept only in the server or the page, so
a closed tab or a killed server loses nothing, and a reload resumes at the first unjudged item.

The same page (review_page.html, one file with inline CSS and JS) also works without a server:
`write_page` fills it with the packet into one self-contained HTML file that a reviewer opens from
disk; judgments are then kept in the browser (localStorage) and downloaded as a judgments form.

The log is folded (last event per item wins) into the judgments form that `ftspec review import`
reads (schemas/review-judgments.schema.json): `export_judgments` writes it, and import reads a
`.jsonl` log directly too. Nothing here but `make_app`/`serve` needs Bottle; it is imported there.

`ftspec review serve DIR` on a review queue of `ftspec augment` (a folder with queue.json) serves
ftspec/augment/app.py instead, which is made of this module's pieces (`guard`, `install_refusals`,
`page_policy`, `bind`, `EventLog`).

Docs: docs/review.md, "Reviewing in the browser".
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import socketserver
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from ftspec.evaluate.review import PACKET, ReviewError, _read_json, _refuse_problems, _schema_problems
from ftspec.runtime.io import atomic_write_json, atomic_write_text

HOST = "127.0.0.1"  # the only address the app binds: it serves unpublished replies and writes files
DEFAULT_PORT = 8765
PAGE = "review.html"  # the static page `write_page` writes next to packet.json
# A reviewer id names a file (judgments-<id>.jsonl): lower case, so that two ids never name one
# file on a case-insensitive file system.
REVIEWER = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
REVIEWER_HELP = "1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"
MAX_NOTE = 10_000  # characters in a note
MAX_BODY = 256 * 1024  # bytes in a request body
PREFERRED = ("a", "b", "tie")
# The fields an event sent by the page may have; the server adds `at`.
JUDGE_FIELDS = {"event", "packet", "reviewer", "id", "preferred", "errors", "note"}
CLEAR_FIELDS = {"event", "packet", "reviewer", "id"}


def log_path(packet_dir: Path, reviewer: str) -> Path:
    """Where the app writes one reviewer's judgments: PACKET_DIR/judgments-<reviewer>.jsonl."""
    return Path(packet_dir) / f"judgments-{check_reviewer(reviewer)}.jsonl"


def check_reviewer(reviewer: Any) -> str:
    if not isinstance(reviewer, str) or not REVIEWER.match(reviewer):
        raise ReviewError(f"reviewer id {reviewer!r}: use {REVIEWER_HELP}")
    return reviewer


def normal_reviewer(reviewer: str) -> str:
    """An id as typed, made an id: trimmed and lower case (then checked)."""
    return check_reviewer(reviewer.strip().lower())


def load_packet(packet_dir: Path) -> dict[str, Any]:
    """PACKET_DIR/packet.json, valid against its schema (a refusal says what is wrong)."""
    path = Path(packet_dir) / PACKET
    packet = _read_json(path, "the packet written by `ftspec review export`")
    _refuse_problems(_schema_problems(packet, "review-packet.schema.json", str(path)),
                     "this is not a review packet written by `ftspec review export`")
    return packet


# -- each reviewer's order ---------------------------------------------------------


def _h32(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 text, then murmur3's finaliser; review_page.html has the same."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    return h ^ (h >> 16)


def reviewer_order(packet: dict[str, Any], reviewer: str) -> list[str]:
    """The packet's item ids in the order `reviewer` sees them: a shuffle seeded by the packet and
    the reviewer id (each item sorted by a hash of packet id, reviewer and item id). The same on
    every reload and in the static page; different for each reviewer, so that no two share
    order effects (fatigue, anchoring on the first items)."""
    ids = [item["id"] for item in packet["items"]]
    return sorted(ids, key=lambda i: (_h32(f"{packet['packet']}\n{reviewer}\n{i}"), i))


# -- the event log -----------------------------------------------------------------


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def envelope_problem(event: Any, fields: dict[str, set[str]], *, sent: bool) -> str | None:
    """What is wrong with an event's envelope: a JSON object whose `event` is one of `fields`' kinds,
    with exactly that kind's fields (and `at`, the server's time, unless `sent` by the page). The
    review of a packet and the review queue of `ftspec augment` log events of this one form."""
    if not isinstance(event, dict):
        return "an event is a JSON object"
    kind = event.get("event")
    if kind not in fields:
        return f"event: {kind!r} is not one of {', '.join(repr(k) for k in fields)}"
    allowed = fields[kind] | (set() if sent else {"at"})
    extra = sorted(set(event) - allowed)
    if extra:
        return f"unexpected field(s) in a {kind} event: {', '.join(extra)}"
    missing = sorted(allowed - set(event))
    if missing:
        return f"missing field(s) in a {kind} event: {', '.join(missing)}"
    if not sent and not isinstance(event["at"], str):
        return "at: not a time"
    if not isinstance(event["reviewer"], str) or not REVIEWER.match(event["reviewer"]):
        return f"reviewer: {event['reviewer']!r}: use {REVIEWER_HELP}"
    return None


def event_problem(event: Any, packet: dict[str, Any] | None, *, sent: bool = False) -> str | None:
    """What is wrong with one event (None when nothing is). `sent`: as the page sends it (no `at`).
    Without a packet only the shape is checked; import checks ids and categories against the key."""
    problem = envelope_problem(event, {"judge": JUDGE_FIELDS, "clear": CLEAR_FIELDS}, sent=sent)
    if problem:
        return problem
    kind = event["event"]
    if not isinstance(event["packet"], str) or (packet is not None and event["packet"] != packet["packet"]):
        want = f", this packet is {packet['packet']!r}" if packet else ""
        return f"packet: {event['packet']!r} is not this packet{want} (a page of another packet?)"
    ids = {item["id"] for item in packet["items"]} if packet else None
    if not isinstance(event["id"], str) or (ids is not None and event["id"] not in ids) \
            or not re.match(r"^p[0-9]{3,}$", str(event["id"])):
        return f"id: {event['id']!r} is not an item of this packet"
    if kind == "clear":
        return None
    if event["preferred"] not in PREFERRED:
        return f"preferred: {event['preferred']!r} is not one of 'a', 'b', 'tie'"
    errors = event["errors"]
    if not isinstance(errors, dict) or set(errors) != {"a", "b"}:
        return "errors: an object with the lists `a` and `b`"
    for side in "ab":
        names = errors[side]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            return f"errors.{side}: a list of category names"
        if len(set(names)) != len(names):
            return f"errors.{side}: a category is listed twice"
        unknown = [n for n in names if packet is not None and n not in packet["categories"]]
        if unknown:
            return (f"errors.{side}: {unknown[0]!r} is not a category of this packet; "
                    f"use one of: {', '.join(packet['categories'])}")
    if not isinstance(event["note"], str) or len(event["note"]) > MAX_NOTE:
        return f"note: a text of at most {MAX_NOTE} characters"
    return None


DAMAGED = object()  # what `json_lines` yields for a line that is not JSON


def json_lines(path: Path, error: type[Exception] = ReviewError) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line of an append-only JSONL file, DAMAGED for a line
    that is not JSON (only a write cut by a kill leaves one; it was never acknowledged); nothing when
    the file does not exist. Another failure to read raises `error`."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return
    except OSError as e:
        raise error(f"{path}: cannot be read: {e.strerror or e}") from None
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            yield number, json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            yield number, DAMAGED


@dataclass
class Log:
    """A reviewer's log, read: its valid events in file order, and the lines skipped."""

    path: Path
    events: list[dict[str, Any]] = field(default_factory=list)
    damaged: int = 0  # lines that are not JSON: a write cut by a kill (never acknowledged)

    @property
    def judgments(self) -> dict[str, dict[str, Any]]:
        return fold(self.events)

    @property
    def reviewer(self) -> str | None:
        return self.events[0]["reviewer"] if self.events else None

    @property
    def packet(self) -> str | None:
        return self.events[0]["packet"] if self.events else None


def read_log(path: Path, packet: dict[str, Any] | None = None) -> Log:
    """The events of a log file (none when it does not exist).

    A line that is not JSON is skipped and counted (`damaged`): only a write cut by a kill leaves
    one, and its judgment was never acknowledged to the page. A line that is JSON but not a valid
    event, or an event of another packet or reviewer than the first, is refused: the file was
    edited or mixed up, and guessing would count judgments wrongly.
    """
    path = Path(path)
    log = Log(path)
    for number, event in json_lines(path):
        if event is DAMAGED:
            log.damaged += 1
            continue
        problem = event_problem(event, packet)
        if problem is None and log.events:
            first = log.events[0]
            if event["packet"] != first["packet"] or event["reviewer"] != first["reviewer"]:
                problem = (f"an event of packet {event['packet']!r} by {event['reviewer']!r}, but the file is of "
                           f"packet {first['packet']!r} by {first['reviewer']!r}: one file per reviewer and packet")
        if problem:
            raise ReviewError(f"{path} line {number}: {problem}")
        log.events.append(event)
    return log


def fold(events: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Item id -> its judgment ({preferred, errors, note}), from the events in order: a later judge
    event of an item supersedes the earlier (last wins), a clear event (undo) removes it. The
    dict's order is the order of each item's last judgment."""
    judged: dict[str, dict[str, Any]] = {}
    for event in events:
        judged.pop(event["id"], None)
        if event["event"] == "judge":
            judged[event["id"]] = {"preferred": event["preferred"],
                                   "errors": {"a": list(event["errors"]["a"]), "b": list(event["errors"]["b"])},
                                   "note": event["note"]}
    return judged


def judgments_form(judged: dict[str, dict[str, Any]], packet_id: str, reviewer: str,
                   packet: dict[str, Any] | None = None) -> dict[str, Any]:
    """The judgments form (review-judgments.schema.json). With the packet: every item in the
    packet's order, null for those not judged, as export's blank form; without: the judged ones."""
    ids = [item["id"] for item in packet["items"]] if packet else sorted(judged)
    blank = {"preferred": None, "errors": {"a": [], "b": []}, "note": ""}
    return {"packet": packet_id, "reviewer": reviewer,
            "judgments": [{"id": i, **judged.get(i, blank)} for i in ids]}


def judgments_from_log(path: Path) -> dict[str, Any]:
    """A `.jsonl` log folded into the judgments form, for `ftspec review import` (no packet needed:
    import checks the ids and categories against the key)."""
    log = read_log(path)
    if not log.events:
        raise ReviewError(f"{path}: no judgments in it (an empty log)")
    return judgments_form(log.judgments, log.packet, log.reviewer)


def export_judgments(packet_dir: Path, reviewer: str, out: Path | None = None) -> Path:
    """Fold PACKET_DIR/judgments-<reviewer>.jsonl into the judgments form that `ftspec review
    import` reads and write it (default PACKET_DIR/judgments-<reviewer>.json, rewritten from the
    log each time); returns its path. Validated against review-judgments.schema.json."""
    packet_dir = Path(packet_dir)
    packet = load_packet(packet_dir)
    path = log_path(packet_dir, reviewer)
    log = read_log(path, packet)
    if not log.events:
        raise ReviewError(f"{path}: no judgments by {reviewer!r} yet")
    form = judgments_form(log.judgments, packet["packet"], reviewer, packet)
    out = Path(out) if out else packet_dir / f"judgments-{reviewer}.json"
    _refuse_problems(_schema_problems(form, "review-judgments.schema.json", str(out)), "this is a bug in ftspec")
    atomic_write_json(out, form)
    return out


class EventLog:
    """Appends events to one reviewer's log, durably: the line is written with one write to a file
    opened O_APPEND, then fsync'ed (and the folder too when the file is new) before `append`
    returns. If a kill cut the last line, a newline is written first, so that the cut line stays a
    line of its own (skipped when read) instead of swallowing this one."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock = threading.Lock()

    def append(self, event: dict[str, Any]) -> None:
        data = (json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with self.lock:
            new = not self.path.exists()
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    data = b"\n" + data
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
            if new:
                _fsync_dir(self.path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder
    finally:
        os.close(fd)


# -- the page ----------------------------------------------------------------------


def _template() -> str:
    return (files("ftspec.evaluate") / "review_page.html").read_text(encoding="utf-8")


def _csp_hash(html: str, tag: str) -> str:
    """'sha256-...' of the one inline <script> or <style> element of a page."""
    match = re.search(rf"<{tag}>(.*?)</{tag}>", html, re.S)
    if not match:
        raise AssertionError(f"the page has no inline <{tag}>")
    return "'sha256-" + base64.b64encode(hashlib.sha256(match.group(1).encode("utf-8")).digest()).decode() + "'"


CONNECT = {True: "'self'", False: "'none'"}


def page_policy(html: str, server: bool) -> str:
    """The Content-Security-Policy of a page template: its own inline script and style, nothing
    from elsewhere; requests only to the server it came from (none from a file). The review app and
    the augmentation queue's app (ftspec/augment/app.py) share it."""
    return ("default-src 'none'; "
            f"script-src {_csp_hash(html, 'script')}; style-src {_csp_hash(html, 'style')}; "
            f"img-src data:; connect-src {CONNECT[server]}; base-uri 'none'; form-action 'none'")


def csp(server: bool) -> str:
    """review_page.html's Content-Security-Policy (see page_policy)."""
    return page_policy(_template(), server)


def page_headers(policy: str) -> dict[str, str]:
    """The headers of a served page: never cached, never framed, never sniffed, no referrer."""
    return {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
            "Content-Security-Policy": policy + "; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def embed(data: Any) -> str:
    """`data` as JSON to put in a page's <script type="application/json">: in a <script> only
    `</script` or `<!--` could end the data early, so every `<` is written escaped."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def render_page(packet: dict[str, Any], *, mode: str, reviewer: str | None = None) -> str:
    """review_page.html with the packet (and the mode: 'server' or 'static') in it."""
    text = embed({"mode": mode, "reviewer": reviewer, "packet": packet})
    return _template().replace("__FTSPEC_CSP__", csp(mode == "server")).replace("__FTSPEC_DATA__", text)


def write_page(packet_dir: Path, out: Path | None = None) -> Path:
    """The static page: one self-contained HTML file (default PACKET_DIR/review.html) that a
    reviewer opens in a browser, with no server and offline. It holds the packet only, never the
    key. Judgments are kept in the browser and downloaded as the judgments form import reads."""
    packet_dir = Path(packet_dir)
    packet = load_packet(packet_dir)
    out = Path(out) if out else packet_dir / PAGE
    atomic_write_text(out, render_page(packet, mode="static"))
    return out


# -- the server --------------------------------------------------------------------


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    """The standard library's WSGI server, a thread per request (a browser keeps idle sockets open,
    which would block a server of one thread), and without a reverse DNS look-up at bind."""

    daemon_threads = True
    allow_reuse_address = True  # a restart after a kill binds the same port at once

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = HOST, self.server_address[1]
        self.setup_environ()


class _Handler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # one line per request would drown the URL and the refusals


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


# The pieces of a local app that both the review app and the augmentation queue's app
# (ftspec/augment/app.py) are made of: JSON answers, the body of a POST, the refusals, the guard.


def reviewer_check(fixed: str | None, what: str) -> Callable[[Any], str]:
    """The check of the reviewer id a request names: present, well formed, and the one the server
    was started for (`--reviewer`), if any. A refusal is a 400 that says which."""
    def reviewer_of(value: Any) -> str:
        if value is None:
            raise _Refused(400, f"reviewer: missing; say whose {what} (?reviewer=ID, or `reviewer` in the event)")
        if fixed is not None and value != fixed:
            raise _Refused(400, f"reviewer: this server takes {what} by {fixed!r} only "
                                f"(started with --reviewer {fixed}), not {value!r}")
        if not isinstance(value, str) or not REVIEWER.match(value):
            raise _Refused(400, f"reviewer: {value!r}: use {REVIEWER_HELP}")
        return value
    return reviewer_of


def json_reply(data: Any, status: int = 200) -> Any:
    """A JSON answer (a bottle.HTTPResponse), never cached."""
    import bottle

    return bottle.HTTPResponse(json.dumps(data, ensure_ascii=False), status=status,
                               headers={"Content-Type": "application/json; charset=utf-8",
                                        "Cache-Control": "no-store"})


def read_event(request: Any) -> Any:
    """The JSON body of a POST (an event as the page sends it), or a refusal (400) saying why not."""
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise _Refused(400, f"send the event as application/json, not {content_type or 'no content type'!r}")
    length = request.content_length
    if length > MAX_BODY:
        raise _Refused(400, f"the body is {length} bytes; at most {MAX_BODY}")
    raw = request.body.read(MAX_BODY + 1)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _Refused(400, f"the body is not JSON: {e}") from None


def install_refusals(app: Any, errors: tuple[type[Exception], ...] = (ReviewError,)) -> None:
    """Every route of `app` answers a refusal as JSON: `_Refused` with its status, `errors` (a log
    that cannot be read) 500, an OSError (a write that failed) 500 "not saved: ..."; a 404 or 405
    says the path is not part of the app."""
    import bottle

    def refusals(callback: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except _Refused as e:
                return json_reply({"error": e.message}, e.status)
            except errors as e:
                return json_reply({"error": str(e)}, 500)
            except OSError as e:
                return json_reply({"error": f"not saved: {e}"}, 500)
        return wrapper

    def not_here(error: bottle.HTTPError) -> str:
        bottle.response.content_type = "application/json; charset=utf-8"
        return json.dumps({"error": f"{error.status}: {bottle.request.method} {bottle.request.path} "
                                    "is not part of the review app"})

    for status in (404, 405):
        app.error(status)(not_here)
    app.install(refusals)


def guard(app: Callable, allowed_hosts: Callable[[], set[str]]) -> Callable:
    """`app` behind a check of every request: refused (403) for another host name (DNS rebinding)
    or when sent by another site's page (its Origin). `allowed_hosts` gives the Host headers
    accepted (the server's own address); none (not yet bound) accepts any."""

    def guarded(environ: dict, start_response: Callable) -> Iterable[bytes]:
        def forbidden(message: str) -> list[bytes]:
            body = json.dumps({"error": message}).encode("utf-8")
            start_response("403 Forbidden", [("Content-Type", "application/json; charset=utf-8"),
                                             ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
            return [body]

        hosts = allowed_hosts()
        host = environ.get("HTTP_HOST", "")
        if hosts and host not in hosts:
            return forbidden(f"host {host!r}: the review app answers only at {' or '.join(sorted(hosts))}")
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and hosts and origin not in {f"http://{h}" for h in hosts}:
            return forbidden(f"origin {origin!r}: requests from other pages are refused")
        return app(environ, start_response)

    guarded.bottle = app  # type: ignore[attr-defined]
    return guarded


def check_port(port: Any) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ReviewError(f"port {port!r}: a number from 0 (any free port) to 65535")
    return port


def bind(app_for: Callable[[Callable[[], set[str]]], Callable], host: str, port: int) -> WSGIServer:
    """A server on host:port (port 0: any free one), not yet serving, for the app `app_for(hosts)`
    makes, where hosts() gives the Host headers of the address bound (for `guard`)."""
    bound: dict[str, int] = {}

    def hosts() -> set[str]:
        return {f"{HOST}:{bound['port']}", f"localhost:{bound['port']}"} if bound else set()

    app = app_for(hosts)
    try:
        server = _Server((host, port), _Handler)
    except OSError as e:
        raise ReviewError(f"cannot listen on {host}:{port}: {e.strerror or e}; pass another --port "
                          "(0: any free port)") from None
    server.set_app(app)
    bound["port"] = server.server_address[1]
    return server


def make_app(packet_dir: Path, *, reviewer: str | None = None,
             allowed_hosts: Callable[[], set[str]] = lambda: set()) -> Callable:
    """The WSGI app: the page at /, the API under /api/. `reviewer` fixes the id (others are
    refused); without it the page asks. `allowed_hosts` gives the Host headers accepted (the
    server's own address), which blocks other sites reaching the app through DNS rebinding."""
    import bottle

    packet_dir = Path(packet_dir)
    packet = load_packet(packet_dir)
    if reviewer is not None:
        reviewer = check_reviewer(reviewer)
    page = render_page(packet, mode="server", reviewer=reviewer).encode("utf-8")
    headers = page_headers(csp(True))
    logs: dict[str, EventLog] = {}
    logs_lock = threading.Lock()
    app = bottle.Bottle()
    reply = json_reply
    reviewer_of = reviewer_check(reviewer, "judgments")

    def state(who: str) -> dict[str, Any]:
        log = read_log(log_path(packet_dir, who), packet)
        judged = log.judgments
        order = reviewer_order(packet, who)
        return {"packet": packet["packet"], "reviewer": who, "events": log.events, "damaged": log.damaged,
                "order": order, "judged": len(judged), "next": next((i for i in order if i not in judged), None),
                "log": log.path.name}

    def event_log(who: str) -> EventLog:
        with logs_lock:
            return logs.setdefault(who, EventLog(log_path(packet_dir, who)))

    @app.get("/")
    def index() -> bottle.HTTPResponse:
        return bottle.HTTPResponse(page, headers=headers)

    @app.get("/api/events")
    def get_events() -> bottle.HTTPResponse:
        return reply(state(reviewer_of(bottle.request.query.getunicode("reviewer"))))

    @app.get("/api/judgments")
    def get_judgments() -> bottle.HTTPResponse:
        who = reviewer_of(bottle.request.query.getunicode("reviewer"))
        form = judgments_form(read_log(log_path(packet_dir, who), packet).judgments, packet["packet"], who, packet)
        response = reply(form)
        response.set_header("Content-Disposition", f'attachment; filename="judgments-{who}.json"')
        return response

    @app.post("/api/events")
    def post_event() -> bottle.HTTPResponse:
        event = read_event(bottle.request)
        if isinstance(event, dict):
            reviewer_of(event.get("reviewer"))
        problem = event_problem(event, packet, sent=True)
        if problem:
            raise _Refused(400, problem)
        event = {**event, "at": now()}
        event_log(event["reviewer"]).append(event)  # on disk, fsync'ed, before the answer
        after = state(event["reviewer"])
        return reply({"saved": event, "judged": after["judged"], "next": after["next"], "events": after["events"]})

    install_refusals(app)
    return guard(app, allowed_hosts)


def make_server(packet_dir: Path, *, reviewer: str | None = None, port: int = DEFAULT_PORT,
                host: str = HOST) -> WSGIServer:
    """The server, bound (port 0: any free one), not yet serving: call serve_forever(). Only
    127.0.0.1 is accepted as the host: the app shows unpublished replies and writes files, and has
    no login, so it must not be reachable from another machine."""
    if host != HOST:
        raise ReviewError(f"the review app binds {HOST} only, not {host!r}: it has no login and writes files; "
                          "reviewers on other machines use the static page (`ftspec review page`)")
    check_port(port)
    packet_dir = Path(packet_dir)
    load_packet(packet_dir)  # a missing or broken packet first: it says more than the folder's mode
    if not os.access(packet_dir, os.W_OK):
        raise ReviewError(f"{packet_dir}: cannot write the judgments there (no write permission)")
    return bind(lambda hosts: make_app(packet_dir, reviewer=reviewer, allowed_hosts=hosts), host, port)


# -- command line (`ftspec review serve` and `ftspec review page`) --------------------


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("packet_dir", type=Path, metavar="PACKET_DIR|QUEUE_DIR",
                        help="the folder `ftspec review export` wrote (packet.json), or the review queue "
                             "`ftspec augment` wrote (queue.json); judgments or decisions are written there")
    add_server_options(parser)


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """--reviewer, --port and --open, the same for a packet's app and a queue's."""
    parser.add_argument("--reviewer", default=None, metavar="ID",
                        help="the reviewer's id (default: each reviewer enters theirs on the page)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N",
                        help=f"the port on {HOST} (default {DEFAULT_PORT}; 0: any free port)")
    parser.add_argument("--open", action="store_true", help="open the page in the default browser")


def add_page_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("packet_dir", type=Path, metavar="PACKET_DIR", help="the folder with packet.json")
    parser.add_argument("--out", type=Path, default=None, metavar="FILE",
                        help=f"where to write the page (default PACKET_DIR/{PAGE})")


def serve_main(args: argparse.Namespace) -> int:
    if (Path(args.packet_dir) / "queue.json").exists():  # the review queue of `ftspec augment`, not a packet
        from ftspec.augment.app import serve_main as serve_queue

        return serve_queue(args)
    try:
        import bottle  # noqa: F401 - only to say what to install
    except ImportError:
        print("ftspec: the review app needs Bottle: pip install 'ftspec[review]'", file=sys.stderr)
        return 2
    try:
        reviewer = normal_reviewer(args.reviewer) if args.reviewer is not None else None
        server = make_server(args.packet_dir, reviewer=reviewer, port=args.port)
    except ReviewError as e:
        print(f"ftspec: {e}", file=sys.stderr)
        return 2
    url = f"http://{HOST}:{server.server_address[1]}/"
    packet_dir = Path(args.packet_dir)
    print(f"reviewing {packet_dir / PACKET} at {url}  (Ctrl+C stops; nothing judged is lost)", flush=True)
    if reviewer:
        try:
            judged = len(read_log(log_path(packet_dir, reviewer), load_packet(packet_dir)).judgments)
        except ReviewError as e:
            print(f"ftspec: {e}", file=sys.stderr)
            server.server_close()
            return 2
        print(f"reviewer {reviewer}: judgments go to {log_path(packet_dir, reviewer)} ({judged} judged so far)",
              flush=True)
    else:
        print(f"each reviewer enters an id on the page; judgments go to {packet_dir}/judgments-<id>.jsonl",
              flush=True)
    if (packet_dir / "key.json").exists():
        print(f"note: {packet_dir / 'key.json'} is in this folder; the app never serves it, but move it away "
              "before reviewers get the folder", file=sys.stderr, flush=True)
    return serve_until_stopped(server, url, open_browser=args.open)


def serve_until_stopped(server: WSGIServer, url: str, *, open_browser: bool) -> int:
    """Serve until Ctrl+C (every answer was written before it was sent: stopping loses nothing)."""
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0


def page_main(args: argparse.Namespace) -> int:
    try:
        out = write_page(args.packet_dir, args.out)
    except ReviewError as e:
        print(f"ftspec: {e}", file=sys.stderr)
        return 2
    print(f"wrote {out}: reviewers open it in a browser (no server, works offline), judge, and download "
          "their judgments-<id>.json for `ftspec review import`")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m ftspec.evaluate.review_app serve|page ...`, the same as `ftspec review serve|page`."""
    parser = argparse.ArgumentParser(prog="ftspec review")
    sub = parser.add_subparsers(dest="action", required=True)
    add_serve_arguments(sub.add_parser("serve", help="judge a packet, or review augmentation candidates, in the "
                                                     "browser (a local web app)"))
    add_page_arguments(sub.add_parser("page", help="write the packet as one HTML page that works offline"))
    args = parser.parse_args(argv)
    return serve_main(args) if args.action == "serve" else page_main(args)


if __name__ == "__main__":
    sys.exit(main())
