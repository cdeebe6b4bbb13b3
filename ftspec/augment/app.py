"""`ftspec review serve QUEUE_DIR`: accept, edit or reject `ftspec augment`'s candidates in the browser.

The review app of ftspec/evaluate/review_app.py, for a review queue (ftspec/augment/queue.py)
instead of a packet of blind pairs: the same server (Bottle on the standard library's WSGI
server, 127.0.0.1 only, Host and Origin checked against DNS rebinding), the same page rules (one
file with inline CSS and JS, queue_page.html, a Content-Security-Policy that allows exactly its
own script and style) and the same log: every decision is appended to
QUEUE_DIR/decisions-<reviewer>.jsonl, flushed and fsync'ed before the HTTP response returns, so a
closed tab or a killed server loses nothing, and a reload resumes at the first undecided
candidate.

The queue is read once at start (`ftspec augment` does not change the candidates of a queue
being reviewed; a later run's new candidates are shown after a restart); the decisions are read
from disk for every answer. `ftspec review serve` comes here when the folder has a queue.json.

Docs: docs/review.md, "Reviewing augmentation candidates".
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIServer

from ftspec.augment.queue import (
    CANDIDATES,
    MANIFEST,
    Queue,
    QueueError,
    decision_problem,
    decisions_path,
    fold,
    load,
    read_decisions,
)
from ftspec.evaluate.review import ReviewError
from ftspec.evaluate.review_app import (
    DEFAULT_PORT,
    HOST,
    EventLog,
    _Refused,
    add_server_options,
    bind,
    check_port,
    embed,
    guard,
    install_refusals,
    json_reply,
    normal_reviewer,
    now,
    page_headers,
    page_policy,
    read_event,
    reviewer_check,
    serve_until_stopped,
)


def _template() -> str:
    return (files("ftspec.augment") / "queue_page.html").read_text(encoding="utf-8")


def csp() -> str:
    """The queue page's Content-Security-Policy: its own inline script and style, requests to its server only."""
    return page_policy(_template(), True)


def render_page(queue: Queue, *, reviewer: str | None = None) -> str:
    """queue_page.html with the queue's manifest and the candidates waiting for review in it (in
    file order; those the data checks refused are never shown)."""
    data = {"reviewer": reviewer, "manifest": queue.manifest, "candidates": queue.queued()}
    return _template().replace("__FTSPEC_CSP__", csp()).replace("__FTSPEC_DATA__", embed(data))


def make_app(queue_dir: Path, *, reviewer: str | None = None,
             allowed_hosts: Callable[[], set[str]] = lambda: set()) -> Callable:
    """The WSGI app: the page at /, the decisions at /api/decisions (GET: a reviewer's state; POST:
    one event, on disk before the answer). `reviewer` fixes the id (others are refused); without it
    the page asks. `allowed_hosts` gives the Host headers accepted (see review_app.guard)."""
    import bottle

    queue = load(Path(queue_dir))
    if reviewer is not None:
        decisions_path(queue.folder, reviewer)  # a bad id is refused here, with what an id is
    page = render_page(queue, reviewer=reviewer).encode("utf-8")
    headers = page_headers(csp())
    order = [c["id"] for c in queue.queued()]
    logs: dict[str, EventLog] = {}
    logs_lock = threading.Lock()
    app = bottle.Bottle()

    reviewer_of = reviewer_check(reviewer, "decisions")

    def state(who: str) -> dict[str, Any]:
        path = decisions_path(queue.folder, who)
        events, damaged = read_decisions(path, queue)
        decided = fold(events)
        return {"queue": queue.id, "reviewer": who, "events": events, "order": order,
                "decided": sum(i in decided for i in order), "next": next((i for i in order if i not in decided), None),
                "damaged": damaged, "log": path.name}

    def event_log(who: str) -> EventLog:
        with logs_lock:
            return logs.setdefault(who, EventLog(decisions_path(queue.folder, who)))

    @app.get("/")
    def index() -> bottle.HTTPResponse:
        return bottle.HTTPResponse(page, headers=headers)

    @app.get("/api/decisions")
    def get_decisions() -> bottle.HTTPResponse:
        return json_reply(state(reviewer_of(bottle.request.query.getunicode("reviewer"))))

    @app.post("/api/decisions")
    def post_decision() -> bottle.HTTPResponse:
        event = read_event(bottle.request)
        if isinstance(event, dict):
            reviewer_of(event.get("reviewer"))
        problem = decision_problem(event, queue, sent=True)
        if problem:
            raise _Refused(400, problem)
        event = {**event, "at": now()}
        event_log(event["reviewer"]).append(event)  # on disk, fsync'ed, before the answer
        after = state(event["reviewer"])
        return json_reply({"saved": event, "decided": after["decided"], "next": after["next"],
                           "events": after["events"]})

    install_refusals(app, (ReviewError, QueueError))
    return guard(app, allowed_hosts)


