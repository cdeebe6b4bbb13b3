"""`ftspec review serve QUEUE_DIR`: the review queue of `ftspec augment` in the browser
(ftspec/augment/app.py, queue_page.html).

The server runs as a real subprocess (`python -m ftspec.augment.app serve`, and once through
`ftspec review serve`, which dispatches on queue.json). Its refusals are checked over HTTP; the
page is driven by headless Chromium (Debian's, through Playwright) as a reviewer uses it: accept,
edit, reject and undo with the keyboard, a reload, a SIGKILL of the server and a restart on the
same port. What lands on disk is read back with queue.py and compared with what was done.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_support import chromium
from browser_support import need_bottle as _need_bottle
from browser_support import wait as _wait

from ftspec.augment.queue import (
    all_decisions,
    append,
    candidate_id,
    create,
    decisions_path,
    load,
    read_decisions,
)

ROOT = Path(__file__).resolve().parent.parent
FTSPEC = Path(sys.executable).parent / "ftspec"
HOSTILE = "</textarea><script>alert(1)</script><img src=x onerror=alert(2)>"
MANIFEST = {"queue": "t-augment", "spec": "t.ftspec", "into": "aug.jsonl",
            "task": {"name": "t", "kind": "classification", "goal": "route support questions", "labels": ["a", "b"]}}


def _candidate(strategy: str, text_in: str, text_out: str, provenance: dict, *, status: str = "queued",
               flags: list[str] | None = None) -> dict:
    return {"id": candidate_id(strategy, text_in, text_out), "strategy": strategy, "input": text_in,
            "output": text_out, "status": status, "provenance": {"strategy": strategy, **provenance},
            "flags": flags or [], "created_at": "2025-06-01T12:00:00.000000Z"}


CANDIDATES = [
    _candidate("template", "Is order 17 late?", "a",
               {"template": "orders", "pattern": "Is order {n} late?", "fill": {"n": "17"}}),
    _candidate("paraphrase", "Where is my parcel now?", "b",
               {"original": "Where's my parcel?", "source": {"file": "data/train.jsonl", "line": 12},
                "model": "local-7b", "endpoint": "http://127.0.0.1:8000/v1"}),
    _candidate("synthetic", "My card was charged twice.", "a",
               {"seeds": [{"file": "data/train.jsonl", "line": 3}, {"file": "data/train.jsonl", "line": 9}],
                "model": "local-7b"}, flags=["near-duplicate of data/train.jsonl:3 (similarity 0.91)"]),
    _candidate("template", "Is order 18 late?", "a",
               {"template": "orders", "pattern": "Is order {n} late?", "fill": {"n": "18"}}),
    _candidate("synthetic", "Refused: the same as a training example", "a", {"seeds": []}, status="refused",
               flags=["exact duplicate of data/train.jsonl:4"]),
    _candidate("synthetic", HOSTILE, "b", {"seeds": [{"file": "data/train.jsonl", "line": 5}], "model": HOSTILE}),
    _candidate("paraphrase", "Can I pay by invoice?", "b",
               {"original": "Invoice payment possible?", "source": {"file": "data/train.jsonl", "line": 20}}),
]
QUEUED = [c for c in CANDIDATES if c["status"] == "queued"]
REFUSED = next(c for c in CANDIDATES if c["status"] == "refused")


@pytest.fixture
def queue_dir(tmp_path) -> Path:
    folder = tmp_path / "aug.review"
    append(create(folder, MANIFEST), CANDIDATES)
    return folder


class Server:
    """The queue app as a subprocess: `python -m ftspec.augment.app serve`, or `ftspec review serve`."""

    def __init__(self, queue_dir: Path, reviewer: str | None = None, *, cli: bool = False) -> None:
        self.queue_dir, self.reviewer, self.cli = queue_dir, reviewer, cli
        self.port = 0  # the first start takes any free port; a restart takes the same one
        self.proc: subprocess.Popen | None = None
        self.lines: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> Server:
        head = [str(FTSPEC), "review"] if self.cli else [sys.executable, "-m", "ftspec.augment.app"]
        command = [*head, "serve", str(self.queue_dir), "--port", str(self.port),
                   *(["--reviewer", self.reviewer] if self.reviewer else [])]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline().decode() if ready else ""
        match = re.search(r"^reviewing (.+) at http://127\.0\.0\.1:(\d+)/ ", line)
        assert match, (line, self.proc.poll(), self.proc.stderr.read().decode() if self.proc.poll() else "")
        assert match.group(1) == str(self.queue_dir / "candidates.jsonl")
        if self.port:
            assert int(match.group(2)) == self.port
        self.port = int(match.group(2))
        self.lines = [line, self.proc.stdout.readline().decode()]
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture
def servers():
    _need_bottle()
    started: list[Server] = []
    yield started
    for s in started:
        s.kill()


def _request(server: Server, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(server.url.rstrip("/") + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


JSON = {"Content-Type": "application/json"}


def _post(server: Server, event, headers: dict | None = None):
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    status, _, data = _request(server, "POST", "/api/decisions", body, {**JSON, **(headers or {})})
    return status, json.loads(data)


def _decide(candidate: dict, decision: str = "accept", reviewer: str = "alice", **fields) -> dict:
    return {"event": "decide", "queue": "t-augment", "reviewer": reviewer, "id": candidate["id"],
            "decision": decision, "input": fields.get("input", candidate["input"]),
            "output": fields.get("output", candidate["output"]), "note": fields.get("note", "")}


# -- the server, without a browser ---------------------------------------------------


def test_the_server_refuses_bad_events_hosts_and_origins(queue_dir, servers):
    server = Server(queue_dir, reviewer="alice").start()
    servers.append(server)
    assert "reviewer alice: decisions go to" in server.lines[1] and "0 of 6 candidates" in server.lines[1]
    log = decisions_path(queue_dir, "alice")
    first = QUEUED[0]
    good = _decide(first)
    cases = [
        (b"{not json", "the body is not JSON"),
        (json.dumps([good]).encode(), "an event is a JSON object"),
        ({**good, "decision": "maybe"}, "decision: 'maybe' is not one of 'accept', 'edit', 'reject'"),
        ({**good, "event": "judge"}, "event: 'judge' is not one of 'decide', 'clear'"),
        ({**good, "id": REFUSED["id"]}, f"id: {REFUSED['id']!r} is not a candidate waiting in this queue"),
        ({**good, "id": "c000000000000"}, "is not a candidate waiting in this queue"),
        ({**good, "queue": "other"}, "queue: 'other' is not this queue ('t-augment')"),
        ({**good, "at": "2020-01-01T00:00:00Z"}, "unexpected field(s) in a decide event: at"),
        ({k: v for k, v in good.items() if k != "note"}, "missing field(s) in a decide event: note"),
        ({**good, "input": "  "}, "input: empty; an accepted example needs an input and an output"),
        ({**good, "decision": "edit", "output": "x" * 20_001}, "output: a text of at most 20000 characters"),
        ({**good, "note": "x" * 10_001}, "note: a text of at most 10000 characters"),
        ({**good, "reviewer": "bob"}, "reviewer: this server takes decisions by 'alice' only"),
        ({"event": "clear", "queue": "t-augment", "reviewer": "bob", "id": first["id"]}, "by 'alice' only"),
    ]
    for event, message in cases:
        status, answer = _post(server, event)
        assert status == 400 and message in answer["error"], (message, answer)
    status, _, data = _request(server, "POST", "/api/decisions", json.dumps(good).encode(),
                               {"Content-Type": "text/plain"})
    assert status == 400 and "send the event as application/json" in json.loads(data)["error"]
    status, _, data = _request(server, "GET", "/api/decisions?reviewer=bob")
    assert status == 400 and "by 'alice' only" in json.loads(data)["error"]
    status, _, data = _request(server, "GET", "/api/decisions")
    assert status == 400 and "reviewer: missing" in json.loads(data)["error"]
    # another host name (DNS rebinding) or another site's page: refused
    status, _, data = _request(server, "GET", "/", headers={"Host": f"evil.example:{server.port}"})
    assert status == 403 and "host 'evil.example" in json.loads(data)["error"]
    status, answer = _post(server, good, {"Origin": "http://evil.example"})
    assert status == 403 and "requests from other pages are refused" in answer["error"]
    status, _, data = _request(server, "GET", "/api/nothing")
    assert status == 404 and "not part of the review app" in json.loads(data)["error"]
    status, _, data = _request(server, "DELETE", "/api/decisions")
    assert status == 405 and json.loads(data)["error"]
    assert not log.exists()  # nothing refused was written

    status, _, data = _request(server, "GET", "/api/decisions?reviewer=alice")
    state = json.loads(data)
    assert status == 200 and state == {"queue": "t-augment", "reviewer": "alice", "events": [],
                                       "order": [c["id"] for c in QUEUED], "decided": 0, "next": QUEUED[0]["id"],
                                       "damaged": 0, "log": "decisions-alice.jsonl"}

    # a good event: on disk before the answer, with the server's time; the same origin may send it
    status, answer = _post(server, good, {"Origin": server.url.rstrip("/")})
    assert status == 200 and answer["saved"] == {**good, "at": answer["saved"]["at"]}
    assert answer["decided"] == 1 and answer["next"] == QUEUED[1]["id"] and answer["events"] == [answer["saved"]]
    assert [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] == [answer["saved"]]

    # a write cut by a kill is skipped and counted; the next write starts a line of its own
    with log.open("ab") as f:
        f.write(json.dumps(_decide(QUEUED[1]))[:40].encode())
    status, _, data = _request(server, "GET", "/api/decisions?reviewer=alice")
    assert json.loads(data)["damaged"] == 1 and json.loads(data)["decided"] == 1
    status, answer = _post(server, _decide(QUEUED[1], "reject", note="off topic"))
    assert status == 200 and answer["decided"] == 2 and answer["next"] == QUEUED[2]["id"]
    status, answer = _post(server, {"event": "clear", "queue": "t-augment", "reviewer": "alice", "id": first["id"]})
    assert status == 200 and answer["decided"] == 1 and answer["next"] == first["id"]
    events, damaged = read_decisions(log, load(queue_dir))
    assert damaged == 1 and [(e["event"], e["id"]) for e in events] == [
        ("decide", first["id"]), ("decide", QUEUED[1]["id"]), ("clear", first["id"])]
    assert {i: d["decision"] for i, d in all_decisions(load(queue_dir)).items()} == {QUEUED[1]["id"]: "reject"}


def test_the_page_embeds_the_queued_candidates_as_data_never_as_markup(queue_dir, servers):
    server = Server(queue_dir).start()
    servers.append(server)
    status, headers, data = _request(server, "GET", "/")
    html = data.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    policy = headers["Content-Security-Policy"]
    for tag in ("script", "style"):  # the CSP allows exactly the page's own inline script and style
        body = re.search(rf"<{tag}>(.*?)</{tag}>", html, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in policy
    assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-store"
    raw = re.search(r'<script type="application/json" id="ftspec-data">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert [c["id"] for c in data["candidates"]] == [c["id"] for c in QUEUED]  # file order, none refused
    assert data["manifest"]["task"] == MANIFEST["task"] and data["reviewer"] is None
    assert REFUSED["id"] not in html and "<script>alert" not in html and "<" not in raw
    template = (ROOT / "ftspec" / "augment" / "queue_page.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", template)  # no external asset
    assert "innerHTML" not in template and "insertAdjacentHTML" not in template and " on" + "click=" not in template


def test_serve_refuses_what_is_not_a_queue(tmp_path):
    _need_bottle()
    (tmp_path / "queue.json").write_text('{"version": 2}', encoding="utf-8")
    proc = subprocess.run([str(FTSPEC), "review", "serve", str(tmp_path), "--port", "0"], capture_output=True,
                          text=True, timeout=30, cwd=ROOT)
    assert proc.returncode == 2 and "not a review queue manifest" in proc.stderr
    proc = subprocess.run([str(FTSPEC), "review", "serve", "--help"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and "queue" in proc.stdout and "--reviewer" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "ftspec.augment.app", "serve", "--help"], capture_output=True,
                          text=True, timeout=30, cwd=ROOT)
    assert proc.returncode == 0 and "QUEUE_DIR" in proc.stdout


# -- in a real browser ---------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


PROBLEMS: dict[int, list[str]] = {}  # id(page) -> CSP violations, script errors and dialogs seen on it


def _page(browser, url: str):
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    PROBLEMS[id(page)] = problems
    page.on("console", lambda m: "Content Security Policy" in m.text and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))

    def dialog(d) -> None:  # an alert() from candidate text would mean it ran as script
        problems.append(f"dialog: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(url)
    return page


def _shown(page) -> str:
    _wait(page, "document.body.dataset.view === 'item' && !document.body.dataset.busy")
    return page.evaluate("document.body.dataset.candidate")


def _decided(page) -> int:
    return int(page.evaluate("document.body.dataset.decided"))


def _press(page, key: str, decided: int) -> None:
    """Press a key that saves, and wait until the page counts `decided` and is not busy."""
    page.keyboard.press(key)
    _wait(page, f"document.body.dataset.decided === '{decided}' && !document.body.dataset.busy")


def test_a_reviewer_accepts_edits_rejects_and_undoes_by_keyboard_through_a_killed_server(queue_dir, browser,
                                                                                       servers):
    started = time.monotonic()
    server = Server(queue_dir, reviewer="alice").start()
    servers.append(server)
    ids = [c["id"] for c in QUEUED]
    page = _page(browser, server.url)
    shown: list[str] = []
    expected: list[tuple[str, str, str]] = []  # (event, id, decision) in the order they were made

    # 1: the task, the strategy, the provenance; accepted with `a`
    assert _shown(page) == ids[0]
    shown.append(ids[0])
    assert page.text_content("#strategy") == "template"
    assert page.eval_on_selector_all("#task dd", "d => d.map(x => x.textContent)") == [
        "t", "classification", "route support questions"]
    assert page.eval_on_selector_all("#labels .label-chip", "c => c.map(x => x.textContent)") == ["a", "b"]
    assert page.text_content("#labels .match") == "a"
    provenance = page.text_content("#provenance")
    assert "template group" in provenance and "Is order {n} late?" in provenance and "17" in provenance
    assert page.is_hidden("#flags") and page.text_content("#state") == "not decided yet"
    assert page.text_content("#progress") == "0 of 6 decided: 0 accepted, 0 edited, 0 rejected"
    _press(page, "a", 1)
    expected.append(("decide", ids[0], "accept"))

    # 2: edited: `e` goes to the input (the e is not typed); keys do nothing while typing; Ctrl+Enter saves
    assert _shown(page) == ids[1]
    shown.append(ids[1])
    provenance = page.text_content("#provenance")
    assert "data/train.jsonl:12" in provenance and "Where's my parcel?" in provenance and "local-7b" in provenance
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.id") == "input"
    assert page.input_value("#input") == QUEUED[1]["input"]
    page.keyboard.press("Control+a")
    new_input = "Where is my parcel right now? (a, r, j, k, u, n typed here do nothing)"
    page.keyboard.type(new_input)
    page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("a")  # a label the reviewer prefers
    assert page.is_visible("#input-edited") and page.is_visible("#output-edited") and _decided(page) == 1
    assert "not saved" in page.text_content("#state")
    assert page.is_visible("#label-warning") is False
    _press(page, "Control+Enter", 2)
    expected.append(("decide", ids[1], "edit"))
    events, _ = read_decisions(decisions_path(queue_dir, "alice"), load(queue_dir))
    assert {k: events[-1][k] for k in ("decision", "input", "output")} == {"decision": "edit", "input": new_input,
                                                                           "output": "a"}

    # 3: flagged; rejected with `r`, with a note
    assert _shown(page) == ids[2]
    shown.append(ids[2])
    assert page.is_visible("#flags") and "near-duplicate of data/train.jsonl:3" in page.text_content("#flags")
    assert "data/train.jsonl:9" in page.text_content("#provenance")
    page.keyboard.press("n")
    page.keyboard.type("too close to line 3")
    page.keyboard.press("Escape")
    _press(page, "r", 3)
    expected.append(("decide", ids[2], "reject"))

    # 4: accepted, then back with k and undone with u: not decided, and the page stays on it
    assert _shown(page) == ids[3]
    shown.append(ids[3])
    _press(page, "a", 4)
    expected.append(("decide", ids[3], "accept"))
    assert _shown(page) == ids[4]
    page.keyboard.press("k")
    assert _shown(page) == ids[3] and page.text_content("#state") == "accepted, saved"
    _press(page, "u", 3)
    expected.append(("clear", ids[3], ""))
    assert _shown(page) == ids[3] and page.text_content("#state") == "not decided yet"
    assert page.text_content("#progress") == "3 of 6 decided: 1 accepted, 1 edited, 1 rejected"

    # a reload resumes at the first candidate not decided; the saved decisions show on the way back
    page.reload()
    assert _shown(page) == ids[3] and _decided(page) == 3
    page.keyboard.press("ArrowLeft")
    assert _shown(page) == ids[2] and page.text_content("#state") == "rejected, saved"
    page.keyboard.press("ArrowLeft")
    assert _shown(page) == ids[1] and page.text_content("#state") == "edited, saved"
    assert page.input_value("#input") == new_input and page.is_visible("#input-edited")
    page.keyboard.press("j")
    page.keyboard.press("ArrowRight")
    assert _shown(page) == ids[3]
    _press(page, "a", 4)
    expected.append(("decide", ids[3], "accept"))

    # 5: hostile text stays text: no dialog, no script; the server is killed: the save fails visibly
    assert _shown(page) == ids[4]
    shown.append(ids[4])
    assert page.input_value("#input") == HOSTILE and HOSTILE in page.text_content("#provenance")
    server.kill()
    page.keyboard.press("a")
    _wait(page, "document.getElementById('status').className === 'error'")
    assert "Not saved" in page.text_content("#status")
    assert _shown(page) == ids[4] and _decided(page) == 4
    servers.append(server.start())  # restarted on the same port: `a` saves it
    _press(page, "a", 5)
    expected.append(("decide", ids[4], "accept"))

    # 6: the last; then the done view with the next step
    assert _shown(page) == ids[5]
    shown.append(ids[5])
    _press(page, "a", 6)
    expected.append(("decide", ids[5], "accept"))
    _wait(page, "document.body.dataset.view === 'done'")
    assert page.text_content("#done-title") == "Every candidate is decided"
    assert "ftspec augment t.ftspec --write" in page.text_content("#done-next")
    assert [page.text_content(f"#count-{k}") for k in ("accept", "edit", "reject", "open")] == ["4", "1", "1", "0"]
    assert PROBLEMS[id(page)] == []
    page.context.close()
    assert REFUSED["id"] not in shown and shown == ids
    print(f"browser: 6 candidates, an undo, a reload, a kill and a restart in {time.monotonic() - started:.1f}s")

    # on disk: every decision once, in the order made, nothing lost, nothing doubled
    queue = load(queue_dir)
    events, damaged = read_decisions(decisions_path(queue_dir, "alice"), queue)
    assert damaged == 0
    assert [(e["event"], e["id"], e.get("decision", "")) for e in events] == expected
    decided = all_decisions(queue)
    assert {i: d["decision"] for i, d in decided.items()} == {
        ids[0]: "accept", ids[1]: "edit", ids[2]: "reject", ids[3]: "accept", ids[4]: "accept", ids[5]: "accept"}
    assert (decided[ids[1]]["input"], decided[ids[1]]["output"]) == (new_input, "a")
    assert decided[ids[2]]["note"] == "too close to line 3"
    assert (decided[ids[4]]["input"], decided[ids[4]]["output"]) == (HOSTILE, "b")
    assert all(d["reviewer"] == "alice" for d in decided.values())


def test_ftspec_review_serve_opens_a_queue_and_the_page_asks_who_reviews(queue_dir, browser, servers):
    server = Server(queue_dir, cli=True).start()  # `ftspec review serve QUEUE_DIR`, no --reviewer
    servers.append(server)
    assert "each reviewer enters an id on the page" in server.lines[1]
    page = _page(browser, server.url)
    _wait(page, "document.body.dataset.view === 'ask'")
    page.fill("#reviewer-input", "Bob")  # ids are lower case
    page.keyboard.press("Enter")
    assert _shown(page) == QUEUED[0]["id"]
    _press(page, "r", 1)
    page.reload()  # the id is remembered in this browser; resumes at the next one
    _wait(page, "document.body.dataset.reviewer === 'bob'")
    assert _shown(page) == QUEUED[1]["id"] and _decided(page) == 1
    assert PROBLEMS[id(page)] == []
    page.context.close()
    events, _ = read_decisions(decisions_path(queue_dir, "bob"), load(queue_dir))
    assert [(e["reviewer"], e["id"], e["decision"]) for e in events] == [("bob", QUEUED[0]["id"], "reject")]


# -- the whole way: spec -> candidates -> a person in the browser -> reviewed data ----------


def test_from_a_spec_to_reviewed_training_data_through_the_browser(tmp_path, browser, servers, monkeypatch):
    """`ftspec augment` with a template group and a paraphrase block against a chat server on
    127.0.0.1, every candidate judged in the page (one edited, one rejected) across a server kill,
    `--write`, and the written file linted as training data."""
    from chat_server import ChatServer
    from test_augment import EVAL, SPEC, TEMPLATES, TRAIN, _endpoint_body, _jsonl, _model

    from ftspec.cli import main
    from ftspec.lint import lint_text

    _jsonl(tmp_path / "train.jsonl", TRAIN)
    _jsonl(tmp_path / "eval.jsonl", EVAL)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FTSPEC_CACHE_DIR", str(tmp_path / ".cache"))
    spec = tmp_path / "intents.ftspec"
    with ChatServer(_model) as chat:
        spec.write_text(SPEC.format(train='jsonl("train.jsonl")', body=TEMPLATES + "\n" + _endpoint_body(
            chat, "  paraphrase { count = 2  per_example = 2 }")), encoding="utf-8")
        monkeypatch.setenv("AUG_KEY", "sk")
        assert main(["augment", str(spec)]) == 0
    queue_dir = tmp_path / "augmented.review"
    queued = load(queue_dir).queued()
    assert [c["strategy"] for c in queued] == ["template"] * 5 + ["paraphrase"] * 2

    server = Server(queue_dir, reviewer="carol").start()
    servers.append(server)
    page = _page(browser, server.url)
    edited = "I ordered a card last week and it still has not come, where is it?"
    for n, candidate in enumerate(queued):
        assert _shown(page) == candidate["id"]
        if n == 1:
            page.keyboard.press("e")
            page.keyboard.press("Control+a")
            page.keyboard.type(edited)
            _press(page, "Control+Enter", n + 1)
        elif n == 2:
            _press(page, "r", n + 1)
        else:
            _press(page, "a", n + 1)
        if n == 4:  # the server dies between two decisions and comes back
            server.kill()
            servers.append(server.start())
            page.reload()
    _wait(page, "document.body.dataset.view === 'done'")
    assert PROBLEMS[id(page)] == []
    page.context.close()

    assert main(["augment", str(spec), "--write"]) == 0
    lines = [json.loads(line) for line in (tmp_path / "augmented.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 6  # 7 candidates, one rejected
    assert lines[1]["messages"][0]["content"] == edited and lines[1]["provenance"]["review"]["decision"] == "edit"
    assert {ln["provenance"]["strategy"] for ln in lines} == {"template", "paraphrase"}
    assert all(ln["provenance"]["review"]["reviewer"] == "carol" for ln in lines)
    assert all(ln["provenance"]["candidate"] in {c["id"] for c in queued} for ln in lines)

    # Trained on: the spec names the file, and lint passes (the review records are there).
    text = spec.read_text(encoding="utf-8").replace('train = jsonl("train.jsonl")',
                                                    'train = [jsonl("train.jsonl"), jsonl("augmented.jsonl")]')
    errors = [d for d in lint_text(text, str(spec), data=True) if d.code.startswith("DA") and
              d.severity.value == "error"]
    assert errors == []
