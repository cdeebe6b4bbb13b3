"""Sizing rules on real data files: the counts come from the JSONL files lint reads.

The issue's two done-when items: a spec with 60 training examples is refused with the
guide's reason, and a 10-label classification spec of 300 examples is told which 5
categories are below the per-category minimum.
"""

from __future__ import annotations

import json

import pytest

from ftspec.diagnostics import Severity
from ftspec.lint import lint_text

# Ten banking intents, each with its own wording: 5 templates x 10 fillers = 50 distinct messages.
INTENTS = {
    "card_arrival": (
        ["When will the card I ordered {} arrive?", "My new card, ordered {}, has still not come.",
         "Is the card I requested {} already on its way?", "How long until the card from {} shows up?",
         "I am still waiting for the card I asked for {}."],
        ["last Monday", "two weeks ago", "on the 3rd", "before my holiday", "in early May",
         "right after moving", "ten days back", "at the branch", "through the app", "over the phone"],
    ),
    "lost_or_stolen_card": (
        ["I think my card was stolen {}.", "My wallet with the card went missing {}.",
         "Someone took my debit card {}, please freeze it.", "I lost my card {} and need it blocked.",
         "Could you cancel my card? It disappeared {}."],
        ["at the train station", "on the bus", "in a taxi", "at the gym", "during a concert",
         "at the airport", "in a restaurant", "at a petrol station", "on the beach", "in the supermarket"],
    ),
    "pin_blocked": (
        ["My PIN got locked after I typed it wrong {}.", "The cash machine blocked my PIN {}.",
         "How do I unblock a PIN that was locked {}?", "I entered the wrong code three times {} and now it is blocked.",
         "Why was my PIN frozen {}?"],
        ["this morning", "yesterday evening", "at lunch", "on Sunday", "at the mall",
         "abroad", "at the ticket office", "in the car park", "at midnight", "at the pharmacy"],
    ),
    "top_up_failed": (
        ["My top-up of {} did not go through.", "I tried adding {} to my account but it failed.",
         "Why was my {} top-up declined?", "The app says the {} top-up was unsuccessful.",
         "Loading {} onto my balance keeps failing."],
        ["20 pounds", "50 euros", "100 dollars", "35 francs", "75 zloty",
         "a thousand kronor", "60 lira", "15 pounds", "40 euros", "90 dollars"],
    ),
    "exchange_rate": (
        ["What rate do you give for {}?", "How much will I get when I swap my money to {}?",
         "Is your conversion to {} better than the bank's?", "Which exchange rate applies when I pay in {}?",
         "Do you add a margin when converting into {}?"],
        ["Japanese yen", "Swiss francs", "US dollars", "Polish zloty", "Thai baht",
         "Mexican pesos", "Indian rupees", "Turkish lira", "Canadian dollars", "Norwegian kroner"],
    ),
    "refund_not_showing_up": (
        ["The refund from {} is not in my account yet.", "{} said they refunded me but I see nothing.",
         "Where is the money {} sent back?", "I returned an order to {} and the refund never appeared.",
         "My balance still lacks the refund from {}."],
        ["the airline", "an online shop", "the hotel", "a furniture store", "the cinema",
         "a shoe retailer", "the concert organiser", "a car rental firm", "the gym", "a bookshop"],
    ),
    "transfer_pending": (
        ["My transfer to {} is still pending.", "Why has the payment to {} not left my account?",
         "The money I sent to {} shows as processing.", "How long will the transfer to {} stay on hold?",
         "A payment to {} is stuck in pending status."],
        ["my landlord", "my sister", "a supplier", "my savings account", "a friend abroad",
         "the tax office", "my electrician", "a charity", "my university", "the garage"],
    ),
    "cash_withdrawal_charge": (
        ["I was charged a fee for taking cash out {}.", "Why did withdrawing money {} cost me extra?",
         "There is an unexpected charge on my ATM withdrawal {}.", "Do you charge for cash withdrawals {}?",
         "A withdrawal fee appeared after I got cash {}."],
        ["in Spain", "at a casino", "at the airport", "on a cruise ship", "in Canada",
         "from a corner shop machine", "in Japan", "at a motorway service area", "in Greece", "at a hospital"],
    ),
    "change_address": (
        ["I need to update my address to {}.", "How can I change my home address now that I live in {}?",
         "Please send my post to {} from now on.", "I moved to {}, where do I change my details?",
         "Can I edit my registered address to {} in the app?"],
        ["Leeds", "Bristol", "Glasgow", "Cardiff", "Belfast",
         "York", "Brighton", "Norwich", "Exeter", "Aberdeen"],
    ),
    "close_account": (
        ["I want to close my account {}.", "How do I shut down my account {}?",
         "Please delete my profile {}.", "What happens to my balance if I close the account {}?",
         "Can I cancel my membership {}?"],
        ["today", "by the end of the month", "before I emigrate", "after the last payment clears",
         "once my refund arrives", "this week", "next Friday", "as soon as possible", "after my salary lands",
         "before the new fees start"],
    ),
}
SYSTEM = "You route bank customer messages to an intent."


