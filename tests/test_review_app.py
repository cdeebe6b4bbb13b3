"""`ftspec review serve` and the review page (ftspec/evaluate/review_app.py, review_page.html).

The log and the fold, Cohen's kappa and the server's refusals are tested directly. The page is
tested as a reviewer uses it: the real server runs as a subprocess, headless Chromium (Debian's,
driven by Playwright) judges pairs with the keyboard, reloads, survives a SIGKILL of the server
and a restart, and what lands on disk is imported with the key and compared with the truth. Two
reviewers give a kappa; the static page (file://) keeps judgments in localStorage and downloads
a form that imports.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from browser_support import chromium
from browser_support import need_bottle as _need_bottle
from browser_support import wait as _wait
from jsonschema import Draft202012Validator

from ftspec.evaluate import review_app
from ftspec.evaluate.review import (
    ReviewError,
    cohen_kappa,
    export,
    import_judgments,
    load_schema,
    reviewer_agreement,
)
from ftspec.evaluate.review_app import (
    EventLog,
    export_judgments,
    fold,
    judgments_from_log,
    log_path,
    make_server,
    read_log,
    render_page,
    reviewer_order,
    write_page,
)

ROOT = Path(__file__).resolve().parent.parent

# 12 eval examples, 2 with identical replies (not drawn): 10 pairs. On WINS the fine-tuned reply is
# the reference, on LOSSES the other one is; on the rest both are wrong (a tie), the fine-tuned one
# with a format error as well.
IDENTICAL = {4, 9}
WINS = {0, 2, 5, 7, 10}
LOSSES = {1, 6, 11}


def _example(i: int) -> dict:
    reference = f"Answer {i}: your card arrives within {i + 2} working days."
    if i in IDENTICAL:
        mine = theirs = f"Same reply {i}."
    elif i in WINS:
        mine, theirs = reference, f"Wrong reply {i}."
    elif i in LOSSES:
        mine, theirs = f"Wrong reply {i}.", reference
    else:
        mine, theirs = f"Wrong reply {i}. [bad format]", f"Another wrong reply {i}."
    return {"index": i, "messages": [{"role": "system", "content": "You answer questions about cards."},
                                     {"role": "user", "content": f"Question {i}: when does my card arrive?"}],
            "reference": reference, "outputs": {"prompted_base": theirs, "fine_tuned": mine}}


def _results() -> dict:
    rungs = {"prompted_base": {"examples": 12, "metrics": {}},
             "fine_tuned": {"examples": 12, "metrics": {}, "unavailable": {"win_rate": "human review"}}}
    return {"format": 1, "kind": "run", "created": "2025-01-01T00:00:00+00:00",
            "spec": {"name": "card-support", "file": "card.ftspec", "sha256": "0" * 64},
            "task": {"kind": "style", "labels": None}, "eval_set": {"examples": 12, "sha256": "ab" * 32, "limit": None},
            "decoding": {"strategy": "greedy", "max_new_tokens": 64, "batch_size": 8}, "rungs": rungs,
            "acceptance": [], "passed": True, "training": None, "overfitting": []}


@pytest.fixture
def review(tmp_path) -> tuple[Path, Path]:
    """(run folder, packet folder) of an exported packet of 10 pairs."""
    run = tmp_path / "run"
    run.mkdir()
    (run / "results.json").write_text(json.dumps(_results()), encoding="utf-8")
    (run / "predictions.jsonl").write_text("".join(json.dumps(_example(i)) + "\n" for i in range(12)),
                                           encoding="utf-8")
    out = tmp_path / "packet"
    export(run, out, pairs=20, seed=99)
    return run, out


def _load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _truth(item: dict) -> tuple[str, dict]:
    """What a careful reviewer decides from the page alone: the reply that is the reference is
    better (a tie when neither is); a wrong reply is `factual`, and `format` when marked so."""
    right = [side for side in "ab" if item[side] == item["reference"]]
    errors = {side: [] if item[side] == item["reference"] else
              ["factual", *(["format"] if "[bad format]" in item[side] else [])] for side in "ab"}
    return (right[0] if right else "tie"), errors


def _expected_counts(out: Path, judged: dict[str, str]) -> tuple[int, int, int]:
    """Wins, losses and ties of the fine-tuned model, unblinded with the key by hand."""
    sides = {item["id"]: item["fine_tuned"] for item in _load(out / "key.json")["items"]}
    wins = sum(p == sides[i] for i, p in judged.items())
    ties = sum(p == "tie" for p in judged.values())
    return wins, len(judged) - wins - ties, ties


def _event(packet: dict, item: str, preferred: str | None = "a", reviewer: str = "ann", **fields) -> dict:
    if preferred is None:
        return {"event": "clear", "packet": packet["packet"], "reviewer": reviewer, "id": item,
                "at": "2025-01-01T00:00:00Z"}
    return {"event": "judge", "packet": packet["packet"], "reviewer": reviewer, "id": item, "preferred": preferred,
            "errors": fields.get("errors", {"a": [], "b": []}), "note": fields.get("note", ""),
            "at": "2025-01-01T00:00:00Z"}


# -- the log and its fold ------------------------------------------------------------


def test_fold_last_judgment_wins_and_clear_undoes(review):
    _, out = review
    packet = _load(out / "packet.json")
    events = [_event(packet, "p001", "a"), _event(packet, "p002", "tie"), _event(packet, "p001", "b", note="again"),
              _event(packet, "p003", "a"), _event(packet, "p003", None)]
    judged = fold(events)
    assert list(judged) == ["p002", "p001"]  # in the order of each item's last judgment
    assert judged["p001"] == {"preferred": "b", "errors": {"a": [], "b": []}, "note": "again"}
    assert "p003" not in judged


def test_a_write_cut_by_a_kill_is_skipped_and_the_next_append_starts_a_new_line(review):
    _, out = review
    packet = _load(out / "packet.json")
    path = log_path(out, "ann")
    log = EventLog(path)
    log.append(_event(packet, "p001", "a"))
    log.append(_event(packet, "p002", "b"))
    full = json.dumps(_event(packet, "p003", "tie")).encode()
    with path.open("ab") as f:  # what a SIGKILL in the middle of a write leaves
        f.write(full[: len(full) // 2])
    read = read_log(path, packet)
    assert (list(read.judgments), read.damaged) == (["p001", "p002"], 1)

    log.append(_event(packet, "p004", "a"))  # after a restart: the cut line stays a line of its own
    lines = path.read_bytes().split(b"\n")
    assert lines[2] == full[: len(full) // 2] and json.loads(lines[3])["id"] == "p004"
    read = read_log(path, packet)
    assert (list(read.judgments), read.damaged) == (["p001", "p002", "p004"], 1)
    assert read.reviewer == "ann" and read.packet == packet["packet"]


def test_a_log_edited_into_a_wrong_event_is_refused_with_its_line(review):
    _, out = review
    packet = _load(out / "packet.json")
    path = log_path(out, "ann")
    good = json.dumps(_event(packet, "p001", "a"))
    cases = [
        (_event(packet, "p001", "c"), "line 2: preferred: 'c' is not one of"),
        (_event(packet, "p999", "a"), "line 2: id: 'p999' is not an item of this packet"),
        (_event(packet, "p001", "a", errors={"a": ["spelling"], "b": []}), "'spelling' is not a category"),
        (_event(packet, "p001", "a", reviewer="bob"), "one file per reviewer and packet"),
        ({**_event(packet, "p001", "a"), "model": "x"}, "unexpected field(s) in a judge event: model"),
    ]
    for bad, message in cases:
        path.write_text(f"{good}\n{json.dumps(bad)}\n", encoding="utf-8")
        with pytest.raises(ReviewError, match=re.escape(message)):
            read_log(path, packet)
    assert read_log(out / "judgments-nobody.jsonl", packet).events == []
    with pytest.raises(ReviewError, match="reviewer id 'Ann'"):
        log_path(out, "Ann")


def test_reviewer_order_is_a_shuffle_seeded_by_the_reviewer(review):
    _, out = review
    packet = _load(out / "packet.json")
    ids = [item["id"] for item in packet["items"]]
    ann, bob = reviewer_order(packet, "ann"), reviewer_order(packet, "bob")
    assert sorted(ann) == sorted(bob) == ids
    assert ann == reviewer_order(packet, "ann") and ann != bob and ann != ids
    # the hash the page computes too (review_page.html h32); FNV-1a then murmur3's finaliser
    assert (review_app._h32(""), review_app._h32("abc")) == (2872998923, 482950588)


def test_export_judgments_folds_the_log_into_the_form_import_reads(review):
    run, out = review
    packet = _load(out / "packet.json")
    log = EventLog(log_path(out, "ann"))
    truth = {item["id"]: _truth(item) for item in packet["items"]}
    first = [item["id"] for item in packet["items"]][:6]
    for item in first:
        log.append({**_event(packet, item, "b" if truth[item][0] == "a" else "a")})  # a slip, corrected below
    for item in first:
        preferred, errors = truth[item]
        log.append(_event(packet, item, preferred, errors=errors, note=f"note {item}"))
    log.append(_event(packet, first[-1], None))  # undone

    form_path = export_judgments(out, "ann")
    assert form_path == out / "judgments-ann.json"
    form = _load(form_path)
    Draft202012Validator(load_schema("review-judgments.schema.json")).validate(form)
    assert [j["id"] for j in form["judgments"]] == [item["id"] for item in packet["items"]]
    judged = {j["id"]: j["preferred"] for j in form["judgments"] if j["preferred"]}
    assert judged == {item: truth[item][0] for item in first[:5]}
    assert form["judgments"][0]["note"] == f"note {first[0]}"

    expected = _expected_counts(out, judged)
    for source in (form_path, log_path(out, "ann")):  # the form, or the log itself
        human = import_judgments(run, [source], out / "key.json")
        assert (human["wins"], human["losses"], human["ties"]) == expected
        assert (human["judged"], human["unjudged"], human["reviewers"]) == (5, 5, ["ann"])
        assert "agreement" not in human  # one reviewer
    assert judgments_from_log(log_path(out, "ann"))["reviewer"] == "ann"


# -- kappa ---------------------------------------------------------------------------


def test_cohen_kappa_against_a_hand_computed_value():
    # 10 items; they agree on 7: p_o = 0.7. ann: a 5, b 3, tie 2; bob: a 5, b 3, tie 2.
    # p_e = 0.5*0.5 + 0.3*0.3 + 0.2*0.2 = 0.38; kappa = (0.7 - 0.38) / (1 - 0.38) = 0.32 / 0.62 = 16/31
    ann = ["a", "a", "a", "a", "b", "b", "b", "tie", "tie", "a"]
    bob = ["a", "a", "a", "b", "b", "b", "tie", "tie", "a", "a"]
    assert cohen_kappa(ann, bob) == pytest.approx(16 / 31)
    assert cohen_kappa(["a", "b", "tie"], ["a", "b", "tie"]) == 1.0
    # always opposite: p_o = 0, p_e = 0.5 -> -1
    assert cohen_kappa(["a", "b"], ["b", "a"]) == -1.0
    # every item "a" by both: p_e = 1, kappa is 0/0
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None
    with pytest.raises(ValueError):
        cohen_kappa(["a"], ["a", "b"])
    with pytest.raises(ValueError):
        cohen_kappa([], [])


def test_agreement_over_the_items_both_reviewers_judged():
    ann = {f"p{i:03d}": p for i, p in enumerate(["a", "a", "a", "a", "b", "b", "b", "tie", "tie", "a"], start=1)}
    bob = {f"p{i:03d}": p for i, p in enumerate(["a", "a", "a", "b", "b", "b", "tie", "tie", "a", "a"], start=1)}
    bob["p011"] = "b"  # judged by bob only: not compared
    agreement = reviewer_agreement({"ann": ann, "bob": bob, "cy": {"p020": "a"}})
    assert agreement == {"kappa": pytest.approx(16 / 31), "pairs": [
        {"reviewers": ["ann", "bob"], "items": 10, "observed": 0.7, "kappa": pytest.approx(16 / 31)}]}
    assert reviewer_agreement({"ann": ann}) is None
    assert reviewer_agreement({"ann": {"p001": "a"}, "bob": {"p002": "a"}}) is None


def test_import_of_two_reviewers_reports_their_kappa(review):
    run, out = review
    packet = _load(out / "packet.json")
    forms = []
    for name, flip in (("ann", set()), ("bob", {1, 4})):
        judgments = []
        for n, item in enumerate(packet["items"]):
            preferred, errors = _truth(item)
            if n in flip:
                preferred = "tie" if preferred != "tie" else "a"
            judgments.append({"id": item["id"], "preferred": None if (name == "bob" and n == 9) else preferred,
                              "errors": errors, "note": ""})
        path = out / f"judgments-{name}.json"
        path.write_text(json.dumps({"packet": packet["packet"], "reviewer": name, "judgments": judgments}))
        forms.append(path)
    human = import_judgments(run, forms, out / "key.json")
    labels = {name: {j["id"]: j["preferred"] for j in _load(p)["judgments"] if j["preferred"]}
              for name, p in zip(("ann", "bob"), forms, strict=True)}
    common = sorted(set(labels["ann"]) & set(labels["bob"]))
    assert len(common) == 9
    kappa = cohen_kappa([labels["ann"][i] for i in common], [labels["bob"][i] for i in common])
    assert human["agreement"] == {"kappa": kappa, "pairs": [{"reviewers": ["ann", "bob"], "items": 9,
                                                             "observed": 7 / 9, "kappa": kappa}]}
    Draft202012Validator(load_schema("results.schema.json")).validate(_load(run / "results.json"))


# -- the server, without a browser ---------------------------------------------------


@pytest.fixture
def server(review):
    """The app on a free port in this process: (base URL's port, packet folder)."""
    _need_bottle()
    _, out = review
    srv = make_server(out, reviewer=None, port=0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_address[1], out
    srv.shutdown()
    srv.server_close()


def _request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    answer = connection.getresponse()
    data = answer.read()
    connection.close()
    return answer.status, dict(answer.getheaders()), data


def test_the_server_binds_127_0_0_1_only(review):
    _need_bottle()
    _, out = review
    for host in ("0.0.0.0", "::", "192.168.1.10", "localhost"):
        with pytest.raises(ReviewError, match="binds 127.0.0.1 only"):
            make_server(out, port=0, host=host)
    srv = make_server(out, port=0)
    try:
        assert srv.server_address[0] == "127.0.0.1"
    finally:
        srv.server_close()


def test_the_server_answers_bad_requests_400_with_a_message(server):
    port, out = server
    packet = _load(out / "packet.json")
    good = {"event": "judge", "packet": packet["packet"], "reviewer": "ann", "id": "p001", "preferred": "a",
            "errors": {"a": [], "b": ["factual"]}, "note": "ok"}
    json_type = {"Content-Type": "application/json"}
    cases = [
        (b"{not json", json_type, "the body is not JSON"),
        (json.dumps(good).encode(), {"Content-Type": "text/plain"}, "send the event as application/json"),
        (json.dumps([good]).encode(), json_type, "an event is a JSON object"),
        (json.dumps({**good, "preferred": "c"}).encode(), json_type, "preferred: 'c' is not one of"),
        (json.dumps({**good, "id": "p999"}).encode(), json_type, "id: 'p999' is not an item of this packet"),
        (json.dumps({**good, "errors": {"a": ["spelling"], "b": []}}).encode(), json_type,
         "errors.a: 'spelling' is not a category of this packet; use one of: factual, format, reasoning, other"),
        (json.dumps({**good, "packet": "0" * 16}).encode(), json_type, "is not this packet"),
        (json.dumps({**good, "reviewer": "Ann Lee"}).encode(), json_type, "reviewer: 'Ann Lee': use"),
        (json.dumps({**good, "at": "2020-01-01T00:00:00Z"}).encode(), json_type, "unexpected field(s)"),
        (json.dumps({k: v for k, v in good.items() if k != "note"}).encode(), json_type, "missing field(s)"),
        (json.dumps({**good, "note": "x" * 10_001}).encode(), json_type, "note: a text of at most"),
    ]
    for body, headers, message in cases:
        status, answer_headers, data = _request(port, "POST", "/api/events", body, headers)
        assert status == 400, (message, data)
        assert answer_headers["Content-Type"].startswith("application/json")
        assert message in json.loads(data)["error"], data
    assert not log_path(out, "ann").exists()  # nothing refused was written

    status, _, data = _request(port, "GET", "/api/events")
    assert status == 400 and "reviewer: missing" in json.loads(data)["error"]
    status, _, data = _request(port, "GET", "/api/nothing")
    assert status == 404 and "not part of the review app" in json.loads(data)["error"]
    status, _, data = _request(port, "DELETE", "/api/events")
    assert status == 405
    # another host name (DNS rebinding) or another site's page: refused
    status, _, data = _request(port, "GET", "/", headers={"Host": f"evil.example:{port}"})
    assert status == 403 and "host" in json.loads(data)["error"]
    status, _, data = _request(port, "POST", "/api/events", json.dumps(good).encode(),
                               {**json_type, "Origin": "http://evil.example"})
    assert status == 403 and not log_path(out, "ann").exists()

    # a good event: on disk before the answer, with the server's time
    status, _, data = _request(port, "POST", "/api/events", json.dumps(good).encode(), json_type)
    assert status == 200, data
    answer = json.loads(data)
    assert answer["judged"] == 1 and answer["saved"]["at"]
    lines = log_path(out, "ann").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [answer["saved"]]
    status, headers, data = _request(port, "GET", "/api/judgments?reviewer=ann")
    assert status == 200 and 'filename="judgments-ann.json"' in headers["Content-Disposition"]
    assert json.loads(data)["judgments"][0] == {"id": "p001", "preferred": "a", "errors": {"a": [], "b": ["factual"]},
                                                "note": "ok"}
    status, headers, data = _request(port, "GET", "/")
    assert status == 200 and "script-src 'sha256-" in headers["Content-Security-Policy"]


def test_a_server_for_one_reviewer_refuses_another(review):
    _need_bottle()
    _, out = review
    packet = _load(out / "packet.json")
    srv = make_server(out, reviewer="ann", port=0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        event = {"event": "clear", "packet": packet["packet"], "reviewer": "bob", "id": "p001"}
        status, _, data = _request(srv.server_address[1], "POST", "/api/events", json.dumps(event).encode(),
                                   {"Content-Type": "application/json"})
        assert status == 400 and "judgments by 'ann' only" in json.loads(data)["error"]
    finally:
        srv.shutdown()
        srv.server_close()


def test_the_page_is_self_contained_and_its_data_cannot_break_out(review):
    _, out = review
    template = (ROOT / "ftspec" / "evaluate" / "review_page.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", template)  # no external asset
    assert "http://" not in template and "https://" not in template
    packet = _load(out / "packet.json")
    packet["items"][0]["a"] = "</script><script>alert(1)</script><!--"
    html = render_page(packet, mode="static")
    data = re.search(r'<script type="application/json" id="ftspec-data">(.*?)</script>', html, re.S).group(1)
    assert json.loads(data)["packet"]["items"][0]["a"] == packet["items"][0]["a"]
    for tag in ("script", "style"):  # the CSP allows exactly the page's own inline script and style
        body = re.search(rf"<{tag}>(.*?)</{tag}>", html, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in html
    assert "connect-src 'none'" in html
    page = write_page(out)
    key, text = _load(out / "key.json"), page.read_text(encoding="utf-8")
    assert page == out / "review.html" and packet["packet"] in text
    for secret in ("fine_tuned", "prompted_base", key["packet_sha256"], key["predictions_sha256"], key["run"]):
        assert secret not in text


# -- in a real browser ---------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


class Server:
    """`ftspec review serve` as a subprocess (python -m ftspec.evaluate.review_app)."""

    def __init__(self, packet_dir: Path, reviewer: str | None = None) -> None:
        self.packet_dir, self.reviewer = packet_dir, reviewer
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> Server:
        command = [sys.executable, "-m", "ftspec.evaluate.review_app", "serve", str(self.packet_dir),
                   "--port", str(self.port), *(["--reviewer", self.reviewer] if self.reviewer else [])]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline().decode() if ready else ""
        assert self.url in line, (line, self.proc.poll(), self.proc.stderr.read().decode() if self.proc.poll() else "")
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture
def servers():
    started: list[Server] = []
    yield started
    for s in started:
        s.kill()


def _page(browser, url: str):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    PROBLEMS[id(page)] = problems
    page.on("console", lambda m: "Content Security Policy" in m.text and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url)
    return page


PROBLEMS: dict[int, list[str]] = {}  # id(page) -> CSP violations and script errors seen on it


def _problems(page) -> list[str]:
    return PROBLEMS[id(page)]


def _shown(page) -> str:
    _wait(page, "document.body.dataset.view === 'item' && !document.body.dataset.busy")
    return page.evaluate("document.body.dataset.item")


def _judged(page) -> int:
    return int(page.evaluate("document.body.dataset.judged"))


def _decide(page, packet: dict, *, keys: str = "digits", note: str = "", contrary: bool = False) -> tuple[str, str]:
    """Judge the item on screen from what the page shows, with the keyboard; returns (item, preferred)."""
    item = _shown(page)
    shown = {"a": page.text_content("#reply-a"), "b": page.text_content("#reply-b"),
             "reference": page.text_content("#reference")}
    assert shown == {k: next(i for i in packet["items"] if i["id"] == item)[k] for k in shown}
    preferred, errors = _truth(shown)
    if contrary:
        preferred = {"a": "b", "b": "a", "tie": "a"}[preferred]
    for side in "ab":  # e: tag A, e again: tag B; a digit toggles the category of that number
        page.keyboard.press("e")
        if side == "b":
            assert page.evaluate("document.getElementById('card-b').classList.contains('tagging')")
        for name in errors[side]:
            page.keyboard.press(str(packet["categories"].index(name) + 1))
    page.keyboard.press("Escape")
    page.keyboard.press({"digits": {"a": "1", "b": "2", "tie": "3"}, "letters": {"a": "a", "b": "b", "tie": "t"}}[
        keys][preferred])
    for side in "ab":
        pressed = page.eval_on_selector_all(f"#errors-{side} .chip[aria-pressed=true]",
                                            "chips => chips.map(c => c.dataset.category)")
        assert pressed == errors[side]
    if note:
        page.keyboard.press("n")
        page.keyboard.type(note)
    return item, preferred


def _save(page, judged_before: int, *, new: bool = True) -> None:
    page.keyboard.press("Enter")
    _wait(page, f"Number(document.body.dataset.judged) === {judged_before + (1 if new else 0)} "
                "&& !document.body.dataset.busy")


def _check_log(out: Path, reviewer: str, packet: dict, expected: dict[str, str], rejudged: set[str]) -> None:
    """Every judgment on disk, once: a judge event per item (more only for the items judged again)."""
    log = read_log(log_path(out, reviewer), packet)
    assert log.damaged == 0
    judge_events = [e["id"] for e in log.events if e["event"] == "judge"]
    assert sorted(set(judge_events)) == sorted(expected)
    assert {i for i in judge_events if judge_events.count(i) > 1} == rejudged
    assert {i: j["preferred"] for i, j in log.judgments.items()} == expected


def test_a_reviewer_judges_by_keyboard_reloads_and_survives_a_killed_server(review, browser, servers):
    run, out = review
    packet = _load(out / "packet.json")
    order = reviewer_order(packet, "ann")
    server = Server(out, reviewer="ann").start()
    servers.append(server)
    started = time.monotonic()
    page = _page(browser, server.url)
    assert page.evaluate("document.body.dataset.mode") == "server"
    assert page.evaluate("window.ftspecReview.orderFor('ann')") == order  # the page's order is Python's
    assert page.evaluate("window.ftspecReview.orderFor('bob')") == reviewer_order(packet, "bob")

    expected: dict[str, str] = {}
    # Enter with nothing chosen: a reminder, nothing saved
    page.keyboard.press("Enter")
    _wait(page, "document.getElementById('status').className === 'warn'")
    assert _judged(page) == 0 and not log_path(out, "ann").exists()
    for n in range(3):
        item, preferred = _decide(page, packet, keys="digits" if n % 2 else "letters", note="looks right" * (n == 2))
        assert item == order[n]
        _save(page, n)
        expected[item] = preferred
    assert read_log(log_path(out, "ann"), packet).judgments[order[2]]["note"] == "looks right"

    page.reload()  # resumes at the first item not judged
    assert _shown(page) == order[3] and _judged(page) == 3
    item, preferred = _decide(page, packet)
    _save(page, 3)
    expected[item] = preferred

    # back to an earlier item, judge it wrong, undo (u) and judge it right: last one wins
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert _shown(page) == order[2]
    wrong = {"a": "2", "b": "1", "tie": "1"}[expected[order[2]]]
    page.keyboard.press(wrong)
    _save(page, 4, new=False)
    _wait(page, f"document.body.dataset.item === '{order[4]}'")
    page.keyboard.press("u")
    _wait(page, f"document.body.dataset.item === '{order[2]}' && document.body.dataset.judged === '3'")
    wrong_choice = {"1": "a", "2": "b"}[wrong]  # undo puts the undone choice back on the page
    assert page.get_attribute(f"#choose-{wrong_choice}", "aria-pressed") == "true"
    page.keyboard.press({"a": "1", "b": "2", "tie": "3"}[expected[order[2]]])
    _save(page, 3)
    assert _shown(page) == order[4]

    # the server is killed: the next save fails visibly, and the page keeps the choice
    server.kill()
    item, preferred = _decide(page, packet)
    page.keyboard.press("Enter")
    _wait(page, "document.getElementById('status').className === 'error'")
    assert "Not saved" in page.text_content("#status")
    assert _shown(page) == item == order[4] and _judged(page) == 4
    servers.append(server.start())  # restarted on the same port: Enter saves the kept choice
    _save(page, 4)
    expected[item] = preferred

    while page.evaluate("document.body.dataset.view") == "item":
        judged = _judged(page)
        item, preferred = _decide(page, packet)
        _save(page, judged)
        expected[item] = preferred
    assert page.evaluate("document.body.dataset.view") == "done" and len(expected) == 10
    assert _problems(page) == []
    print(f"browser: 10 judgments, a reload, a kill and a restart in {time.monotonic() - started:.1f}s")
    page.context.close()

    _check_log(out, "ann", packet, expected, rejudged={order[2]})
    form = _load(export_judgments(out, "ann"))
    Draft202012Validator(load_schema("review-judgments.schema.json")).validate(form)
    assert {j["id"]: j["preferred"] for j in form["judgments"]} == expected
    human = import_judgments(run, [log_path(out, "ann")], out / "key.json")
    assert (human["wins"], human["losses"], human["ties"]) == _expected_counts(out, expected)
    # unblinded: the careful reviewer prefers the reference, which is the fine-tuned reply on WINS
    assert (human["wins"], human["losses"], human["ties"]) == (len(WINS), len(LOSSES), 10 - len(WINS) - len(LOSSES))
    assert human["errors"]["fine_tuned"] == {"factual": 5, "format": 2, "reasoning": 0, "other": 0}
    assert human["errors"]["prompted_base"] == {"factual": 7, "format": 0, "reasoning": 0, "other": 0}


def test_two_reviewers_on_one_server_and_their_kappa(review, browser, servers):
    run, out = review
    packet = _load(out / "packet.json")
    server = Server(out).start()
    servers.append(server)
    labels: dict[str, dict[str, str]] = {}
    for name, typed, count in (("ann", "Ann", 10), ("bob", "bob", 7)):
        page = _page(browser, server.url)
        _wait(page, "document.body.dataset.view === 'ask'")
        page.fill("#reviewer-input", typed)  # ids are lower case
        page.keyboard.press("Enter")
        assert _shown(page) == reviewer_order(packet, name)[0]
        labels[name] = {}
        for n in range(count):
            item, preferred = _decide(page, packet, contrary=name == "bob" and n % 3 == 0)
            _save(page, n)
            labels[name][item] = preferred
        page.reload()  # the id is remembered in this browser
        _wait(page, f"document.body.dataset.reviewer === '{name}'")
        assert _problems(page) == []
        page.context.close()
    assert reviewer_order(packet, "ann") != reviewer_order(packet, "bob")

    human = import_judgments(run, [log_path(out, "ann"), log_path(out, "bob")], out / "key.json")
    common = [i for i in labels["ann"] if i in labels["bob"]]
    kappa = cohen_kappa([labels["ann"][i] for i in common], [labels["bob"][i] for i in common])
    assert len(common) == 7 and kappa is not None and kappa < 1
    assert human["agreement"]["kappa"] == pytest.approx(kappa)
    assert human["agreement"]["pairs"][0]["reviewers"] == ["ann", "bob"]
    assert human["judged"] == 17 and human["reviewers"] == ["ann", "bob"]


def test_the_static_page_keeps_judgments_in_the_browser_and_downloads_them(review, browser, tmp_path):
    run, out = review
    packet = _load(out / "packet.json")
    page_file = write_page(out)
    page = _page(browser, page_file.as_uri())
    assert page.evaluate("document.body.dataset.mode") == "static"
    _wait(page, "document.body.dataset.view === 'ask'")
    page.fill("#reviewer-input", "cy")
    page.keyboard.press("Enter")
    order = reviewer_order(packet, "cy")
    expected = {}
    for n in range(4):
        item, preferred = _decide(page, packet, keys="letters")
        assert item == order[n]
        _save(page, n)
        expected[item] = preferred
    page.reload()  # localStorage keeps them; the reviewer id is remembered
    assert _shown(page) == order[4] and _judged(page) == 4
    while page.evaluate("document.body.dataset.view") == "item":
        judged = _judged(page)
        item, preferred = _decide(page, packet)
        _save(page, judged)
        expected[item] = preferred
    with page.expect_download() as download:
        page.keyboard.press("d")
    assert download.value.suggested_filename == "judgments-cy.json"
    saved = tmp_path / "judgments-cy.json"
    download.value.save_as(saved)
    assert _problems(page) == []
    page.context.close()

    form = _load(saved)
    Draft202012Validator(load_schema("review-judgments.schema.json")).validate(form)
    assert {j["id"]: j["preferred"] for j in form["judgments"]} == expected and len(expected) == 10
    human = import_judgments(run, [saved], out / "key.json")
    assert (human["wins"], human["losses"], human["ties"]) == (len(WINS), len(LOSSES), 10 - len(WINS) - len(LOSSES))