def make_server(queue_dir: Path, *, reviewer: str | None = None, port: int = DEFAULT_PORT,
                host: str = HOST) -> WSGIServer:
    """The server, bound (port 0: any free one), not yet serving: call serve_forever(). 127.0.0.1
    only: the app has no login and writes files."""
    if host != HOST:
        raise ReviewError(f"the review app binds {HOST} only, not {host!r}: it has no login and writes files")
    check_port(port)
    queue_dir = Path(queue_dir)
    load(queue_dir)  # a missing or broken queue first: it says more than the folder's mode
    if not os.access(queue_dir, os.W_OK):
        raise ReviewError(f"{queue_dir}: cannot write the decisions there (no write permission)")
    return bind(lambda hosts: make_app(queue_dir, reviewer=reviewer, allowed_hosts=hosts), host, port)


# -- command line (`ftspec review serve QUEUE_DIR`) -----------------------------------


def serve_main(args: argparse.Namespace) -> int:
    """Serve the queue in args.queue_dir (or args.packet_dir, as `ftspec review serve` names it)."""
    try:
        import bottle  # noqa: F401 - only to say what to install
    except ImportError:
        print("ftspec: the review app needs Bottle: pip install 'ftspec[review]'", file=sys.stderr)
        return 2
    queue_dir = Path(getattr(args, "queue_dir", None) or args.packet_dir)
    try:
        reviewer = normal_reviewer(args.reviewer) if args.reviewer is not None else None
        server = make_server(queue_dir, reviewer=reviewer, port=args.port)
        queue = load(queue_dir)
        decided = None
        if reviewer:
            decided = len(fold(read_decisions(decisions_path(queue_dir, reviewer), queue)[0]).keys() & queue.ids)
    except (ReviewError, QueueError) as e:
        print(f"ftspec: {e}", file=sys.stderr)
        return 2
    url = f"http://{HOST}:{server.server_address[1]}/"
    waiting = len(queue.queued())
    print(f"reviewing {queue_dir / CANDIDATES} at {url}  (Ctrl+C stops; nothing decided is lost)", flush=True)
    if reviewer:
        print(f"reviewer {reviewer}: decisions go to {decisions_path(queue_dir, reviewer)} "
              f"({decided} of {waiting} candidates decided so far)", flush=True)
    else:
        print(f"{waiting} candidates; each reviewer enters an id on the page; decisions go to "
              f"{queue_dir}/decisions-<id>.jsonl", flush=True)
    if queue.damaged:
        print(f"note: {queue.damaged} line(s) of {queue_dir / CANDIDATES} were cut by a kill and are skipped",
              file=sys.stderr, flush=True)
    return serve_until_stopped(server, url, open_browser=args.open)


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("queue_dir", type=Path, metavar="QUEUE_DIR",
                        help=f"the review queue `ftspec augment` wrote ({MANIFEST}); decisions are written there")
    add_server_options(parser)


def main(argv: list[str] | None = None) -> int:
    """`python -m ftspec.augment.app serve QUEUE_DIR ...`, the same as `ftspec review serve QUEUE_DIR`."""
    parser = argparse.ArgumentParser(prog="ftspec review")
    sub = parser.add_subparsers(dest="action", required=True)
    add_serve_arguments(sub.add_parser("serve", help="review augmentation candidates in the browser"))
    return serve_main(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