def _messages(user: str, assistant: str) -> str:
    return json.dumps({"messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user},
                                    {"role": "assistant", "content": assistant}]})


def intent_examples(label: str, n: int) -> list[str]:
    templates, fillers = INTENTS[label]
    texts = [t.format(f) for f in fillers for t in templates]  # filler-major: the first n vary the template
    assert n <= len(texts)
    return [_messages(text, label) for text in texts[:n]]


# Held out: one message per intent, worded unlike any training message.
EVAL = [
    ("Has the replacement plastic been posted out to me?", "card_arrival"),
    ("A pickpocket grabbed my purse, block everything please.", "lost_or_stolen_card"),
    ("Too many wrong guesses and now the four digits refuse to work.", "pin_blocked"),
    ("Adding funds with Apple Pay bounced back with an error.", "top_up_failed"),
    ("Tell me the markup for euro to sterling conversions.", "exchange_rate"),
    ("Weeks after the merchant confirmed reimbursement, nothing arrived.", "refund_not_showing_up"),
    ("Outgoing bank payment has been waiting since Tuesday.", "transfer_pending"),
    ("Getting notes from the hole in the wall abroad cost three euros.", "cash_withdrawal_charge"),
    ("New flat, new postcode: update my records.", "change_address"),
    ("Terminate everything, I am switching banks.", "close_account"),
]


def invoice_examples(n: int) -> list[str]:
    """Extraction: an invoice line to JSON; every example distinct in several fields."""
    suppliers = ["Baltic Freight", "Northwind Paper", "Kestrel Labs", "Orchard Foods", "Granite Build",
                 "Lumen Print", "Harbor Tools", "Cedar Logistics", "Vela Software", "Morrow Textiles"]
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
    out = []
    for i in range(n):
        supplier, month = suppliers[i % 10], months[(i * 7) % 12]
        number, day, total = f"INV-{2000 + i * 37}", 1 + (i * 11) % 28, 100 + (i * 173) % 9000 + (i % 100) / 100
        text = f"Invoice {number} from {supplier}, dated {day} {month} 2024, amount due {total:.2f} EUR."
        reply = json.dumps({"number": number, "supplier": supplier, "total": round(total, 2)})
        out.append(_messages(text, reply))
    return out


INVOICE_EVAL = [("Please process bill no. 88-XZ issued by Quayside Metals, payable: 412.00 GBP.",
                 json.dumps({"number": "88-XZ", "supplier": "Quayside Metals", "total": 412.0}))]


def _write(path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _lint(tmp_path, monkeypatch, spec: str):
    monkeypatch.setenv("FTSPEC_CACHE_DIR", str(tmp_path / ".cache"))
    return lint_text(spec, str(tmp_path / "s.ftspec"), data=True)


def _errors(diagnostics):
    return [f"{d.code} {d.message}" for d in diagnostics if d.severity is Severity.ERROR]


def _by_code(diagnostics, code):
    return [d for d in diagnostics if d.code == code]


EXTRACTION_SPEC = """\
ftspec 1
task "invoices" {{ kind = extraction }}
data {{ train = jsonl("train.jsonl")  eval = jsonl("eval.jsonl"){extra} }}
model {{ base = "m" }}
"""


def _invoices(tmp_path, n: int) -> None:
    _write(tmp_path / "train.jsonl", invoice_examples(n))
    _write(tmp_path / "eval.jsonl", [_messages(u, a) for u, a in INVOICE_EVAL])


def test_sixty_examples_are_refused_with_the_guides_reason(tmp_path, monkeypatch):
    _invoices(tmp_path, 60)
    diagnostics = _lint(tmp_path, monkeypatch, EXTRACTION_SPEC.format(extra=""))
    assert _errors(diagnostics) == [
        "SZ001 60 training examples in the data files; the guide's floor is 100"]
    (found,) = _by_code(diagnostics, "SZ001")
    assert "few-shot prompting will likely match or beat fine-tuning" in found.help
    assert (found.span.line, found.span.col) == (3, 16)  # data.train
    # The total below the extraction minimum (100) is SZ001's finding alone: no SZ002 or SZ003 repeating it.
    assert not _by_code(diagnostics, "SZ002") and not _by_code(diagnostics, "SZ003")


@pytest.mark.parametrize(("n", "refused"), [(99, True), (100, False)])
def test_the_floor_is_100_counted_examples(tmp_path, monkeypatch, n, refused):
    _invoices(tmp_path, n)
    diagnostics = _lint(tmp_path, monkeypatch, EXTRACTION_SPEC.format(extra=""))
    assert bool(_by_code(diagnostics, "SZ001")) is refused
    assert not _by_code(diagnostics, "SZ002")  # 100 meets the extraction minimum
    assert _errors(diagnostics) == ([f"SZ001 {n} training examples in the data files; the guide's floor is 100"]
                                    if refused else [])


CLASSIFICATION_SPEC = """\
ftspec 1
task "banking" {{ kind = classification  labels = [{labels}] }}
data {{ train = jsonl("train.jsonl")  eval = jsonl("eval.jsonl")  system = "{system}" }}{extra}
model {{ base = "m" }}
"""


def _banking(tmp_path, counts: dict[str, int]) -> None:
    lines = [line for label, n in counts.items() for line in intent_examples(label, n)]
    _write(tmp_path / "train.jsonl", lines)
    _write(tmp_path / "eval.jsonl", [_messages(u, a) for u, a in EVAL])


def _classification(labels, extra: str = "") -> str:
    return CLASSIFICATION_SPEC.format(labels=", ".join(labels), system=SYSTEM, extra=extra)


def test_ten_labels_and_300_examples_name_the_five_small_categories(tmp_path, monkeypatch):
    labels = list(INTENTS)
    big, small = labels[:5], labels[5:]
    _banking(tmp_path, {**{label: 50 for label in big}, **{label: 10 for label in small}})
    diagnostics = _lint(tmp_path, monkeypatch, _classification(labels))
    assert not _by_code(diagnostics, "SZ001")  # 300 is above the floor of 100
    (found,) = _by_code(diagnostics, "SZ002")
    assert found.severity is Severity.ERROR
    assert _errors(diagnostics) == [f"SZ002 {found.message}"]
    assert found.message.startswith("5 of 10 categories have fewer than 50 examples: ")
    for label in small:
        assert f"{label} (10)" in found.message
    for label in big:
        assert label not in found.message
    assert "50 per category" in found.message and "10 categories need 10x: 500" in found.message
    # The five that meet the minimum are still short of the recommended 200: a warning names them.
    (recommended,) = _by_code(diagnostics, "SZ003")
    assert recommended.severity is Severity.WARNING
    assert recommended.message.startswith("5 of 10 categories have fewer than 200 examples: ")
    assert all(label in recommended.message for label in big)
    assert not any(label in recommended.message for label in small)


def test_a_declared_label_with_no_example_counts_as_zero(tmp_path, monkeypatch):
    labels = list(INTENTS)[:3]
    _banking(tmp_path, {labels[0]: 50, labels[1]: 50})
    diagnostics = _lint(tmp_path, monkeypatch, _classification(labels))
    (found,) = _by_code(diagnostics, "SZ002")
    assert found.message.startswith(f"1 of 3 categories have fewer than 50 examples: {labels[2]} (0)")


def test_at_most_eight_categories_are_named(tmp_path, monkeypatch):
    labels = list(INTENTS)
    _banking(tmp_path, {label: 12 for label in labels})  # 120 examples, every category below 50
    diagnostics = _lint(tmp_path, monkeypatch, _classification(labels))
    (found,) = _by_code(diagnostics, "SZ002")
    assert found.message.startswith("10 of 10 categories have fewer than 50 examples: ")
    assert found.message.count("(12)") == 8 and "and 2 more" in found.message


def test_sizing_minimum_silences_the_recommended_warning(tmp_path, monkeypatch):
    labels = list(INTENTS)[:2]
    _banking(tmp_path, {label: 50 for label in labels})
    assert _by_code(_lint(tmp_path, monkeypatch, _classification(labels)), "SZ003")
    diagnostics = _lint(tmp_path, monkeypatch, _classification(labels, "\nsizing = minimum"))
    assert not _by_code(diagnostics, "SZ003") and not _by_code(diagnostics, "SZ002")
    assert _errors(diagnostics) == []


@pytest.mark.parametrize(("declared", "stale"), [(110, False), (90, False), (111, True), (89, True)])
def test_a_declared_count_more_than_10_percent_off_is_stale(tmp_path, monkeypatch, declared, stale):
    _invoices(tmp_path, 100)
    diagnostics = _lint(tmp_path, monkeypatch, EXTRACTION_SPEC.format(extra=f"  train_examples = {declared}"))
    assert bool(_by_code(diagnostics, "SZ005")) is stale
    assert not _by_code(diagnostics, "SZ004")  # the data was counted
    assert _errors(diagnostics) == []


def test_a_declared_count_is_used_when_the_training_file_is_missing(tmp_path, monkeypatch):
    _write(tmp_path / "eval.jsonl", [_messages(u, a) for u, a in INVOICE_EVAL])
    spec = EXTRACTION_SPEC.format(extra="  train_examples = 60").replace("train.jsonl", "missing.jsonl")
    diagnostics = _lint(tmp_path, monkeypatch, spec)
    assert [d.code for d in _by_code(diagnostics, "SZ001")] == ["SZ001"]
    assert "declared (data.train_examples)" in _by_code(diagnostics, "SZ001")[0].message
    (found,) = _by_code(diagnostics, "SZ004")
    assert "a training file was not found" in found.message


def test_a_large_local_model_is_sized_from_its_config(tmp_path, monkeypatch):
    """DE007 reads a local model folder's config.json (here a 70B Llama's shapes)."""
    _invoices(tmp_path, 100)
    (tmp_path / "big").mkdir()
    config = {"hidden_size": 8192, "num_hidden_layers": 80, "intermediate_size": 28672, "vocab_size": 128256,
              "num_attention_heads": 64, "num_key_value_heads": 8, "tie_word_embeddings": False}
    (tmp_path / "big" / "config.json").write_text(json.dumps(config), encoding="utf-8")
    spec = EXTRACTION_SPEC.format(extra="").replace('base = "m"', 'base = "big"')
    spec += "decision { why = latency }\n"
    (found,) = _by_code(_lint(tmp_path, monkeypatch, spec), "DE007")
    assert "about 70.6B parameters (estimated from its config.json)" in found.message
    config.update(hidden_size=4096, num_hidden_layers=32, intermediate_size=14336, num_attention_heads=32)
    (tmp_path / "big" / "config.json").write_text(json.dumps(config), encoding="utf-8")  # an 8B Llama: 8.03B
    assert not _by_code(_lint(tmp_path, monkeypatch, spec), "DE007")
