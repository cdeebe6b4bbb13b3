#!/usr/bin/env python3
# ruff: noqa: E501  (templates and data tables: long string lines are easier to review whole)
"""Rebuild the example datasets under specs/examples/data/ (standard library only).

    python specs/examples/data/generate.py [--banking77 DIR] [--only NAME ...]

What it writes (see README.md beside this file):

- banking/train.jsonl, banking/eval.jsonl: a filtered subset of the real Banking77 data
  (CC BY 4.0), read from DIR (default: $BANKING77_DIR or /work/shared/data/banking77).
- invoices/train.jsonl: the hand-written invoices (the file's first 40 lines, kept as they
  are) followed by generated ones.
- math/train-2025.jsonl, math/train-2026.jsonl: the hand-written problems (the first 25
  lines of each file, kept) followed by generated ones.
- policy/POLICY.md: everything up to the GENERATED marker is hand-written and kept; the
  appendix tables after it are generated. policy/qa.json: the first 40 QA pairs are
  hand-written and kept, the rest are generated from the policy's rules and tables.
- support/pairs.csv: the hand-written pairs (first 40 rows, kept) followed by generated ones.

The eval files other than banking's are hand-written and never touched. Everything is
seeded, so two runs write identical files; each generator has its own random stream, so
changing one dataset does not reshuffle the others. Numbers in answers (totals, VAT,
arithmetic, per diems) are computed here, with decimal arithmetic, never typed in.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from difflib import SequenceMatcher
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 2026

HANDWRITTEN = {  # hand-written examples at the top of each file: kept verbatim
    "invoices/train.jsonl": 40,
    "math/train-2025.jsonl": 25,
    "math/train-2026.jsonl": 25,
    "policy/qa.json": 40,
    "support/pairs.csv": 40,
}
POLICY_MARKER = "<!-- GENERATED: everything below this line is written by generate.py; edit the tables there -->"


def rng_for(name: str) -> random.Random:
    return random.Random(f"{SEED}:{name}")


# -- small helpers --------------------------------------------------------------------------
def D(x) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(str(x))


def r2(x) -> Decimal:
    return D(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def r0(x) -> Decimal:
    return D(x).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def r1(x) -> Decimal:
    return D(x).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def plain(x) -> str:
    """A Decimal without trailing zeros or exponent: 2.50 -> 2.5, 3.00 -> 3."""
    s = format(D(x).normalize(), "f")
    return s


def money(x, sep=",", dec=".", decimals=2) -> str:
    """1234.5 -> '1,234.50' (or '1.234,50' with sep='.', dec=',')."""
    q = D(x).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) if decimals else r0(x)
    neg = q < 0
    whole, _, frac = format(abs(q), "f").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = sep.join(groups) + (dec + frac if decimals else "")
    return ("-" if neg else "") + out


def json_number(x):
    q = r2(x)
    return int(q) if q == q.to_integral_value() else float(q)


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def chat(user: str, assistant: str) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


def norm(text: str) -> str:
    return " ".join(text.lower().split())


def shingles(text: str, k: int = 3) -> set[tuple[str, ...]]:
    w = norm(text).split()
    if len(w) < k:
        return {tuple(w)}
    return {tuple(w[i:i + k]) for i in range(len(w) - k + 1)}


def grams(text: str, n: int = 5) -> set[tuple[str, ...]]:
    return shingles(text, n)


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


class Dedup:
    """Greedy filter for generated examples: rejects an exact repeat of an input, a whole
    text too similar (word 3-shingle Jaccard) to one already kept, and an input sharing too
    many 5-grams with an eval input. Thresholds sit well below ftspec's (0.9 and 0.6)."""

    def __init__(self, near=0.7, overlap=0.3, eval_inputs=(), existing=()):
        self.near, self.overlap = near, overlap
        self.inputs: set[str] = set()
        self.kept: list[set] = []
        self.eval = [grams(t) for t in eval_inputs]
        for inp, whole in existing:
            self.inputs.add(norm(inp))
            self.kept.append(shingles(whole))

    def ok(self, inp: str, whole: str) -> bool:
        key = norm(inp)
        if key in self.inputs:
            return False
        s = shingles(whole)
        if any(jaccard(s, k) >= self.near for k in self.kept):
            return False
        g = grams(inp)
        if any(len(g & e) / max(len(g), len(e)) >= self.overlap for e in self.eval):
            return False
        self.inputs.add(key)
        self.kept.append(s)
        return True


def fill(rng: random.Random, make, count: int, dedup: Dedup, tries: int = 200) -> list:
    """`count` examples from `make(rng)` -> (input, whole_text, example) that pass `dedup`."""
    out = []
    misses = 0
    while len(out) < count:
        inp, whole, ex = make(rng)
        if dedup.ok(inp, whole):
            out.append(ex)
            misses = 0
        else:
            misses += 1
            if misses > tries:
                raise SystemExit(f"generator stuck after {len(out)} of {count} examples")
    return out


# == banking: a Banking77 subset ==========================================================
BANKING_LABELS = ["card_arrival", "lost_or_stolen_card", "top_up_failed", "exchange_rate", "pin_blocked",
                  "refund_not_showing_up"]
BANKING_TRAIN_PER_LABEL, BANKING_EVAL_PER_LABEL = 65, 8


def _read_banking(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(row["text"].strip(), row["category"].strip().lower()) for row in csv.DictReader(f)]


def _similar(a: str, b: str) -> bool:
    """Near-identical messages: shared 5-grams, word overlap or character similarity."""
    wa, wb = set(norm(a).split()), set(norm(b).split())
    if wa and wb and len(wa & wb) / len(wa | wb) >= 0.7:
        return True
    ga, gb = grams(a), grams(b)
    if len(ga & gb) / max(len(ga), len(gb)) >= 0.3:
        return True
    m = SequenceMatcher(None, norm(a), norm(b), autojunk=False)
    return m.real_quick_ratio() >= 0.8 and m.quick_ratio() >= 0.8 and m.ratio() >= 0.8


def banking_subset(source: Path, labels: list[str], train_per_label: int, eval_per_label: int,
                   rng: random.Random) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Train and eval messages per label from Banking77's own train and test splits, with no
    conflicts (one text, two intents), and neither duplicates nor near-duplicates within a side
    or across the sides (eval is also kept away from the whole original train.csv)."""
    train_rows, test_rows = _read_banking(source / "train.csv"), _read_banking(source / "test.csv")
    labels_of = defaultdict(set)
    for text, label in train_rows + test_rows:
        labels_of[norm(text)].add(label)
    ambiguous = {t for t, ls in labels_of.items() if len(ls) > 1}  # one text, two intents: a conflict
    source_train = defaultdict(list)  # label -> messages of the original train.csv
    for text, label in train_rows:
        source_train[label].append(text)
    all_train_norm = {norm(t) for t, _ in train_rows}

    evals, trains = {}, {}
    for label in labels:
        candidates = sorted({t for t, lab in test_rows if lab == label and t and norm(t) not in ambiguous})
        rng.shuffle(candidates)
        chosen: list[str] = []
        for text in candidates:
            if norm(text) in all_train_norm or any(_similar(text, t) for t in source_train[label]):
                continue  # the eval message must not be (nearly) in the original train.csv
            if any(_similar(text, c) for c in chosen):
                continue
            chosen.append(text)
            if len(chosen) == eval_per_label:
                break
        evals[label] = chosen
    eval_texts = [t for label in labels for t in evals[label]]
    test_norm = {norm(t) for t, _ in test_rows}
    for label in labels:
        candidates = sorted({t for t in source_train[label] if t and norm(t) not in ambiguous})
        rng.shuffle(candidates)
        chosen = []
        for text in candidates:
            if norm(text) in test_norm or any(_similar(text, e) for e in eval_texts):
                continue
            if any(_similar(text, c) for c in chosen):
                continue
            chosen.append(text)
            if len(chosen) == train_per_label:
                break
        if len(chosen) < train_per_label:
            raise SystemExit(f"banking: only {len(chosen)} usable train messages for {label}")
        trains[label] = chosen
    return trains, evals


def banking(source: Path) -> None:
    rng = rng_for("banking")
    trains, evals = banking_subset(source, BANKING_LABELS, BANKING_TRAIN_PER_LABEL, BANKING_EVAL_PER_LABEL, rng)
    train = [chat(t, label) for label in BANKING_LABELS for t in trains[label]]
    evaluation = [chat(t, label) for label in BANKING_LABELS for t in evals[label]]
    rng.shuffle(train)
    rng.shuffle(evaluation)
    write_jsonl(HERE / "banking/train.jsonl", train)
    write_jsonl(HERE / "banking/eval.jsonl", evaluation)
    print(f"banking: {len(train)} train, {len(evaluation)} eval")


# == invoices: generated supplier invoices ================================================
def _inv_date(rng):
    return date(2024, 1, 1) + timedelta(days=rng.randrange(0, 912))  # 2024-01-01 .. 2026-06-30


MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"]
MONTHS_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre"]
MONTHS_NL = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
             "november", "december"]
MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember"]


def _lines(rng, catalog, n_lo=1, n_hi=5):
    """Invoice lines [(description, unit, qty, price, amount)] from (description, unit, lo, hi, max_qty)."""
    items = rng.sample(catalog, k=min(len(catalog), rng.randint(n_lo, n_hi)))
    out = []
    for desc, unit, lo, hi, max_qty in items:
        qty = rng.randint(1, max_qty)
        price = r2(D(rng.uniform(lo, hi)))
        out.append((desc, unit, qty, price, r2(qty * price)))
    return out


def _totals(lines, rate, extra=Decimal(0)):
    net = sum((ln[4] for ln in lines), Decimal(0)) + extra
    tax = r2(net * D(rate) / 100)
    return net, tax, net + tax


def _digits(rng, n):
    return "".join(str(rng.randrange(10)) for _ in range(n))


def _answer(supplier, number, when, currency, total):
    return json.dumps({"supplier": supplier, "number": number, "date": when.isoformat(), "currency": currency,
                       "total": json_number(total)}, ensure_ascii=False)


US_PLACES = [("Joliet", "IL", "604"), ("Dayton", "OH", "454"), ("Fresno", "CA", "937"), ("Tulsa", "OK", "741"),
             ("Spokane", "WA", "992"), ("Macon", "GA", "312"), ("Erie", "PA", "165"), ("Boise", "ID", "837"),
             ("Omaha", "NE", "681"), ("Knoxville", "TN", "379"), ("Reno", "NV", "895"), ("Albany", "NY", "122"),
             ("Lansing", "MI", "489"), ("Wichita", "KS", "672"), ("Provo", "UT", "846"), ("Mobile", "AL", "366")]
US_TAX = {"IL": "8.25", "OH": "7.25", "CA": "8.35", "OK": "8.52", "WA": "9.1", "GA": "8", "PA": "6", "ID": "6",
          "NE": "7", "TN": "9.75", "NV": "8.265", "NY": "8", "MI": "6", "KS": "7.5", "UT": "7.25", "AL": "10"}
US_NAMES = ["Summit", "Prairie", "Bayside", "Redwood", "Keystone", "Lakeshore", "Copper Canyon", "Tri-County",
            "Liberty", "Blue Heron", "Iron Range", "Gulf Coast", "Hudson Valley", "Mesa", "Evergreen", "Twin Rivers",
            "Great Plains", "Pioneer", "Silver Creek", "Cardinal", "Bluegrass", "Sandhill", "Northstar", "Old Mill"]
US_TRADES = {
    "Industrial Supply": [("Safety gloves, nitrile, box of 100", "box", 9, 18, 40), ("Shop towels, 50 ct", "pack", 6, 14, 30),
                          ("Hex bolt 1/2-13 x 2, zinc", "ea", 0.2, 0.6, 500), ("Cut-off wheel 4-1/2 in", "ea", 1.5, 4, 100),
                          ("Hydraulic hose assembly 3/8 in", "ea", 28, 65, 12), ("Pallet jack wheel kit", "kit", 45, 90, 4)],
    "Janitorial Supply": [("Trash liners 40-45 gal, case", "cs", 24, 48, 20), ("Floor cleaner concentrate, 1 gal", "ea", 11, 25, 24),
                          ("Paper towel rolls, case of 12", "cs", 28, 55, 30), ("Hand soap refill 1000 ml", "ea", 7, 15, 40)],
    "Electric": [("Electrician labor", "hr", 68, 115, 24), ("LED troffer 2x4, 40 W", "ea", 48, 95, 30),
                 ("THHN wire 12 AWG, 500 ft spool", "spool", 70, 140, 6), ("20 A breaker", "ea", 9, 22, 20),
                 ("Service call", "ea", 75, 150, 1)],
    "Packaging": [("Corrugated box 18x12x12, bundle of 25", "bdl", 19, 38, 60), ("Stretch film 18 in x 1500 ft", "roll", 17, 32, 48),
                  ("Void fill paper, 1000 ft", "roll", 35, 70, 10), ("Custom crate, heat treated", "ea", 150, 320, 6)],
    "Print & Sign": [("Vinyl banner 3 x 8 ft", "ea", 55, 120, 10), ("Business cards, 500", "set", 25, 60, 12),
                     ("Trifold brochures, 1000", "lot", 180, 360, 4), ("Design time", "hr", 55, 95, 8)],
    "Landscaping": [("Mulch, delivered", "cu yd", 32, 55, 40), ("Crew labor", "hr", 45, 80, 30),
                    ("Shrub, 3 gal", "ea", 18, 40, 25), ("Irrigation repair", "ea", 90, 260, 3)],
}
US_FORMS = ["Inc.", "LLC", "Co.", "Corp.", "LLC", "Inc."]
US_STREETS = ["Industrial Pkwy", "Commerce Dr", "Rail Yard Rd", "Main St", "Mill Rd", "Airport Blvd", "River Rd",
              "Enterprise Way", "Depot St", "Harbor Ave"]
CUSTOMERS_EN = ["Hartley Builders Supply", "Riverside Medical Group", "Oak Lane Elementary School", "Pinecrest Apartments",
                "Cedar Point Brewing", "Metro Transit Authority", "Greenfield Dental", "Westgate Hotel", "St. Anne's Parish",
                "Apex Fitness Center", "Harborview Marina", "Sunrise Senior Living", "Kestrel Aerospace",
                "Brookside Veterinary Clinic", "Lakeside Public Library", "Norfolk Cold Storage"]


def _us_supplier(rng):
    trade = rng.choice(list(US_TRADES))
    name = f"{rng.choice(US_NAMES)} {trade} {rng.choice(US_FORMS)}"
    city, state, zip3 = rng.choice(US_PLACES)
    addr = f"{rng.randint(12, 9800)} {rng.choice(US_STREETS)}, {city}, {state} {zip3}{_digits(rng, 2)}"
    return name, trade, addr, state


def inv_us(rng):
    name, trade, addr, state = _us_supplier(rng)
    when = _inv_date(rng)
    lines = _lines(rng, US_TRADES[trade])
    freight = r2(rng.uniform(15, 95)) if rng.random() < 0.35 else Decimal(0)
    taxable = sum((ln[4] for ln in lines), Decimal(0))
    rate = D(US_TAX[state]) if trade not in ("Landscaping",) or rng.random() < 0.5 else Decimal(0)
    tax = r2(taxable * rate / 100)
    total = taxable + freight + tax
    number = rng.choice([f"INV-{_digits(rng, 5)}", f"{rng.choice('ABCDMS')}{_digits(rng, 5)}", _digits(rng, 6),
                         f"{when.year}-{_digits(rng, 4)}"])
    po = f"PO {_digits(rng, 5)}"
    scanned = rng.random() < 0.4
    phone = f"({rng.randint(201, 989)}) 555-0{_digits(rng, 3)}"
    d_us = f"{when.month:02d}/{when.day:02d}/{when.year}"
    d_long = f"{MONTHS_EN[when.month - 1]} {when.day}, {when.year}"
    due = when + timedelta(days=rng.choice([15, 30, 45]))
    customer = rng.choice(CUSTOMERS_EN)
    if scanned:
        out = ["--- scanned document, page 1 of 1 ---", name.upper(), addr.upper(), phone, "", "I N V O I C E",
               f"INVOICE NO.   {number}     DATE   {d_us}", f"CUST PO  {po}    TERMS  NET {(due - when).days}",
               f"SOLD TO:  {customer.upper()}", "", "QTY   DESCRIPTION                          UNIT PRICE     AMOUNT"]
        for desc, _unit, qty, price, amount in lines:
            out.append(f"{qty:<5} {desc.upper():<36} {money(price):>10} {money(amount):>10}")
        out += ["", f"{'SUBTOTAL':>50}  {money(taxable)}"]
        if freight:
            out.append(f"{'FREIGHT':>50}  {money(freight)}")
        out.append(f"{'SALES TAX ' + plain(rate) + '%':>50}  {money(tax)}" if rate else f"{'SALES TAX':>50}  EXEMPT")
        out += [f"{'TOTAL USD':>50}  {money(total)}", "", f"REMIT TO: {name}, {addr}", "THANK YOU FOR YOUR BUSINESS"]
    else:
        out = [name, addr, phone, "", "INVOICE", "", f"Invoice #: {number}",
               f"Invoice Date: {rng.choice([d_long, d_us])}", f"Due Date: {MONTHS_EN[due.month - 1]} {due.day}, {due.year}",
               f"Customer PO: {po}", f"Bill To: {customer}", "", "Description | Qty | Unit Price | Amount"]
        for desc, unit, qty, price, amount in lines:
            out.append(f"{desc} | {qty} {unit} | ${money(price)} | ${money(amount)}")
        out += ["", f"Subtotal: ${money(taxable)}"]
        if freight:
            out.append(f"Shipping & handling: ${money(freight)}")
        out.append(f"Sales tax ({plain(rate)}%): ${money(tax)}" if rate else "Sales tax: $0.00 (exempt)")
        out += [f"Total Due: ${money(total)}", "",
                rng.choice(["Please make checks payable to " + name + ".", "Pay online or by ACH; please reference the invoice number.",
                            f"A 1.5% monthly finance charge applies to balances over {(due - when).days} days."])]
    return "\n".join(out), _answer(name, number, when, "USD", total)


UK_PLACES = [("Leeds", "LS9 8AX"), ("Swindon", "SN2 2PJ"), ("Derby", "DE24 8UP"), ("Norwich", "NR6 6BQ"),
             ("Stockport", "SK4 1AX"), ("Exeter", "EX2 8PW"), ("Coventry", "CV6 5NX"), ("Aberdeen", "AB12 3LG"),
             ("Cardiff", "CF24 5SJ"), ("Preston", "PR2 5BB"), ("Luton", "LU2 9LX"), ("Hull", "HU8 7JH")]
UK_FIRST = ["Northgate", "Severn", "Whitmore", "Ashdown", "Pennant", "Calder", "Kestrel", "Fenland", "Tamar",
            "Brackenridge", "Wessex", "Marlow", "Ridgeway", "Holloway & Price", "Cromwell"]
UK_TRADES = {
    "Catering Equipment": [("Commercial dishwasher service", "visit", 95, 180, 2), ("Gastronorm pan 1/1, 65 mm", "each", 9, 19, 30),
                           ("Replacement door seal", "each", 28, 60, 6), ("Engineer labour", "hour", 48, 75, 10)],
    "Office Supplies": [("A4 copier paper, box of 5 reams", "box", 18, 27, 40), ("Toner cartridge, black", "each", 45, 110, 12),
                        ("Lever arch files, pack of 10", "pack", 14, 24, 20), ("Desk organiser", "each", 8, 19, 15)],
    "Facilities": [("Office cleaning, weekly", "week", 140, 320, 4), ("Window cleaning", "visit", 60, 150, 2),
                   ("Washroom consumables", "month", 45, 95, 3), ("Deep clean, kitchen", "job", 120, 260, 1)],
    "Engineering": [("Bearing housing machining", "each", 38, 90, 40), ("Laser cut brackets, 3 mm", "each", 3, 9, 200),
                    ("Powder coating, RAL 7016", "batch", 85, 240, 3), ("Inspection report", "each", 35, 60, 1)],
}
UK_FORMS = ["Ltd", "Limited", "Ltd", "LLP"]


def inv_uk(rng):
    trade = rng.choice(list(UK_TRADES))
    name = f"{rng.choice(UK_FIRST)} {trade} {rng.choice(UK_FORMS)}"
    city, pc = rng.choice(UK_PLACES)
    addr = f"Unit {rng.randint(1, 40)}, {rng.choice(['Riverside', 'Oakwood', 'Station', 'Canal', 'Westfield'])} " \
           f"{rng.choice(['Business Park', 'Industrial Estate', 'Trade Centre'])}, {city} {pc}"
    when = _inv_date(rng)
    lines = _lines(rng, UK_TRADES[trade])
    rate = 20
    carriage = r2(rng.uniform(8, 45)) if rng.random() < 0.3 else Decimal(0)
    net, vat, total = _totals(lines, rate, carriage)
    prefix = "".join(w[0] for w in name.split()[:3]).upper()
    number = rng.choice([f"{prefix}-{_digits(rng, 4)}", f"SI-{_digits(rng, 6)}", f"{prefix}/{when.year}/{_digits(rng, 4)}",
                         f"INV{_digits(rng, 5)}"])
    d = rng.choice([f"{when.day:02d}/{when.month:02d}/{when.year}", f"{when.day} {MONTHS_EN[when.month - 1]} {when.year}"])
    out = [name, addr, f"VAT Reg. No. GB {_digits(rng, 3)} {_digits(rng, 4)} {_digits(rng, 2)}  |  Company No. {_digits(rng, 8)}",
           "", rng.choice(["VAT INVOICE", "TAX INVOICE", "INVOICE"]), "", f"Invoice No: {number}",
           f"{rng.choice(['Invoice date / tax point', 'Date of issue', 'Invoice date'])}: {d}",
           f"Your ref: {rng.choice(['Order', 'PO', 'Job'])} {_digits(rng, 4)}", f"Account: {_digits(rng, 5)}",
           f"To: {rng.choice(CUSTOMERS_EN)}", "", "Description                               Qty    Unit      Net"]
    for desc, _unit, qty, price, amount in lines:
        out.append(f"{desc:<42}{qty:<7}£{money(price):<9}£{money(amount)}")
    if carriage:
        out.append(f"{'Carriage':<42}{1:<7}£{money(carriage):<9}£{money(carriage)}")
    out += ["", f"Net total      £{money(net)}", f"VAT @ {rate}%      £{money(vat)}",
            f"{rng.choice(['Invoice total', 'Total due', 'Amount payable'])}  £{money(total)}", "",
            f"Payment within {rng.choice([14, 30])} days by BACS to sort code {_digits(rng, 2)}-{_digits(rng, 2)}-{_digits(rng, 2)}, "
            f"account {_digits(rng, 8)}. Please quote the invoice number."]
    return "\n".join(out), _answer(name, number, when, "GBP", total)


DE_PLACES = [("Stuttgart", "70", "Amtsgericht Stuttgart"), ("Hannover", "30", "Amtsgericht Hannover"),
             ("Leipzig", "04", "Amtsgericht Leipzig"), ("Dortmund", "44", "Amtsgericht Dortmund"),
             ("Nürnberg", "90", "Amtsgericht Nürnberg"), ("Kassel", "34", "Amtsgericht Kassel"),
             ("Augsburg", "86", "Amtsgericht Augsburg"), ("Münster", "48", "Amtsgericht Münster"),
             ("Ulm", "89", "Amtsgericht Ulm"), ("Kiel", "24", "Amtsgericht Kiel"), ("Mainz", "55", "Amtsgericht Mainz")]
DE_SURNAMES = ["Becker", "Hoffmann", "Wagner", "Schulz", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Zimmermann",
               "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Maier", "Vogel"]
DE_TRADES = {
    "Metallbau": [("Edelstahlgeländer, Meter", "m", 180, 320, 20), ("Schweißarbeiten", "Std.", 58, 82, 16),
                  ("Flachstahl S235 40x8", "m", 6, 14, 60), ("Montagematerial pauschal", "psch.", 40, 120, 1)],
    "Elektrotechnik": [("Monteurstunde", "Std.", 55, 78, 24), ("NYM-J 3x1,5 mm², Ring 100 m", "Ring", 48, 85, 6),
                       ("Unterverteilung 3-reihig", "Stk.", 120, 260, 2), ("Anfahrtspauschale", "psch.", 35, 65, 1)],
    "Verpackungen": [("Faltkarton 400x300x200", "Stk.", 0.6, 1.9, 800), ("Stretchfolie 23 µm, Rolle", "Rolle", 12, 24, 40),
                     ("Klebeband braun 50 mm", "Rolle", 1.2, 3.5, 120), ("Palette EPAL, neu", "Stk.", 14, 26, 30)],
    "Gebäudereinigung": [("Unterhaltsreinigung Büro", "Monat", 480, 1600, 3), ("Glasreinigung", "m²", 1.5, 3.8, 400),
                         ("Grundreinigung Teppich", "m²", 2.2, 5.5, 250)],
    "Druckerei": [("Flyer DIN A5, 4/4-farbig, 5.000 Stk.", "Aufl.", 120, 290, 3), ("Visitenkarten, 250 Stk.", "Satz", 25, 55, 10),
                  ("Rollup 85x200 cm", "Stk.", 75, 160, 4), ("Satz und Gestaltung", "Std.", 60, 95, 6)],
}
DE_FORMS = ["GmbH", "GmbH & Co. KG", "KG", "e.K.", "GmbH"]
DE_STREETS = ["Industriestraße", "Gewerbering", "Hafenstraße", "Werkstraße", "Mühlenweg", "Lindenweg", "Am Bahnhof"]


def inv_de(rng):
    trade = rng.choice(list(DE_TRADES))
    name = f"{rng.choice(DE_SURNAMES)} {trade} {rng.choice(DE_FORMS)}"
    city, plz, court = rng.choice(DE_PLACES)
    addr = f"{rng.choice(DE_STREETS)} {rng.randint(1, 120)} · {plz}{_digits(rng, 3)} {city}"
    when = _inv_date(rng)
    lines = _lines(rng, DE_TRADES[trade])
    rate = 19
    net, vat, total = _totals(lines, rate)
    number = rng.choice([f"RE-{when.year}-{_digits(rng, 4)}", f"{_digits(rng, 6)}", f"R{str(when.year)[2:]}{_digits(rng, 4)}",
                         f"{when.year}/{_digits(rng, 3)}"])
    leist = when - timedelta(days=rng.randint(0, 12))
    out = [f"{name} · {addr}", "", rng.choice(CUSTOMERS_DE), f"{rng.choice(DE_STREETS)} {rng.randint(1, 60)}",
           f"{_digits(rng, 5)} {rng.choice(['Bremen', 'Essen', 'Freiburg', 'Würzburg', 'Rostock', 'Bonn'])}", "",
           rng.choice(["RECHNUNG", "Rechnung"]), "", f"{rng.choice(['Rechnungsnummer', 'Rechnungs-Nr.', 'Rechnung Nr.'])}: {number}",
           f"{rng.choice(['Rechnungsdatum', 'Datum'])}: {when.day:02d}.{when.month:02d}.{when.year}",
           f"Kundennummer: {_digits(rng, 5)}", f"Leistungsdatum: {leist.day:02d}.{leist.month:02d}.{leist.year}", "",
           "Pos.  Menge   Bezeichnung                          Einzelpreis      Gesamt"]
    for i, (desc, unit, qty, price, amount) in enumerate(lines, 1):
        out.append(f"{i:<5} {qty} {unit:<6} {desc:<36} {money(price, '.', ','):>10} {money(amount, '.', ','):>10}")
    cur = rng.choice(["€", "EUR"])
    due = when + timedelta(days=rng.choice([14, 30]))
    out += ["", f"Summe netto {money(net, '.', ',')} {cur}", f"zzgl. {rate} % USt. {money(vat, '.', ',')} {cur}",
            f"{rng.choice(['Endbetrag', 'Rechnungsbetrag', 'Gesamtbetrag'])} {money(total, '.', ',')} {cur}", "",
            f"Zahlbar innerhalb von {(due - when).days} Tagen ohne Abzug bis zum {due.day:02d}.{due.month:02d}.{due.year}.",
            f"Bankverbindung: Sparkasse {city} · IBAN DE{_digits(rng, 2)} {_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 2)}",
            f"USt-IdNr. DE{_digits(rng, 9)} · {court} HRB {_digits(rng, 5)}"]
    return "\n".join(out), _answer(name, number, when, "EUR", total)


CUSTOMERS_DE = ["Hofmann & Söhne OHG", "Stadtwerke Neustadt GmbH", "Gasthaus Zur Linde", "Praxis Dr. Yilmaz",
                "Autohaus Brandt GmbH", "Kita Sonnenschein e.V.", "Bäckerei Wendt", "Hotel Am Markt"]

FR_PLACES = [("Lyon", "69007"), ("Nantes", "44000"), ("Lille", "59000"), ("Rennes", "35000"), ("Toulouse", "31000"),
             ("Grenoble", "38000"), ("Reims", "51100"), ("Angers", "49000"), ("Metz", "57000"), ("Tours", "37000")]
FR_NAMES = ["Garnier", "Lefèvre", "Moreau", "Fontaine", "Chevalier", "Rousseau", "Blanchard", "Girard", "Perrin",
            "Marchand", "Lemoine", "Dumas"]
FR_TRADES = {
    "Plomberie": [("Remplacement chauffe-eau 200 L", "u", 650, 1100, 1), ("Main d'œuvre plombier", "h", 45, 68, 12),
                  ("Raccords cuivre, lot", "lot", 18, 45, 4), ("Déplacement", "forfait", 30, 60, 1)],
    "Imprimerie": [("Cartes de visite, 500 ex.", "lot", 35, 80, 6), ("Affiches A2, 100 ex.", "lot", 90, 210, 3),
                   ("Brochures 16 pages, 1 000 ex.", "lot", 480, 950, 2), ("BAT et calage", "forfait", 60, 140, 1)],
    "Traiteur": [("Plateau repas", "u", 14, 28, 80), ("Cocktail dînatoire, par personne", "pers.", 22, 45, 120),
                 ("Service en salle", "h", 28, 42, 16), ("Location de vaisselle", "forfait", 80, 220, 1)],
    "Informatique": [("Maintenance parc informatique", "mois", 180, 540, 3), ("Intervention technicien", "h", 55, 90, 10),
                     ("Licence antivirus, 1 an", "poste", 25, 48, 40), ("Disque SSD 1 To", "u", 70, 130, 10)],
}
FR_FORMS = ["SARL", "SAS", "SA", "EURL"]


def inv_fr(rng):
    trade = rng.choice(list(FR_TRADES))
    name = f"{trade} {rng.choice(FR_NAMES)} {rng.choice(FR_FORMS)}"
    city, cp = rng.choice(FR_PLACES)
    when = _inv_date(rng)
    lines = _lines(rng, FR_TRADES[trade])
    rate = {"Traiteur": 10, "Plomberie": rng.choice([10, 20])}.get(trade, 20)
    net, vat, total = _totals(lines, rate)
    number = rng.choice([f"FAC{str(when.year)[2:]}{when.month:02d}-{_digits(rng, 3)}", f"F{when.year}-{_digits(rng, 4)}",
                         f"{when.year}-{_digits(rng, 3)}", f"FA-{_digits(rng, 5)}"])
    due = when + timedelta(days=rng.choice([30, 45]))
    fr = lambda x: money(x, "\u202f", ",")  # noqa: E731 (narrow no-break space, as French invoices print it)
    d = rng.choice([f"{when.day} {MONTHS_FR[when.month - 1]} {when.year}", f"{when.day:02d}/{when.month:02d}/{when.year}"])
    out = [name, f"{rng.randint(1, 90)} {rng.choice(['rue de la République', 'avenue Jean Jaurès', 'rue Nationale', 'boulevard Gambetta'])}, {cp} {city}",
           f"SIRET {_digits(rng, 3)} {_digits(rng, 3)} {_digits(rng, 3)} {_digits(rng, 5)} – TVA FR{_digits(rng, 11)}", "",
           f"Client : {rng.choice(['Mairie de Saint-Aubin', 'Clinique du Parc', 'Lycée Victor Hugo', 'Hôtel Les Tilleuls', 'Cabinet Martin Avocats', 'Association Les Amis du Port'])}",
           "", f"FACTURE N° {number}", f"Date de facture : {d}",
           f"Date d'échéance : {due.day:02d}/{due.month:02d}/{due.year}", f"Bon de commande : BC-{_digits(rng, 4)}", "",
           "Désignation | Qté | PU HT | Montant HT"]
    for desc, _unit, qty, price, amount in lines:
        out.append(f"{desc} | {qty} | {fr(price)} € | {fr(amount)} €")
    out += ["", f"Total HT : {fr(net)} €", f"TVA {plain(rate)} % : {fr(vat)} €", f"Total TTC : {fr(total)} €",
            *([f"Net à payer : {fr(total)} €"] if rng.random() < 0.4 else []), "",
            "Pénalités de retard : 3 fois le taux d'intérêt légal. Indemnité forfaitaire pour frais de recouvrement : 40 €."]
    return "\n".join(out), _answer(name, number, when, "EUR", total)


NL_PLACES = [("Utrecht", "3542"), ("Eindhoven", "5652"), ("Zwolle", "8013"), ("Breda", "4817"), ("Groningen", "9723"),
             ("Tilburg", "5015"), ("Almere", "1332"), ("Delft", "2622")]
NL_NAMES = ["De Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Dekker", "Vermeulen"]
NL_TRADES = {
    "Installatietechniek": [("Onderhoud cv-ketel", "st", 85, 160, 4), ("Arbeidsloon monteur", "uur", 52, 72, 16),
                            ("Thermostaatkraan", "st", 18, 42, 12), ("Voorrijkosten", "st", 35, 55, 1)],
    "Schoonmaak": [("Kantoorschoonmaak", "maand", 420, 1400, 3), ("Glasbewassing", "beurt", 75, 190, 4),
                   ("Sanitaire voorzieningen", "maand", 40, 95, 3)],
    "Transport": [("Palletzending NL", "pallet", 45, 90, 12), ("Koerierrit Randstad", "rit", 38, 85, 10),
                  ("Wachttijd per kwartier", "kw", 9, 14, 8)],
}


def inv_nl(rng):
    trade = rng.choice(list(NL_TRADES))
    name = f"{rng.choice(NL_NAMES)} {trade} B.V."
    city, pc = rng.choice(NL_PLACES)
    when = _inv_date(rng)
    lines = _lines(rng, NL_TRADES[trade])
    net, vat, total = _totals(lines, 21)
    number = rng.choice([f"{when.year}{_digits(rng, 4)}", f"F-{when.year}-{_digits(rng, 3)}", f"{_digits(rng, 7)}"])
    due = when + timedelta(days=rng.choice([14, 30]))
    d = rng.choice([f"{when.day} {MONTHS_NL[when.month - 1]} {when.year}", f"{when.day:02d}-{when.month:02d}-{when.year}"])
    out = [name, f"{rng.choice(['Industrieweg', 'Edisonstraat', 'Havenkade', 'Nijverheidsweg'])} {rng.randint(2, 80)}, {pc} {rng.choice('ABCDEHKL')}{rng.choice('ABCDEKPT')} {city}",
           f"KvK {_digits(rng, 8)} · BTW-id NL{_digits(rng, 9)}B01", "", "FACTUUR", f"Factuurnummer: {number}",
           f"Factuurdatum: {d}", f"Vervaldatum: {due.day:02d}-{due.month:02d}-{due.year}",
           f"Debiteurnummer: {_digits(rng, 5)}", "", "Omschrijving; Aantal; Prijs; Bedrag"]
    for desc, unit, qty, price, amount in lines:
        out.append(f"{desc}; {qty} {unit}; € {money(price, '.', ',')}; € {money(amount, '.', ',')}")
    out += ["", f"Subtotaal excl. btw: € {money(net, '.', ',')}", f"Btw 21%: € {money(vat, '.', ',')}",
            f"Totaal incl. btw: € {money(total, '.', ',')}", "",
            f"Gelieve binnen {(due - when).days} dagen over te maken op NL{_digits(rng, 2)} RABO {_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 2)} o.v.v. het factuurnummer."]
    return "\n".join(out), _answer(name, number, when, "EUR", total)


ES_PLACES = [("Zaragoza", "50014"), ("Valencia", "46024"), ("Sevilla", "41007"), ("Bilbao", "48013"),
             ("Málaga", "29004"), ("Valladolid", "47012"), ("Murcia", "30009"), ("Vigo", "36214")]
ES_TRADES = {
    "Suministros Eléctricos": [("Cable RZ1-K 3G2,5, rollo 100 m", "ud", 60, 120, 8), ("Luminaria LED estanca 36 W", "ud", 18, 40, 40),
                               ("Mano de obra oficial", "h", 28, 40, 24)],
    "Limpiezas": [("Limpieza de oficinas", "mes", 350, 1200, 3), ("Limpieza de cristales", "servicio", 80, 220, 2),
                  ("Productos de limpieza", "lote", 40, 110, 2)],
    "Hostelería": [("Café en grano, 1 kg", "kg", 14, 24, 40), ("Vajilla, caja 24 platos", "caja", 38, 75, 10),
                   ("Servicio de catering", "persona", 18, 35, 80)],
}
ES_NAMES = ["García", "Martínez", "López", "Sánchez", "Romero", "Navarro", "Torres", "Ruiz", "Ortega", "Castillo"]


def inv_es(rng):
    trade = rng.choice(list(ES_TRADES))
    name = f"{trade} {rng.choice(ES_NAMES)} {rng.choice(['S.L.', 'S.A.', 'S.L.U.'])}"
    city, cp = rng.choice(ES_PLACES)
    when = _inv_date(rng)
    lines = _lines(rng, ES_TRADES[trade])
    rate = 10 if trade == "Hostelería" and rng.random() < 0.5 else 21
    net, vat, total = _totals(lines, rate)
    number = rng.choice([f"A-{when.year}/{_digits(rng, 4)}", f"{when.year}-{_digits(rng, 5)}", f"F{_digits(rng, 6)}"])
    d = rng.choice([f"{when.day:02d}/{when.month:02d}/{when.year}", f"{when.day} de {MONTHS_ES[when.month - 1]} de {when.year}"])
    out = [name, f"{rng.choice(['Polígono Industrial', 'Calle Mayor', 'Avenida de Madrid', 'Calle del Comercio'])} {rng.randint(1, 90)}, {cp} {city}",
           f"CIF {rng.choice('AB')}{_digits(rng, 8)}", "", "FACTURA", f"Factura nº: {number}", f"Fecha de expedición: {d}",
           f"Pedido: P-{_digits(rng, 4)}", f"Cliente: {rng.choice(['Hotel Mirador', 'Colegio San José', 'Restaurante El Puerto', 'Ayuntamiento de Tudela', 'Clínica Dental Sonrisa'])}",
           "", "Concepto | Cantidad | Precio | Importe"]
    for desc, _unit, qty, price, amount in lines:
        out.append(f"{desc} | {qty} | {money(price, '.', ',')} € | {money(amount, '.', ',')} €")
    out += ["", f"Base imponible: {money(net, '.', ',')} €", f"IVA {rate}%: {money(vat, '.', ',')} €",
            f"Total factura: {money(total, '.', ',')} €", "",
            f"Forma de pago: transferencia a ES{_digits(rng, 2)} {_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 2)} {_digits(rng, 10)}, a {rng.choice([30, 60])} días."]
    return "\n".join(out), _answer(name, number, when, "EUR", total)


IT_PLACES = [("Bergamo", "24126", "BG"), ("Modena", "41122", "MO"), ("Padova", "35127", "PD"), ("Verona", "37135", "VR"),
             ("Brescia", "25125", "BS"), ("Torino", "10156", "TO"), ("Bari", "70123", "BA")]
IT_TRADES = {
    "Ferramenta": [("Viti autofilettanti 4x40, conf. 500", "conf", 9, 19, 20), ("Trapano a percussione", "pz", 85, 160, 3),
                   ("Guanti da lavoro", "paio", 2.5, 6, 60)],
    "Arredi": [("Sedia operativa ergonomica", "pz", 120, 260, 12), ("Scrivania 160x80", "pz", 180, 390, 8),
               ("Montaggio arredi", "ora", 30, 45, 16)],
    "Servizi Informatici": [("Assistenza sistemistica", "ora", 45, 80, 20), ("Canone backup cloud", "mese", 35, 120, 12),
                            ("Switch 24 porte", "pz", 150, 320, 2)],
}
IT_NAMES = ["Rossi", "Bianchi", "Colombo", "Ferrari", "Ricci", "Galli", "Conti", "Marino", "Greco", "Bruno"]


def inv_it(rng):
    trade = rng.choice(list(IT_TRADES))
    name = f"{trade} {rng.choice(IT_NAMES)} {rng.choice(['S.r.l.', 'S.p.A.', 'S.n.c.'])}"
    city, cap, prov = rng.choice(IT_PLACES)
    when = _inv_date(rng)
    lines = _lines(rng, IT_TRADES[trade])
    net, vat, total = _totals(lines, 22)
    number = rng.choice([f"{rng.randint(1, 900)}/{when.year}", f"FT{when.year}-{_digits(rng, 4)}", f"{rng.randint(1, 900)}/PA"])
    out = [name, f"Via {rng.choice(['Roma', 'Garibaldi', 'dell’Industria', 'Mazzini', 'dei Mille'])} {rng.randint(1, 120)}, {cap} {city} ({prov})",
           f"P.IVA IT{_digits(rng, 11)}", "", "FATTURA", f"Fattura n. {number} del {when.day:02d}/{when.month:02d}/{when.year}",
           f"DDT n. {_digits(rng, 3)} del {(when - timedelta(days=rng.randint(1, 10))).strftime('%d/%m/%Y')}",
           f"Cliente: {rng.choice(['Comune di Lovere', 'Studio Associato Greco', 'Hotel Bellavista', 'Scuola Media Dante'])}", "",
           "Descrizione | Q.tà | Prezzo | Importo"]
    for desc, unit, qty, price, amount in lines:
        out.append(f"{desc} | {qty} {unit} | € {money(price, '.', ',')} | € {money(amount, '.', ',')}")
    out += ["", f"Imponibile: € {money(net, '.', ',')}", f"IVA 22%: € {money(vat, '.', ',')}",
            f"Totale documento: € {money(total, '.', ',')}", "",
            f"Pagamento: bonifico bancario a {rng.choice([30, 60])} gg d.f.f.m. IBAN IT{_digits(rng, 2)} X{_digits(rng, 10)} {_digits(rng, 12)}"]
    return "\n".join(out), _answer(name, number, when, "EUR", total)


APAC = [  # country, currency, symbol, tax name, rate, id label, cities, forms
    ("AU", "AUD", "$", "GST", 10, "ABN", ["Geelong VIC 3220", "Newcastle NSW 2300", "Townsville QLD 4810", "Hobart TAS 7000"],
     ["Pty Ltd", "Pty Ltd"]),
    ("NZ", "NZD", "$", "GST", 15, "GST No.", ["Hamilton 3204", "Dunedin 9016", "Tauranga 3110", "Nelson 7010"], ["Ltd", "Limited"]),
    ("SG", "SGD", "S$", "GST", 9, "GST Reg No.", ["Singapore 629823", "Singapore 417941", "Singapore 569933"], ["Pte. Ltd.", "Pte Ltd"]),
]
APAC_NAMES = ["Southern Cross", "Coral Bay", "Kauri", "Tasman", "Banksia", "Merlion", "Harbourside", "Wattle", "Ironbark",
              "Pohutukawa", "Jarrah", "Orchid Lane"]
APAC_TRADES = {
    "Electrical": [("Electrician call-out", "ea", 90, 150, 1), ("Labour", "hr", 85, 130, 12), ("Downlight, LED 10 W", "ea", 18, 45, 30)],
    "Refrigeration": [("Cool room service", "ea", 180, 420, 2), ("Refrigerant top-up, per kg", "kg", 45, 95, 6),
                      ("Technician labour", "hr", 95, 140, 8)],
    "Office Solutions": [("Multifunction printer lease", "month", 120, 380, 3), ("Copy charges, colour", "page", 0.08, 0.15, 9000),
                         ("Toner, cyan", "ea", 90, 190, 4)],
    "Catering": [("Morning tea platter", "ea", 45, 95, 10), ("Lunch boxes", "ea", 14, 26, 80), ("Delivery", "ea", 20, 45, 1)],
}


def inv_apac(rng):
    country, cur, sym, tax, rate, idl, cities, forms = rng.choice(APAC)
    trade = rng.choice(list(APAC_TRADES))
    name = f"{rng.choice(APAC_NAMES)} {trade} {rng.choice(forms)}"
    when = _inv_date(rng)
    lines = _lines(rng, APAC_TRADES[trade])
    net, gst, total = _totals(lines, rate)
    abbr = "".join(w[0] for w in name.split()[:2]).upper()
    number = rng.choice([f"{abbr}{_digits(rng, 4)}", f"{abbr}-{when.year}-{_digits(rng, 3)}", f"INV-{_digits(rng, 5)}"])
    idn = {"AU": f"{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 3)} {_digits(rng, 3)}",
           "NZ": f"{_digits(rng, 3)}-{_digits(rng, 3)}-{_digits(rng, 3)}", "SG": f"{when.year - rng.randint(3, 20)}{_digits(rng, 5)}{rng.choice('KMNZ')}"}[country]
    d = rng.choice([f"{when.day:02d}/{when.month:02d}/{when.year}", when.isoformat(), f"{when.day} {MONTHS_EN[when.month - 1][:3]} {when.year}"])
    out = [name, f"{rng.randint(1, 300)} {rng.choice(['Station St', 'Harbour Rd', 'Queen St', 'Ubi Ave 1', 'Industrial Dr'])}, {rng.choice(cities)}",
           f"{idl}: {idn}", "", "TAX INVOICE", f"Invoice number: {number}", f"Date: {d}",
           f"Customer: {rng.choice(CUSTOMERS_EN)}", f"Order ref: {_digits(rng, 6)}", ""]
    for desc, _unit, qty, price, amount in lines:
        out.append(f"- {desc}: {qty} x {sym}{money(price)} = {sym}{money(amount)}")
    out += ["", f"Subtotal (excl. {tax}): {sym}{money(net)}", f"{tax} ({rate}%): {sym}{money(gst)}",
            f"Total {cur}: {sym}{money(total)}", "", f"All prices in {cur}. Payment due within {rng.choice([7, 14, 30])} days."]
    return "\n".join(out), _answer(name, number, when, cur, total)


NORDIC = [  # country, currency, word, tax label, places, form, number style
    ("SE", "SEK", "FAKTURA", "Moms 25 %", ["Västerås", "Örebro", "Linköping", "Umeå", "Jönköping"], "AB"),
    ("DK", "DKK", "FAKTURA", "Moms 25 %", ["Aarhus C", "Odense C", "Aalborg", "Vejle", "Esbjerg"], "ApS"),
    ("NO", "NOK", "FAKTURA", "MVA 25 %", ["Trondheim", "Stavanger", "Drammen", "Tromsø", "Ålesund"], "AS"),
]
NORDIC_NAMES = {"SE": ["Lindqvist Bygg", "Norrlands Städ", "Bergström Verktyg", "Svea Kontorsservice", "Ekholm El"],
                "DK": ["Jensen Rengøring", "Nørgaard VVS", "Dansk Kontorservice", "Holm El-teknik", "Fyns Emballage"],
                "NO": ["Hansen Elektro", "Fjellheim Bygg", "Nordvik Renhold", "Bergen Kontorrekvisita", "Lie Transport"]}
NORDIC_ITEMS = [("Konsulttimmar / konsulenttimer", "t", 650, 1150, 20), ("Material", "st", 120, 900, 6),
                ("Servicebesök / servicebesøg", "st", 450, 1400, 2), ("Frakt", "st", 95, 350, 1),
                ("Rengöring / rengøring, månad", "mån", 3200, 9800, 2)]


def inv_nordic(rng):
    country, cur, word, tax, places, form = rng.choice(NORDIC)
    name = f"{rng.choice(NORDIC_NAMES[country])} {form}"
    when = _inv_date(rng)
    lines = _lines(rng, NORDIC_ITEMS, 1, 4)
    net, vat, total = _totals(lines, 25)
    ore = rng.random() < 0.5  # round to whole kronor, as many Nordic invoices do
    rounding = (r0(total) - total) if ore else Decimal(0)
    total += rounding
    number = rng.choice([f"{_digits(rng, 5)}", f"{when.year}-{_digits(rng, 4)}", f"{_digits(rng, 4)}"])
    sep = " "
    date_s = {"SE": when.isoformat(), "DK": f"{when.day:02d}-{when.month:02d}-{when.year}",
              "NO": f"{when.day:02d}.{when.month:02d}.{when.year}"}[country]
    due = when + timedelta(days=rng.choice([10, 20, 30]))
    label_no = {"SE": "Fakturanummer", "DK": "Fakturanr.", "NO": "Fakturanr."}[country]
    label_d = {"SE": "Fakturadatum", "DK": "Fakturadato", "NO": "Fakturadato"}[country]
    label_due = {"SE": "Förfallodatum", "DK": "Forfaldsdato", "NO": "Forfallsdato"}[country]
    out = [name, f"{rng.choice(['Storgatan', 'Industrivej', 'Strandgata', 'Verkstadsgatan'])} {rng.randint(1, 60)}, {_digits(rng, 4)} {rng.choice(places)}",
           f"Org.nr {_digits(rng, 6)}-{_digits(rng, 4)}" if country == "SE" else (f"CVR-nr. {_digits(rng, 8)}" if country == "DK" else f"Org.nr. {_digits(rng, 3)} {_digits(rng, 3)} {_digits(rng, 3)} MVA"),
           "", word, f"{label_no}: {number}", f"{label_d}: {date_s}", f"{label_due}: {due.isoformat() if country == 'SE' else due.strftime('%d.%m.%Y')}",
           f"Kundnr / kundenr: {_digits(rng, 4)}", ""]
    for desc, unit, qty, price, amount in lines:
        out.append(f"{desc:<34} {qty:>3} {unit:<4} {money(price, sep, ','):>10} {money(amount, sep, ','):>12}")
    out += ["", f"Netto: {money(net, sep, ',')} {cur}", f"{tax}: {money(vat, sep, ',')} {cur}"]
    if ore:
        out.append(f"Öresavrundning / afrunding: {money(rounding, sep, ',')} {cur}")
    out += [f"Att betala / at betale: {money(total, sep, ',')} {cur}", "", f"Bankgiro / konto {_digits(rng, 4)}-{_digits(rng, 4)}"]
    return "\n".join(out), _answer(name, number, when, cur, total)


CH_TRADES = {
    "Haustechnik": [("Arbeitsstunden Monteur", "Std.", 95, 150, 16), ("Material pauschal", "psch.", 60, 400, 1),
                    ("Wegpauschale", "psch.", 35, 80, 1)],
    "Treuhand": [("Monatspauschale Buchhaltung", "Mt.", 180, 650, 3), ("Jahresabschluss", "psch.", 900, 2400, 1),
                 ("Lohnbuchhaltung (pro Mitarbeitende/Monat)", "Stk.", 35, 55, 20)],
    "Reinigung": [("Unterhaltsreinigung", "Mt.", 600, 1900, 3), ("Fensterreinigung", "Std.", 55, 80, 12)],
    "Informatik": [("Support-Stunden", "Std.", 120, 180, 12), ("Managed Backup", "Mt.", 45, 160, 3),
                   ("Notebook inkl. Einrichtung", "Stk.", 900, 1600, 2)],
}
CH_CITIES = [("Basel", "4051"), ("Luzern", "6003"), ("St. Gallen", "9000"), ("Winterthur", "8400"), ("Biel/Bienne", "2502"),
             ("Aarau", "5000")]


def inv_ch(rng):
    trade = rng.choice(list(CH_TRADES))
    name = f"{rng.choice(['Rhein', 'Aare', 'Säntis', 'Pilatus', 'Jura', 'Limmat'])} {trade} {rng.choice(['AG', 'GmbH'])}"
    when = _inv_date(rng)
    lines = _lines(rng, CH_TRADES[trade], 1, 3)
    net, vat, total = _totals(lines, D("8.1"))
    rounded = r2((total * 20).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 20)  # to 5 Rappen
    diff = rounded - total
    ch = lambda x: money(x, "'", ".")  # noqa: E731
    number = rng.choice([f"{when.year}-{_digits(rng, 3)}", f"R{_digits(rng, 6)}"])
    city, plz = rng.choice(CH_CITIES)
    out = [name, f"{rng.choice(['Bahnhofstrasse', 'Industriestrasse', 'Seestrasse'])} {rng.randint(1, 99)}, {plz} {city}",
           f"UID CHE-{_digits(rng, 3)}.{_digits(rng, 3)}.{_digits(rng, 3)} MWST", "",
           rng.choice(["Hotel Seeblick AG", "Gemeindeverwaltung Wil", "Bäckerei Frei", "Praxis Dr. Keller"]), "",
           f"Rechnung Nr. {number}", f"{city}, {when.day:02d}.{when.month:02d}.{when.year}", ""]
    for desc, unit, qty, price, amount in lines:
        out.append(f"{desc} — {qty} {unit} à CHF {ch(price)} = CHF {ch(amount)}")
    out += ["", f"Total exkl. MWST     CHF {ch(net)}", f"MWST 8.1 %           CHF {ch(vat)}"]
    if diff:
        out.append(f"Rundungsdifferenz    CHF {ch(diff)}")
    out += [f"Total inkl. MWST     CHF {ch(rounded)}", "", f"Zahlbar innert {rng.choice([10, 30])} Tagen netto."]
    return "\n".join(out), _answer(name, number, when, "CHF", rounded)


def inv_email(rng):
    kind = rng.choice(["US", "UK", "CA"])
    cur, sym = {"US": ("USD", "$"), "UK": ("GBP", "£"), "CA": ("CAD", "$")}[kind]
    base = rng.choice(["Brightline", "Quill & Ink", "Northpeak", "Fernhill", "Larkspur", "Cobalt", "Halcyon", "Maplewood", "Tidewater"])
    what = rng.choice(["Software", "Design Studio", "Analytics", "Translation Services", "Photography", "Training"])
    form = {"US": rng.choice(["Inc.", "LLC"]), "UK": "Ltd", "CA": rng.choice(["Inc.", "Ltd."])}[kind]
    name = f"{base} {what} {form}"
    when = _inv_date(rng)
    sent = when + timedelta(days=rng.randint(0, 3))
    first = rng.choice(["Priya", "Tom", "Elena", "Marcus", "Aisha", "Ben", "Sofia", "Kenji", "Grace", "Omar"])
    sender = rng.choice(["Maya Chen", "Jordan Blake", "Sam Okafor", "Lucy Hart", "Dev Patel", "Nina Rossi"])
    catalog = {"Software": [("Additional seats", 12, 35, 40), ("Annual plan renewal", 400, 2400, 1), ("Premium support", 90, 300, 1)],
               "Design Studio": [("Logo refresh", 400, 1600, 1), ("Social media templates", 25, 60, 12), ("Design hours", 60, 110, 20)],
               "Analytics": [("Dashboard build", 900, 3200, 1), ("Data engineering hours", 95, 160, 24)],
               "Translation Services": [("Translation, words", 0.08, 0.16, 9000), ("Proofreading, hours", 35, 60, 10)],
               "Photography": [("Half-day product shoot", 450, 900, 1), ("Edited images", 12, 30, 40)],
               "Training": [("Workshop day", 900, 2200, 2), ("Participant workbook", 15, 35, 20)]}[what]
    items = rng.sample(catalog, k=rng.randint(1, min(2, len(catalog))))
    lines = []
    for desc, lo, hi, maxq in items:
        q = rng.randint(1, maxq)
        p = r2(rng.uniform(lo, hi))
        lines.append((desc, q, p, r2(q * p)))
    net = sum((ln[3] for ln in lines), Decimal(0))
    tax_line = ""
    if kind == "UK":
        tax = r2(net * D("0.2"))
        tax_line = f"VAT at 20%: £{money(tax)}"
    elif kind == "CA":
        tax = r2(net * D("0.13"))
        tax_line = f"HST 13%: ${money(tax)}"
    else:
        tax = Decimal(0)
    total = net + tax
    number = rng.choice([f"{''.join(w[0] for w in name.split()[:2]).upper()}-{when.year}-{_digits(rng, 4)}", f"{_digits(rng, 5)}", f"INV{_digits(rng, 6)}"])
    domain = base.lower().replace(" & ", "").replace(" ", "") + rng.choice([".com", ".io", ".co.uk" if kind == "UK" else ".ca" if kind == "CA" else ".co"])
    day = sent.strftime("%a")
    issued = f"{MONTHS_EN[when.month - 1]} {when.day}, {when.year}" if kind != "UK" else f"{when.day} {MONTHS_EN[when.month - 1]} {when.year}"
    out = [f"From: {rng.choice(['billing', 'accounts', 'invoices'])}@{domain}", f"Sent: {day} {sent.day:02d} {MONTHS_EN[sent.month - 1][:3]} {sent.year}",
           f"Subject: {rng.choice(['Invoice', 'Your invoice'])} {number} from {name}", "", f"Hi {first},", "",
           rng.choice([f"Please find our invoice {number} (issued {issued}) for the following:",
                       f"Attached is invoice {number}, dated {issued}. Summary below:",
                       f"Here is invoice {number} dated {issued} for last month's work:"]), ""]
    for desc, q, p, a in lines:
        out.append(f"  * {desc} ({q} x {sym}{money(p)}): {sym}{money(a)}")
    if tax_line:
        out.append(f"  Subtotal: {sym}{money(net)}")
        out.append(f"  {tax_line}")
    out += [f"Total due: {sym}{money(total)} {cur}, payable within {rng.choice([14, 30])} days.", "",
            rng.choice(["Let me know if anything looks off.", "Thanks again for your business!", "Any questions, just reply to this email."]),
            "", "Best,", f"{sender}, Accounts", name]
    return "\n".join(out), _answer(name, number, when, cur, total)


def inv_hours(rng):
    kind = rng.choice(["US", "IE", "CA"])
    cur, sym = {"US": ("USD", "$"), "IE": ("EUR", "€"), "CA": ("CAD", "$")}[kind]
    base = rng.choice(["Granite Peak", "Lakeview", "Corrib", "Liffey", "Rideau", "Cascade", "Sawtooth", "Shannon", "Prairie Wind"])
    name = f"{base} {rng.choice(['IT Consulting', 'Engineering Services', 'Advisory', 'Data Solutions'])} " + \
        {"US": "LLC", "IE": "Ltd", "CA": "Inc."}[kind]
    when = _inv_date(rng)
    start = when - timedelta(days=rng.randint(28, 31))
    roles = rng.sample([("Senior consultant", 140, 210), ("Consultant", 95, 150), ("Project manager", 110, 175),
                        ("Analyst", 70, 115), ("Architect", 160, 240)], k=rng.randint(1, 3))
    lines = []
    for role, lo, hi in roles:
        h = D(rng.randint(8, 160)) / 4  # quarter hours
        rate = D(rng.randint(lo, hi))
        lines.append((role, h, rate, r2(h * rate)))
    expenses = r2(rng.uniform(20, 600)) if rng.random() < 0.5 else Decimal(0)
    net = sum((ln[3] for ln in lines), Decimal(0)) + expenses
    if kind == "IE":
        tax, tax_label = r2(net * D("0.23")), "VAT 23%"
    elif kind == "CA":
        tax, tax_label = r2(net * D("0.05")), "GST 5%"
    else:
        tax, tax_label = Decimal(0), ""
    total = net + tax
    abbr = "".join(w[0] for w in name.split()[:3]).upper()
    number = rng.choice([f"{abbr}-{when.year}{when.month:02d}-{_digits(rng, 2)}", f"{abbr}{_digits(rng, 4)}", f"{when.year}-{_digits(rng, 3)}"])
    addresses = {"US": ["218 W Main St, Charlottesville, VA 22902", "77 Pearl St, Boulder, CO 80302", "1200 Walnut St, Des Moines, IA 50309"],
                 "IE": ["Unit 4, Docklands Innovation Park, Dublin 3", "12 Eyre Square, Galway H91 X2E6", "3 South Mall, Cork T12 X8E2"],
                 "CA": ["410 Bank St, Ottawa, ON K2P 1Y3", "55 King St W, Kitchener, ON N2G 4W1", "900 Hastings St W, Vancouver, BC V6C 1E5"]}
    out = [name, rng.choice(addresses[kind]),
           "", f"INVOICE {number}", f"Issued: {when.isoformat() if rng.random() < 0.5 else when.strftime('%d %b %Y')}",
           f"Period: {start.strftime('%b %d')} - {(when - timedelta(days=1)).strftime('%b %d, %Y')}",
           f"Client: {rng.choice(CUSTOMERS_EN)}", f"Engagement: SOW-{_digits(rng, 3)}", "", "Role | Hours | Rate | Amount"]
    for role, h, rate, amount in lines:
        out.append(f"{role} | {plain(h)} | {sym}{plain(rate)}/h | {sym}{money(amount)}")
    if expenses:
        out.append(f"Reimbursable expenses (receipts attached) | | | {sym}{money(expenses)}")
    if tax:
        out += [f"Subtotal: {sym}{money(net)}", f"{tax_label}: {sym}{money(tax)}"]
    out += ["", f"Amount due ({cur}): {sym}{money(total)}", rng.choice(["Payment by ACH within 30 days.", "Payment by bank transfer within 30 days.",
                                                                       "Net 15. Late payments accrue 1% per month."])]
    return "\n".join(out), _answer(name, number, when, cur, total)


INVOICE_LAYOUTS = [inv_us, inv_us, inv_uk, inv_de, inv_fr, inv_nl, inv_es, inv_it, inv_apac, inv_nordic, inv_ch,
                   inv_email, inv_hours]
INVOICES_GENERATED = 110


def invoices() -> None:
    rng = rng_for("invoices")
    path = HERE / "invoices/train.jsonl"
    kept = read_jsonl(path)[:HANDWRITTEN["invoices/train.jsonl"]]
    evaluation = read_jsonl(HERE / "invoices/eval.jsonl")
    dedup = Dedup(eval_inputs=[e["messages"][0]["content"] for e in evaluation],
                  existing=[(e["messages"][0]["content"], e["messages"][0]["content"] + " " + e["messages"][1]["content"])
                            for e in kept + evaluation])

    def make(rng):
        text, answer = rng.choice(INVOICE_LAYOUTS)(rng)
        return text, text + " " + answer, chat(text, answer)

    generated = fill(rng, make, INVOICES_GENERATED, dedup)
    write_jsonl(path, kept + generated)
    print(f"invoices: {len(kept)} hand-written + {len(generated)} generated")


# == math: shop-floor word problems =======================================================
PARTS = ["brackets", "flanges", "shafts", "bushings", "hinges", "housings", "spacers", "clamps", "gears", "valve bodies",
         "end caps", "pulleys", "couplings", "mounting plates", "pins", "impellers", "manifolds", "covers"]
METALS = [("steel", D("7.85")), ("aluminium", D("2.70")), ("brass", D("8.50")), ("copper", D("8.96")), ("stainless steel", D("7.95"))]
LINES = ["Line 1", "Line 3", "Cell B", "the assembly line", "the packing line", "Press 4", "the paint line", "Cell 7"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def m2(x) -> str:
    return format(r2(x), "f")


def _q(rng, *variants):
    return rng.choice(variants)


def mt_kerf(rng):
    bar_m = rng.choice([3, 4, 5, 6, 6, 12])
    piece = rng.randint(9, 95) * 10 + rng.choice([0, 5])
    kerf = rng.choice([2, 2.5, 3, 4])
    part = rng.choice(["spacers", "pins", "shafts", "rails", "struts", "legs"])
    q = _q(rng, f"Round bar arrives in {bar_m} m lengths. We need {part} {piece} mm long, and the saw blade takes {plain(D(kerf))} mm per cut. How many {part} can we cut from one length?",
           f"How many {piece} mm {part} can be sawn from a {bar_m} m tube if every cut wastes {plain(D(kerf))} mm?")
    per = D(piece) + D(kerf)
    total = bar_m * 1000
    n = int(D(total) // per)
    left = D(total) - n * per
    sol = [f"Each piece needs {piece} + {plain(D(kerf))} = {plain(per)} mm including the cut.",
           f"The length is {bar_m} x 1000 = {total} mm.",
           f"{total} / {plain(per)} = {plain(r2(D(total) / per))}, so {n} whole pieces.",
           f"Offcut: {total} - {n} x {plain(per)} = {plain(left)} mm."]
    return q, sol, str(n)


def mt_cycle(rng):
    cycle = rng.randint(18, 150)
    hours = rng.choice([7.5, 8, 8, 10, 12])
    brk = rng.choice([30, 40, 45, 60])
    mach = rng.choice(["The robot welding cell", "Our CNC mill", "The injection moulding machine", "The laser marker", "The transfer press"])
    q = _q(rng, f"{mach} needs {cycle} s per cycle and makes one part per cycle. In a {plain(D(hours))}-hour shift it is stopped for {brk} minutes of breaks. How many parts per shift?",
           f"How many parts does a machine with a {cycle}-second cycle produce in a {plain(D(hours))} h shift, if it stands still for {brk} min in total?")
    run = D(hours) * 60 - brk
    sec = run * 60
    n = int(sec // cycle)
    sol = [f"Running time: {plain(D(hours))} x 60 - {brk} = {plain(run)} minutes.", f"In seconds: {plain(run)} x 60 = {plain(sec)} s.",
           f"Parts: {plain(sec)} / {cycle} = {plain(r2(sec / cycle))}, so {n} complete parts."]
    return q, sol, str(n)


def mt_scrap(rng):
    made = rng.randint(40, 400) * 10
    bad = rng.randint(3, max(4, made // 25))
    part = rng.choice(PARTS)
    ln = rng.choice(LINES)
    q = _q(rng, f"{ln} made {made} {part} this week; quality rejected {bad}. What percentage was scrap? Round to two decimal places.",
           f"Out of {made} {part} inspected, {bad} failed. What is the reject rate in percent, to two decimals?")
    rate = r2(D(bad) / made * 100)
    sol = ["Reject rate = rejected / total x 100.", f"{bad} / {made} = {plain(D(bad) / made)}", f"x 100 = {m2(D(bad) / made * 100)} %."]
    return q, sol, m2(rate)


def mt_vat(rng):
    qty = rng.randint(3, 60)
    price = r2(rng.uniform(4, 240))
    vat = rng.choice([19, 20, 21, 23, 25, 7])
    cur = rng.choice(["EUR", "GBP", "SEK", "PLN", "EUR"])
    item = rng.choice(["steel plates", "angle grinders", "safety boots", "pallets of copier paper", "tool trolleys", "drums of cutting oil"])
    q = _q(rng, f"We are buying {qty} {item} at {m2(price)} {cur} each before tax. With {vat}% VAT on top, what is the gross total in {cur}?",
           f"A quote lists {item}: {qty} pieces at a net unit price of {m2(price)} {cur}. Add VAT at {vat}%. What do we pay in total?")
    net = r2(qty * price)
    tax = r2(net * vat / 100)
    sol = [f"Net: {qty} x {m2(price)} = {m2(net)} {cur}.", f"VAT: {m2(net)} x {plain(D(vat) / 100)} = {m2(tax)} {cur}.",
           f"Gross: {m2(net)} + {m2(tax)} = {m2(net + tax)} {cur}."]
    return q, sol, m2(net + tax)


def mt_paint(rng):
    a, b = rng.randint(4, 40), rng.randint(3, 25)
    coats = rng.choice([1, 2, 2, 3])
    cover = rng.choice([6, 8, 10, 12])
    can = rng.choice([5, 10, 15])
    what = rng.choice(["warehouse floor", "loading bay floor", "mezzanine deck", "test room floor"])
    q = f"The {what} measures {a} m by {b} m and needs {coats} coat{'s' if coats > 1 else ''} of sealer. A litre covers {cover} m² per coat and the sealer comes in {can} L tins. How many tins do we order?"
    area = a * b
    litres = D(area * coats) / cover
    tins = math.ceil(litres / can)
    sol = [f"Area: {a} x {b} = {area} m².", f"Litres: {area} x {coats} / {cover} = {plain(r2(litres))} L.",
           f"Tins: {plain(r2(litres))} / {can} = {plain(r2(litres / can))}, rounded up to {tins}."]
    return q, sol, str(tins)


def mt_stock(rng):
    racks, shelves, boxes, per = rng.randint(2, 9), rng.randint(3, 7), rng.randint(4, 16), rng.choice([25, 50, 100, 200, 250, 500])
    item = rng.choice(["rivets", "M6 washers", "cable ties", "O-rings", "self-tapping screws", "fuses", "hose clips"])
    q = _q(rng, f"There are {racks} racks of {item} in stores. Each rack has {shelves} shelves, each shelf holds {boxes} boxes, and every box contains {per} {item}. How many {item} do we have?",
           f"Stock count: {racks} racks x {shelves} shelves, {boxes} boxes a shelf, {per} {item} a box. What is the total number of {item}?")
    b = racks * shelves * boxes
    sol = [f"Boxes: {racks} x {shelves} x {boxes} = {b}.", f"{item.capitalize()}: {b} x {per} = {b * per}."]
    return q, sol, str(b * per)


def mt_pallet(rng):
    cap = rng.choice([800, 1000, 1200, 1500])
    tare = rng.choice([20, 22, 25, 30])
    box = r1(rng.uniform(6, 45))
    what = rng.choice(["cartons of fittings", "crates of castings", "boxes of bearings", "sacks of granulate", "cases of filters"])
    q = f"The racking allows {cap} kg per pallet including the {tare} kg pallet. How many {what} weighing {plain(box)} kg each can one pallet take?"
    room = cap - tare
    n = int(D(room) // box)
    sol = [f"Load available: {cap} - {tare} = {room} kg.", f"{room} / {plain(box)} = {plain(r2(D(room) / box))}, so {n} whole units."]
    return q, sol, str(n)


def mt_overtime(rng):
    rate = r2(rng.uniform(14, 38))
    reg = rng.choice([35, 37.5, 38, 39, 40])
    ot = rng.randint(2, 14)
    mult = rng.choice([D("1.5"), D("1.25"), D("2")])
    who = rng.choice(["A machinist", "The forklift driver", "A welder", "An electrician", "The shift fitter"])
    q = f"{who} is paid {m2(rate)} an hour. This week: {plain(D(reg))} normal hours plus {ot} overtime hours at {plain(mult)} times the rate. What is the gross pay?"
    normal = r2(D(reg) * rate)
    otp = r2(ot * rate * mult)
    sol = [f"Normal pay: {plain(D(reg))} x {m2(rate)} = {m2(normal)}.", f"Overtime rate: {m2(rate)} x {plain(mult)} = {plain(rate * mult)}.",
           f"Overtime pay: {ot} x {plain(rate * mult)} = {m2(otp)}.", f"Total: {m2(normal)} + {m2(otp)} = {m2(normal + otp)}."]
    return q, sol, m2(normal + otp)


def mt_convert(rng):
    kind = rng.choice(["in", "lb", "gal", "psi", "ft"])
    if kind == "in":
        v = r2(D(rng.randint(25, 1200)) / 100)
        res = r2(v * D("25.4"))
        q = f"A customer drawing shows a hole centre distance of {plain(v)} in. What is that in mm, to two decimals? (1 in = 25.4 mm)"
        sol = [f"{plain(v)} x 25.4 = {plain(v * D('25.4'))} mm."]
    elif kind == "lb":
        v = rng.randint(5, 4000)
        res = r2(v * D("0.45359237"))
        q = f"A US pallet label says {v} lb. How many kg is that, to two decimal places? (1 lb = 0.45359237 kg)"
        sol = [f"{v} x 0.45359237 = {plain(v * D('0.45359237'))} kg.", f"Rounded: {m2(res)} kg."]
    elif kind == "gal":
        v = rng.randint(5, 550)
        res = r2(v * D("3.785"))
        q = f"The tank datasheet gives a capacity of {v} US gallons. How many litres is that, to two decimals? Use 1 gal = 3.785 L."
        sol = [f"{v} x 3.785 = {plain(v * D('3.785'))} L."]
    elif kind == "psi":
        v = rng.randint(20, 3000)
        res = r2(D(v) / D("14.5"))
        q = f"A hydraulic pump is rated at {v} psi. What is that in bar, rounded to two decimals? (14.5 psi = 1 bar)"
        sol = [f"{v} / 14.5 = {plain(r2(D(v) / D('14.5')))} bar."]
    else:
        v = rng.randint(3, 400)
        res = r2(v * D("0.3048"))
        q = f"The crane runway is {v} ft long. What is that in metres, to two decimals? (1 ft = 0.3048 m)"
        sol = [f"{v} x 0.3048 = {plain(v * D('0.3048'))} m."]
    return q, sol, m2(res)


def mt_energy(rng):
    kw = r1(rng.uniform(2, 75))
    hrs = rng.choice([6, 8, 10, 16, 20, 24])
    days = rng.choice([20, 21, 22, 25, 30])
    price = r2(rng.uniform(0.09, 0.38))
    mach = rng.choice(["extraction fan", "chiller", "vacuum pump", "induction heater", "oven", "dust collector"])
    q = f"Our {mach} uses {plain(kw)} kW and runs {hrs} hours a day on {days} days a month. At {m2(price)} per kWh, what is the monthly electricity cost?"
    kwh = kw * hrs * days
    cost = r2(kwh * price)
    sol = [f"Energy: {plain(kw)} x {hrs} x {days} = {plain(kwh)} kWh.", f"Cost: {plain(kwh)} x {m2(price)} = {m2(cost)}."]
    return q, sol, m2(cost)


def mt_mix(rng):
    pct = rng.choice([3, 4, 5, 6, 7, 8, 10])
    vol = rng.randint(4, 60) * 10
    what = rng.choice(["parts washer", "coolant tank", "tumbling barrel", "quench tank"])
    q = _q(rng, f"The {what} takes {vol} litres of solution mixed at {pct}% concentrate. How much concentrate is needed to fill it?",
           f"How many litres of concentrate does a {vol} L fill of the {what} need at a {pct}% mix?")
    res = D(vol) * pct / 100
    sol = [f"Concentrate = {vol} x {pct} / 100 = {plain(res)} L."]
    return q, sol, plain(res)


def mt_setup(rng):
    setup = rng.choice([15, 20, 25, 40, 45, 50, 75, 90])
    per = r1(rng.uniform(0.8, 9))
    n = rng.randint(20, 400)
    what = rng.choice(["press brake", "lathe", "folding machine", "CNC router", "punch press"])
    q = f"Changeover on the {what} takes {setup} minutes, then each part runs {plain(per)} minutes. How many hours does an order of {n} parts take in total? Round to two decimals."
    mins = setup + n * per
    sol = [f"Run time: {n} x {plain(per)} = {plain(n * per)} min.", f"With set-up: {plain(n * per)} + {setup} = {plain(mins)} min.",
           f"In hours: {plain(mins)} / 60 = {m2(mins / 60)} h."]
    return q, sol, m2(mins / 60)


def mt_average(rng):
    k = rng.randint(4, 7)
    nominal = rng.choice([10, 12, 16, 20, 25, 32, 40])
    vals = [r2(nominal + D(rng.randint(-9, 9)) / 100) for _ in range(k)]
    what = rng.choice(["pin diameters", "wall thicknesses", "bore sizes", "slot widths"])
    q = f"A QC check on {k} parts measured these {what} in mm: {', '.join(m2(v) for v in vals)}. What is the mean, to three decimal places?"
    s = sum(vals)
    mean = (s / k).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    sol = [f"Sum: {' + '.join(m2(v) for v in vals)} = {m2(s)} mm.", f"Mean: {m2(s)} / {k} = {format(mean, 'f')} mm."]
    return q, sol, format(mean, "f")


def mt_tolerance(rng):
    nom = rng.choice([8, 12, 20, 30, 45, 60, 80])
    tol = rng.choice([D("0.02"), D("0.05"), D("0.1")])
    over = rng.random() < 0.5
    dev = D(rng.randint(1, 9)) / 100
    meas = nom + tol + dev if over else nom - tol - dev
    feat = rng.choice(["shaft journal", "locating pin", "bearing seat", "keyway width"])
    side = "upper" if over else "lower"
    q = f"The {feat} is toleranced {nom}.00 mm ± {m2(tol)} mm, and the part measured {m2(meas)} mm. By how many mm does it miss the {side} limit?"
    limit = nom + tol if over else nom - tol
    diff = abs(meas - limit)
    sol = [f"{side.capitalize()} limit: {nom} {'+' if over else '-'} {m2(tol)} = {m2(limit)} mm.",
           f"Difference: {m2(max(meas, limit))} - {m2(min(meas, limit))} = {m2(diff)} mm."]
    return q, sol, m2(diff)


def mt_travel(rng):
    speed = r2(D(rng.randint(5, 60)) / 20)
    dist = rng.randint(6, 120)
    what = rng.choice(["a tote", "a pallet", "each casting", "a car body", "a tray of parts"])
    q = f"A roller conveyor runs at {plain(speed)} m/s. How many seconds does {what} need to cover {dist} m? Round to one decimal."
    t = r1(D(dist) / speed)
    sol = [f"Time = distance / speed = {dist} / {plain(speed)} = {plain(r2(D(dist) / speed))} s.", f"Rounded: {plain(t)} s."]
    return q, sol, format(t, "f")


def mt_fill(rng):
    vol = rng.randint(4, 80) * 50
    flow = rng.choice([20, 25, 30, 40, 45, 60, 80, 90, 120])
    what = rng.choice(["rinse tank", "rainwater cistern", "fire-water tank", "degreasing bath"])
    q = f"A pump moves {flow} litres a minute into an empty {vol} L {what}. How long, in minutes, until it is full? Round to one decimal."
    t = r1(D(vol) / flow)
    sol = [f"{vol} / {flow} = {plain(r2(D(vol) / flow))} min.", f"Rounded: {plain(t)} min."]
    return q, sol, format(t, "f")


def mt_boxes(rng):
    per = r1(rng.choice([D("0.5"), D("1.5"), D("2"), D("2.5"), D("3"), D("4")]))
    n = rng.randint(20, 300)
    box = rng.choice([10, 20, 25, 50, 100])
    use = rng.choice([("rivets", "joint"), ("cable ties", "harness"), ("labels", "carton"), ("grinding discs", "frame")])
    q = f"Every {use[1]} uses {plain(per)} {use[0]}. There are {n} {use[1]}s to do, and {use[0]} come in packs of {box}. How many packs do we need?"
    total = per * n
    packs = math.ceil(total / box)
    sol = [f"{use[0].capitalize()} needed: {n} x {plain(per)} = {plain(total)}.", f"Packs: {plain(total)} / {box} = {plain(r2(total / box))}, rounded up to {packs}."]
    return q, sol, str(packs)


def mt_days(rng):
    shifts = rng.choice([1, 2, 3])
    per = rng.randint(8, 90) * 10
    order = rng.randint(20, 400) * 50
    what = rng.choice(["valves", "pumps", "fans", "motors", "heaters", "controllers"])
    q = f"We work {shifts} shift{'s' if shifts > 1 else ''} a day and each shift finishes {per} {what}. How many working days does an order of {order} {what} take?"
    daily = shifts * per
    days = math.ceil(order / daily)
    sol = [f"Per day: {shifts} x {per} = {daily}.", f"{order} / {daily} = {plain(r2(D(order) / daily))}, so {days} days (the last one partly)."]
    return q, sol, str(days)


def mt_change(rng):
    old = rng.randint(40, 900)
    new = old + rng.choice([-1, 1]) * rng.randint(3, old // 3)
    what = rng.choice([("changeover time", "min"), ("energy use per part", "Wh"), ("cycle time", "s"), ("lead time", "days"), ("weekly scrap", "kg")])
    q = f"After the improvement project, {what[0]} went from {old} {what[1]} to {new} {what[1]}. What is the change in percent, to one decimal? Use a minus sign for a decrease."
    pct = r1(D(new - old) / old * 100)
    sol = [f"Change: {new} - {old} = {new - old} {what[1]}.", f"Percent: {new - old} / {old} x 100 = {plain(r2(D(new - old) / old * 100))} %.",
           f"Rounded: {format(pct, 'f')} %."]
    return q, sol, format(pct, "f")


def mt_weight(rng):
    metal, dens = rng.choice(METALS)
    a, b, t = rng.randint(10, 120) * 10, rng.randint(5, 60) * 10, rng.choice([3, 4, 5, 6, 8, 10, 12, 15, 20])
    q = f"What does a {metal} plate {a} x {b} x {t} mm weigh, in kg to two decimals? Density {plain(dens)} g/cm³."
    cm3 = D(a) / 10 * D(b) / 10 * D(t) / 10
    kg = r2(cm3 * dens / 1000)
    sol = [f"Volume: {plain(D(a) / 10)} x {plain(D(b) / 10)} x {plain(D(t) / 10)} cm = {plain(cm3)} cm³.",
           f"Mass: {plain(cm3)} x {plain(dens)} = {plain(cm3 * dens)} g = {m2(kg)} kg."]
    return q, sol, m2(kg)


def mt_pulley(rng):
    d1 = rng.randint(6, 40) * 10
    d2 = rng.randint(6, 40) * 10
    rpm = rng.choice([960, 1420, 1440, 2850, 2900, 720])
    q = f"A motor at {rpm} rpm drives a {d1} mm pulley, which belts to a {d2} mm pulley on the spindle. What is the spindle speed in rpm, to the nearest whole number?"
    res = r0(D(rpm) * d1 / d2)
    sol = ["Spindle speed = motor speed x driver / driven.", f"{rpm} x {d1} / {d2} = {plain(r2(D(rpm) * d1 / d2))} rpm.", f"Rounded: {res} rpm."]
    return q, sol, str(res)


def mt_yield(rng):
    y = rng.choice([85, 88, 90, 92, 94, 95, 97, 98])
    need = rng.randint(10, 300) * 10
    proc = rng.choice(["heat treatment", "plating", "casting", "painting", "final test"])
    q = f"{proc.capitalize()} has a first-pass yield of {y}%. How many parts must go in to get at least {need} good ones out?"
    start = math.ceil(D(need) * 100 / y)
    sol = [f"Good parts = input x {plain(D(y) / 100)}.", f"Input = {need} / {plain(D(y) / 100)} = {plain(r2(D(need) * 100 / y))}.",
           f"Round up: {start} parts."]
    return q, sol, str(start)


def mt_margin(rng):
    hrs = r1(D(rng.randint(2, 40)) / 2)
    rate = rng.choice([45, 55, 62, 68, 75, 85, 95])
    mat = r2(rng.uniform(10, 600))
    marg = rng.choice([10, 15, 20, 25, 30])
    job = rng.choice(["a set of jig plates", "a repair weld", "a replacement shaft", "a small batch of brackets"])
    q = f"To quote {job}: {plain(hrs)} hours of machine time at {rate} an hour plus {m2(mat)} of material, then a {marg}% margin on the cost. What is the quote?"
    labour = r2(hrs * rate)
    cost = labour + mat
    quote = r2(cost * (100 + marg) / 100)
    sol = [f"Machine time: {plain(hrs)} x {rate} = {m2(labour)}.", f"Cost: {m2(labour)} + {m2(mat)} = {m2(cost)}.",
           f"Quote: {m2(cost)} x {plain(D(100 + marg) / 100)} = {m2(quote)}."]
    return q, sol, m2(quote)


def mt_fuel(rng):
    lph = r1(rng.uniform(1.2, 9))
    h = rng.choice([6, 8, 10, 12, 16, 20])
    d = rng.choice([5, 6, 7])
    veh = rng.choice(["reach truck", "yard tractor", "diesel generator", "telehandler"])
    q = f"The {veh} uses {plain(lph)} litres of fuel per hour. It runs {h} hours a day, {d} days a week. How many litres a week?"
    res = lph * h * d
    sol = [f"Hours per week: {h} x {d} = {h * d}.", f"Fuel: {h * d} x {plain(lph)} = {plain(res)} L."]
    return q, sol, plain(res)


def mt_drill(rng):
    holes = rng.randint(4, 60)
    depth = rng.randint(8, 60)
    feed = rng.choice([D("0.08"), D("0.1"), D("0.12"), D("0.15"), D("0.2"), D("0.25")])
    rpm = rng.choice([500, 600, 800, 1000, 1200, 1500])
    q = f"We drill {holes} holes {depth} mm deep at {rpm} rpm with a feed of {plain(feed)} mm/rev. Ignoring rapid moves, how many minutes of drilling is that, to two decimals?"
    mm_min = feed * rpm
    t = D(holes * depth) / mm_min
    sol = [f"Feed rate: {plain(feed)} x {rpm} = {plain(mm_min)} mm/min.", f"Total depth: {holes} x {depth} = {holes * depth} mm.",
           f"Time: {holes * depth} / {plain(mm_min)} = {m2(t)} min."]
    return q, sol, m2(t)


def mt_count_weight(rng):
    g = r2(rng.uniform(0.4, 25))
    kg = r1(rng.uniform(2, 300))
    what = rng.choice(["washers", "rivets", "nuts", "springs", "clips"])
    q = f"Rather than count {what}, we weigh them: one weighs {plain(g)} g and the full container holds {plain(kg)} kg net. Roughly how many {what}, to the nearest whole number?"
    n = r0(kg * 1000 / g)
    sol = [f"Net weight in grams: {plain(kg)} x 1000 = {plain(kg * 1000)} g.", f"Count: {plain(kg * 1000)} / {plain(g)} = {plain(r2(kg * 1000 / g))}, about {n}."]
    return q, sol, str(n)


def mt_expansion(rng):
    length = rng.randint(5, 60) * 100
    t1, t2 = rng.choice([15, 18, 20, 22]), rng.choice([60, 80, 100, 120, 150, 200])
    metal, coef = rng.choice([("steel", D("0.000012")), ("aluminium", D("0.000023")), ("copper", D("0.000017"))])
    q = f"A {length} mm {metal} duct warms from {t1} °C to {t2} °C. With an expansion coefficient of {plain(coef)} per °C, how much longer does it get, in mm to three decimals?"
    dt = t2 - t1
    res = (length * coef * dt).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    sol = [f"Temperature rise: {t2} - {t1} = {dt} °C.", f"Growth: {length} x {plain(coef)} x {dt} = {plain(length * coef * dt)} mm."]
    return q, sol, format(res, "f")


def mt_crew(rng):
    ops = rng.randint(2, 14)
    hrs = r1(D(rng.randint(12, 20)) / 2)
    rate = rng.randint(6, 40)
    what = rng.choice(["kits", "cartons", "harnesses", "boards", "panels"])
    q = f"{ops} people work {plain(hrs)} productive hours each and assemble {rate} {what} an hour per person. How many {what} in total?"
    res = ops * hrs * rate
    sol = [f"Person-hours: {ops} x {plain(hrs)} = {plain(ops * hrs)}.", f"Output: {plain(ops * hrs)} x {rate} = {plain(res)} {what}."]
    return q, sol, plain(res)


def mt_saving(rng):
    old = r2(rng.uniform(0.5, 30))
    new = r2(old * D(rng.randint(70, 96)) / 100)
    vol = rng.randint(5, 200) * 100
    item = rng.choice(["gasket", "filter cartridge", "castor", "handle", "fuse", "bearing"])
    q = f"A second supplier offers our {item} at {m2(new)} instead of {m2(old)}. We buy {vol} a year. What is the yearly saving?"
    diff = old - new
    sol = [f"Saving per piece: {m2(old)} - {m2(new)} = {m2(diff)}.", f"Per year: {vol} x {m2(diff)} = {m2(vol * diff)}."]
    return q, sol, m2(vol * diff)


def mt_downtime(rng):
    mins = rng.randint(12, 300)
    cost = r2(rng.uniform(3, 45))
    cause = rng.choice(["a broken drive belt", "a jammed feeder", "a PLC fault", "a hydraulic leak", "a tool crash"])
    q = f"{cause.capitalize()} stopped the line for {mins} minutes. If an idle minute costs {m2(cost)}, what was the loss?"
    sol = [f"Loss: {mins} x {m2(cost)} = {m2(mins * cost)}."]
    return q, sol, m2(mins * cost)


def mt_range(rng):
    nominal = rng.choice([5, 10, 25, 50, 75, 100])
    k = rng.randint(4, 8)
    vals = [r2(nominal + D(rng.randint(-12, 12)) / 100) for _ in range(k)]
    if max(vals) == min(vals):
        vals[0] += D("0.03")
    q = f"Repeat measurements of a {nominal} mm setting gauge gave {', '.join(m2(v) for v in vals)} mm. What is the range?"
    sol = [f"Highest: {m2(max(vals))} mm. Lowest: {m2(min(vals))} mm.", f"Range: {m2(max(vals))} - {m2(min(vals))} = {m2(max(vals) - min(vals))} mm."]
    return q, sol, m2(max(vals) - min(vals))


def mt_batch(rng):
    n = rng.randint(6, 120)
    per = rng.randint(2, 12)
    price = r2(rng.uniform(0.2, 25))
    comp = rng.choice([("pump housings", "seals"), ("control cabinets", "terminal blocks"), ("chairs", "castors"),
                       ("gearboxes", "shims"), ("lamps", "LED modules")])
    q = f"Each of {n} {comp[0]} takes {per} {comp[1]} costing {m2(price)} each. What do the {comp[1]} for the batch cost?"
    k = n * per
    sol = [f"{comp[1].capitalize()}: {n} x {per} = {k}.", f"Cost: {k} x {m2(price)} = {m2(k * price)}."]
    return q, sol, m2(k * price)


def mt_ratio(rng):
    a, b = rng.choice([(2, 1), (3, 1), (4, 1), (5, 1), (10, 1), (100, 3), (100, 45)])
    total = rng.randint(2, 60) * 50
    what = rng.choice(["potting compound", "two-part adhesive", "casting resin", "sealant"])
    q = f"The {what} mixes {a}:{b} base to hardener by weight. For a {total} g batch, how many grams of hardener, to one decimal?"
    h = r1(D(total) * b / (a + b))
    sol = [f"Parts in total: {a} + {b} = {a + b}.", f"Hardener: {total} x {b} / {a + b} = {plain(r2(D(total) * b / (a + b)))} g."]
    return q, sol, format(h, "f")


def mt_totes(rng):
    cap = rng.randint(6, 48)
    n = rng.randint(40, 900)
    what = rng.choice(PARTS)
    q = f"A bin holds {cap} {what}. How many bins are needed to move {n} {what} to the next operation?"
    k = math.ceil(n / cap)
    sol = [f"{n} / {cap} = {plain(r2(D(n) / cap))}.", f"A part-full bin still counts: {k} bins."]
    return q, sol, str(k)


def mt_takt(rng):
    shift = rng.choice([7.5, 8, 8.5, 10])
    brk = rng.choice([30, 45, 60])
    demand = rng.randint(8, 120) * 10
    q = f"Customer demand is {demand} units per shift. The shift is {plain(D(shift))} hours with {brk} minutes of breaks. What is the takt time in seconds, to one decimal?"
    avail = (D(shift) * 60 - brk) * 60
    t = r1(avail / demand)
    sol = [f"Available time: ({plain(D(shift))} x 60 - {brk}) x 60 = {plain(avail)} s.", f"Takt: {plain(avail)} / {demand} = {plain(r2(avail / demand))} s per unit."]
    return q, sol, format(t, "f")


def mt_reorder(rng):
    use = rng.randint(5, 400)
    lead = rng.randint(2, 21)
    safety = rng.randint(1, 10) * use // 2
    item = rng.choice(["filters", "drill bits", "gloves", "labels", "cartons", "welding tips"])
    q = f"We use {use} {item} a day, the supplier takes {lead} days to deliver, and we keep {safety} as safety stock. At what stock level should we reorder?"
    rop = use * lead + safety
    sol = [f"Usage during lead time: {use} x {lead} = {use * lead}.", f"Reorder point: {use * lead} + {safety} = {rop}."]
    return q, sol, str(rop)


def mt_unit_cost(rng):
    n = rng.randint(50, 3000)
    mat = r2(rng.uniform(100, 9000))
    lab = r2(rng.uniform(100, 6000))
    what = rng.choice(PARTS)
    q = f"A run of {n} {what} used {m2(mat)} of material and {m2(lab)} of labour. What is the cost per piece, to two decimals?"
    tot = mat + lab
    sol = [f"Total cost: {m2(mat)} + {m2(lab)} = {m2(tot)}.", f"Per piece: {m2(tot)} / {n} = {m2(tot / n)}."]
    return q, sol, m2(tot / n)


def mt_discount(rng):
    qty = rng.randint(5, 200)
    price = r2(rng.uniform(2, 90))
    disc = rng.choice([5, 8, 10, 12, 15, 20])
    ship = r2(rng.uniform(10, 80))
    item = rng.choice(["hex keys", "tape measures", "ear defenders", "work lights", "spray cans of primer"])
    q = f"{qty} {item} list at {m2(price)} each. The distributor gives us {disc}% off the goods and charges {m2(ship)} delivery. What is the invoice total before tax?"
    gross = r2(qty * price)
    off = r2(gross * disc / 100)
    tot = gross - off + ship
    sol = [f"List value: {qty} x {m2(price)} = {m2(gross)}.", f"Discount: {m2(gross)} x {disc} / 100 = {m2(off)}.",
           f"Total: {m2(gross)} - {m2(off)} + {m2(ship)} = {m2(tot)}."]
    return q, sol, m2(tot)


def mt_breakeven(rng):
    fixed = rng.randint(20, 400) * 100
    price = r2(rng.uniform(12, 120))
    var = r2(price * D(rng.randint(30, 80)) / 100)
    thing = rng.choice(["a new stamping die", "a welding fixture", "a test jig", "a mould insert"])
    q = f"{thing.capitalize()} costs {fixed}. Each part sells for {m2(price)} and costs {m2(var)} to make. How many parts until the tooling has paid for itself?"
    margin = price - var
    n = math.ceil(D(fixed) / margin)
    sol = [f"Margin per part: {m2(price)} - {m2(var)} = {m2(margin)}.", f"{fixed} / {m2(margin)} = {plain(r2(D(fixed) / margin))}, rounded up to {n} parts."]
    return q, sol, str(n)


def mt_util(rng):
    planned = rng.choice([420, 450, 480, 900, 1380])
    run = rng.randint(planned // 2, planned - 5)
    mach = rng.choice(["the 5-axis mill", "the laser cutter", "the bending cell", "the grinder"])
    q = f"Last shift {mach} was planned for {planned} minutes and actually cut parts for {run} minutes. What was its utilisation in percent, to one decimal?"
    u = r1(D(run) / planned * 100)
    sol = ["Utilisation = running / planned x 100.", f"{run} / {planned} x 100 = {plain(r2(D(run) / planned * 100))} %."]
    return q, sol, format(u, "f")


def mt_leftover(rng):
    start = rng.randint(200, 3000)
    use = rng.randint(10, 200)
    days = rng.randint(3, 10)
    deliv = rng.randint(0, 10) * 50
    item = rng.choice(["O-rings", "brackets", "labels", "cable glands", "screws"])
    left = start - use * days + deliv
    if left < 0:
        deliv += -left + 50
        left = start - use * days + deliv
    q = f"We started the period with {start} {item}, used {use} every working day for {days} days and received {deliv} in a delivery. How many are left?"
    sol = [f"Used: {use} x {days} = {use * days}.", f"Left: {start} - {use * days} + {deliv} = {left}."]
    return q, sol, str(left)


def mt_temp(rng):
    f = rng.randint(100, 900)
    q = f"The curing oven is set to {f} °F according to the resin datasheet. What is that in °C, to one decimal? (°C = (°F - 32) x 5 / 9)"
    c = r1(D(f - 32) * 5 / 9)
    sol = [f"{f} - 32 = {f - 32}.", f"{f - 32} x 5 / 9 = {plain(r2(D(f - 32) * 5 / 9))} °C."]
    return q, sol, format(c, "f")


def mt_area_sheets(rng):
    sw, sh = rng.choice([(2000, 1000), (2500, 1250), (3000, 1500)])
    bw, bh = rng.randint(5, 40) * 10, rng.randint(4, 30) * 10
    q = f"Rectangular blanks {bw} x {bh} mm are cut from {sw} x {sh} mm sheets, with the {bw} mm side along the {sw} mm edge and no gaps. How many blanks per sheet?"
    across, down = sw // bw, sh // bh
    sol = [f"Along {sw} mm: {sw} / {bw} = {across} whole blanks.", f"Along {sh} mm: {sh} / {bh} = {down} whole blanks.",
           f"Per sheet: {across} x {down} = {across * down}."]
    return q, sol, str(across * down)


MATH_TEMPLATES = [mt_kerf, mt_cycle, mt_scrap, mt_vat, mt_paint, mt_stock, mt_pallet, mt_overtime, mt_convert, mt_energy,
                  mt_mix, mt_setup, mt_average, mt_tolerance, mt_travel, mt_fill, mt_boxes, mt_days, mt_change, mt_weight,
                  mt_pulley, mt_yield, mt_margin, mt_fuel, mt_drill, mt_count_weight, mt_expansion, mt_crew, mt_saving,
                  mt_downtime, mt_range, mt_batch, mt_ratio, mt_totes, mt_takt, mt_reorder, mt_unit_cost, mt_discount,
                  mt_breakeven, mt_util, mt_leftover, mt_temp, mt_area_sheets]
MATH_GENERATED_PER_FILE = 100


def math_problems() -> None:
    rng = rng_for("math")
    files = ["math/train-2025.jsonl", "math/train-2026.jsonl"]
    kept = {f: read_jsonl(HERE / f)[:HANDWRITTEN[f]] for f in files}
    evaluation = read_jsonl(HERE / "math/eval.jsonl")
    everything = [e for f in files for e in kept[f]] + evaluation
    dedup = Dedup(eval_inputs=[e["messages"][0]["content"] for e in evaluation],
                  existing=[(e["messages"][0]["content"], e["messages"][0]["content"] + " " + e["messages"][1]["content"])
                            for e in everything])
    order = []  # each template about equally often, in a shuffled order

    def make(rng):
        if not order:
            order.extend(MATH_TEMPLATES)
            rng.shuffle(order)
        q, sol, answer = order.pop()(rng)
        text = "\n".join(sol + [f"Answer: {answer}"])
        return q, q + " " + text, chat(q, text)

    for f in files:
        generated = fill(rng, make, MATH_GENERATED_PER_FILE, dedup)
        write_jsonl(HERE / f, kept[f] + generated)
        print(f"{f}: {len(kept[f])} hand-written + {len(generated)} generated")


# == policy: appendix tables and QA pairs =================================================
HIGH_COST = {"New York", "San Francisco", "London", "Zurich", "Tokyo"}  # Section 4.3
CITIES = [  # city, country, region ("US" or abroad)
    ("New York", "United States"), ("San Francisco", "United States"), ("Chicago", "United States"),
    ("Boston", "United States"), ("Seattle", "United States"), ("Austin", "United States"), ("Denver", "United States"),
    ("Atlanta", "United States"), ("Washington, DC", "United States"), ("Los Angeles", "United States"),
    ("Miami", "United States"), ("Dallas", "United States"), ("Minneapolis", "United States"), ("Phoenix", "United States"),
    ("Toronto", "Canada"), ("Montreal", "Canada"), ("Vancouver", "Canada"), ("London", "United Kingdom"),
    ("Manchester", "United Kingdom"), ("Zurich", "Switzerland"), ("Geneva", "Switzerland"), ("Paris", "France"),
    ("Lyon", "France"), ("Berlin", "Germany"), ("Munich", "Germany"), ("Frankfurt", "Germany"), ("Amsterdam", "Netherlands"),
    ("Madrid", "Spain"), ("Barcelona", "Spain"), ("Milan", "Italy"), ("Rome", "Italy"), ("Dublin", "Ireland"),
    ("Stockholm", "Sweden"), ("Copenhagen", "Denmark"), ("Warsaw", "Poland"), ("Vienna", "Austria"), ("Lisbon", "Portugal"),
    ("Brussels", "Belgium"), ("Prague", "Czech Republic"), ("Tokyo", "Japan"), ("Osaka", "Japan"), ("Singapore", "Singapore"),
    ("Seoul", "South Korea"), ("Hong Kong", "Hong Kong"), ("Bangalore", "India"), ("Mumbai", "India"),
    ("Shanghai", "China"), ("Sydney", "Australia"), ("Melbourne", "Australia"), ("São Paulo", "Brazil"),
    ("Mexico City", "Mexico"), ("Dubai", "United Arab Emirates"), ("Johannesburg", "South Africa"), ("Tel Aviv", "Israel"),
]
NO_TIPS = {"Japan", "South Korea", "China", "Singapore", "Hong Kong", "Switzerland", "Denmark"}
RISK_3 = {"Colombia", "Nigeria", "Egypt", "Kenya"}
EXTRA_COUNTRIES = ["Colombia", "Nigeria", "Egypt", "Kenya", "Turkey", "Vietnam", "Indonesia", "Philippines", "Chile",
                   "Norway", "Finland", "New Zealand", "Thailand", "Argentina", "Morocco", "Greece"]
HOTEL_BRANDS = ["Harbor Crest", "Meridian Stay", "Parkline", "Northlight", "Cardinal Suites", "Atrium House", "Lumen",
                "Foundry Hotel", "Bellweather", "Oakhurst Inn", "Tessera", "Riverview Lodge"]
GRADES = [("G1", "interns, apprentices", 0, 0), ("G2", "associates, coordinators", 500, 2000),
          ("G3", "specialists, engineers", 1000, 4000), ("G4", "senior engineers, account executives", 1500, 6000),
          ("G5", "team leads, principal engineers", 2500, 8000), ("G6", "managers", 4000, 12000),
          ("G7", "senior managers", 6000, 18000), ("G8", "directors", 10000, 25000), ("G9", "VPs", 15000, 40000),
          ("G10", "executive team", 25000, 60000)]
CATEGORIES = [  # category, code, what belongs in it
    ("Airfare", 6110, ["flight tickets", "seat selection fees", "checked baggage fees", "airline change fees"]),
    ("Lodging", 6120, ["hotel room charges", "hotel resort fees", "serviced apartment stays"]),
    ("Ground transport", 6130, ["taxi fares", "ride-hailing trips", "airport shuttle buses", "metro and bus tickets"]),
    ("Rail", 6135, ["train tickets", "rail seat reservations", "sleeper-train berths"]),
    ("Car rental and fuel", 6140, ["rental car charges", "fuel for a rental car", "road tolls on a rental car"]),
    ("Mileage", 6145, ["personal car mileage", "business miles driven in my own car"]),
    ("Parking", 6150, ["airport parking", "parking at a client site", "hotel parking"]),
    ("Per diem", 6160, ["daily meal allowance on an overnight trip"]),
    ("Client entertainment", 6210, ["client dinners", "client lunches", "tickets to a client event"]),
    ("Team meals", 6220, ["quarterly team lunches", "team dinners approved by the manager"]),
    ("Client gifts", 6230, ["gifts for clients", "holiday gift baskets for customers"]),
    ("Conferences", 6310, ["conference tickets", "trade-show passes"]),
    ("Training and courses", 6320, ["online course fees", "professional books", "workshop fees"]),
    ("Certification exams", 6330, ["certification exam fees"]),
    ("Home office", 6410, ["new-hire home-office purchases", "a desk lamp for the home office"]),
    ("Office supplies", 6420, ["printer paper", "stationery", "postage stamps"]),
    ("Software subscriptions", 6430, ["a monthly app subscription approved by IT", "a plugin license for work"]),
    ("Shipping and courier", 6440, ["courier shipments of samples", "overnight document delivery"]),
    ("Connectivity", 6510, ["in-flight Wi-Fi", "hotel Wi-Fi charges", "a local SIM card on a trip"]),
    ("Visa and travel documents", 6520, ["visa fees", "passport photos for a visa application"]),
    ("Laundry", 6530, ["hotel laundry on a long trip", "dry cleaning during a long trip"]),
    ("Bank and currency fees", 6540, ["foreign transaction fees", "currency exchange commission"]),
]
OFFICES = [("Austin (headquarters)", "CC-100", 30), ("Boston", "CC-110", 35), ("Chicago", "CC-120", 35),
           ("Denver", "CC-130", 30), ("New York", "CC-140", 45), ("Seattle", "CC-150", 35), ("Toronto", "CC-200", 35),
           ("London", "CC-300", 45), ("Dublin", "CC-310", 40), ("Berlin", "CC-320", 35), ("Amsterdam", "CC-330", 40),
           ("Singapore", "CC-400", 40), ("Tokyo", "CC-410", 45), ("Sydney", "CC-420", 40)]


def _usd(x) -> str:
    q = r2(x)
    return "$" + (money(q, ",", ".", 0) if q == q.to_integral_value() else money(q))


def _policy_tables(rng):
    cities = []
    for city, country in CITIES:
        limit = 350 if city in HIGH_COST else 250
        rate = rng.randrange(150, limit - 5, 5)
        hotel = f"{rng.choice(HOTEL_BRANDS)} {city.split(',')[0]}"
        transfer = rng.randrange(35, 130, 5) if country != "United States" else rng.randrange(40, 95, 5)
        cities.append({"city": city, "country": country, "limit": limit, "hotel": hotel, "rate": rate, "transfer": transfer})
    countries = []
    for country in sorted({c for _, c in CITIES if c != "United States"} | set(EXTRA_COUNTRIES)):
        risk = 3 if country in RISK_3 else rng.choice([1, 1, 1, 2, 2])
        data = rng.randrange(15, 65, 5)
        countries.append({"country": country, "risk": risk, "data": data, "tips": country not in NO_TIPS})
    return cities, countries


def _policy_markdown(cities, countries) -> str:
    out = [POLICY_MARKER, "", "## Appendix: reference tables (2026)", "",
           "11. City guide",
           "   - 11.1 The hotel limit is the one in Section 4.3. The preferred hotel is booked through TripDesk at the negotiated rate shown (per night, before taxes).",
           "   - 11.2 Airport transfer: the most you can claim for one standard-tier taxi or ride-hailing trip (Section 4.7) between the city's airport and your hotel or office, each way.",
           "   - 11.3 Per diem follows Section 5.1: the US rate for US cities, the rate abroad for all others.", "",
           "| City | Country | Hotel limit per night | Preferred hotel | Negotiated rate | Airport transfer, each way |",
           "|---|---|---|---|---|---|"]
    for c in cities:
        out.append(f"| {c['city']} | {c['country']} | {_usd(c['limit'])} | {c['hotel']} | {_usd(c['rate'])} | {_usd(c['transfer'])} |")
    out += ["", "12. Country rules for international trips",
            "   - 12.1 Risk level 1 or 2: the approvals in Section 2.1 are enough. Risk level 3: the Security team must also approve the trip in TripDesk before anything is booked.",
            "   - 12.2 Mobile data: a local SIM card or roaming pack for work, up to the amount shown per trip.",
            "   - 12.3 Tips: where the table says no, tipping is not customary and tips are not reimbursed; elsewhere Section 5.6 applies.", "",
            "| Country | Risk level | Mobile data per trip | Tips reimbursed |", "|---|---|---|---|"]
    for c in countries:
        out.append(f"| {c['country']} | {c['risk']} | {_usd(c['data'])} | {'yes' if c['tips'] else 'no'} |")
    out += ["", "13. Corporate card limits by job grade",
            "   - 13.1 A charge above your single-transaction limit is declined. For a larger business purchase, request a temporary limit increase from Finance in Ledgerly before you buy.",
            "   - 13.2 Monthly limits reset on the 1st of each month. G1 employees have no corporate card and claim expenses in Ledgerly.", "",
            "| Grade | Typical roles | Single-transaction limit | Monthly limit |", "|---|---|---|---|"]
    for g, roles, single, monthly in GRADES:
        out.append(f"| {g} | {roles} | {_usd(single) if single else 'no card'} | {_usd(monthly) if monthly else 'no card'} |")
    out += ["", "14. Ledgerly expense categories",
            "   - 14.1 File every expense under one of these categories; Finance moves a misfiled claim and may return it to you.", "",
            "| Category | Code | Use it for |", "|---|---|---|"]
    for name, code, examples in CATEGORIES:
        out.append(f"| {name} | {code} | {', '.join(examples)} |")
    out += ["", "15. Offices",
            "   - 15.1 Charge office expenses to your office's cost centre.",
            "   - 15.2 Late-work dinner: when your manager asks you to work at your office past 8 pm, you may claim one dinner up to the office's limit, without alcohol. It is not available while travelling (the per diem applies).", "",
            "| Office | Cost centre | Late-work dinner limit |", "|---|---|---|"]
    for office, cc, dinner in OFFICES:
        out.append(f"| {office} | {cc} | {_usd(dinner)} |")
    return "\n".join(out) + "\n"


THE = {"United Kingdom", "United States", "United Arab Emirates", "Czech Republic", "Netherlands", "Philippines"}


def _the(country: str) -> str:
    return f"the {country}" if country in THE else country


def _pick(rng, *options):
    return rng.choice(options)


def _qa(instruction, output, inp=""):
    return {"instruction": instruction, "input": inp, "output": output}


def _policy_qa(rng, cities, countries):
    """Lists of QA pairs, one list per kind of question (each list is shuffled and all of it used)."""
    kinds = defaultdict(list)
    for c in cities:
        city = c["city"]
        kinds["hotel_pref"].append(_qa(
            _pick(rng, f"Which hotel does TripDesk prefer in {city}?", f"Is there a preferred hotel for trips to {city}?",
                  f"Where should I stay in {city}, and at what rate?", f"What's Acme's negotiated hotel in {city}?"),
            _pick(rng, f"The {c['hotel']}, at a negotiated rate of {_usd(c['rate'])} a night before taxes, booked through TripDesk (Section 11).",
                  f"TripDesk's preferred hotel in {city} is the {c['hotel']}: {_usd(c['rate'])} a night before taxes (Section 11).",
                  f"Book the {c['hotel']} through TripDesk; Acme's 2026 rate there is {_usd(c['rate'])} per night, taxes extra (Section 11).")))
        kinds["transfer"].append(_qa(
            _pick(rng, f"How much can I claim for a taxi from the airport in {city}?", f"What is the airport transfer limit for {city}?",
                  f"I'm landing in {city}. What's the most I can expense for the ride to my hotel?",
                  f"Is there a cap on the airport taxi in {city}?"),
            _pick(rng, f"Up to {_usd(c['transfer'])} each way, in a standard-tier taxi or ride-hailing car (Sections 4.7 and 11).",
                  f"{_usd(c['transfer'])} per trip between the {city} airport and your hotel or office, standard tier only (Sections 4.7 and 11).",
                  f"The {city} airport transfer limit is {_usd(c['transfer'])} each way; premium or black-car services are not covered (Sections 4.7 and 11).")))
    for c in rng.sample(cities, 46):
        limit = c["limit"]
        rate = rng.choice([rng.randrange(limit - 80, limit, 5), rng.randrange(limit + 5, limit + 90, 5), limit])
        ok = rate <= limit
        why = f"{c['city']} is one of the high-cost cities with a {_usd(limit)} limit" if limit == 350 else \
              f"the limit in {c['city']} is the standard {_usd(limit)} a night"
        kinds["hotel_rate"].append(_qa(
            _pick(rng, f"Can I book a hotel in {c['city']} at {_usd(rate)} a night?", f"Is {_usd(rate)} per night before taxes OK for a hotel in {c['city']}?",
                  f"My {c['city']} hotel quote is {_usd(rate)} a night plus tax. Within policy?",
                  f"TripDesk shows a {c['city']} hotel for {_usd(rate)} nightly. Allowed?"),
            (f"Yes. {why[0].upper() + why[1:]} before taxes (Sections 4.3 and 11)." if ok else
             f"No. {why[0].upper() + why[1:]} before taxes, so {_usd(rate)} is {_usd(rate - limit)} over. The preferred hotel there costs {_usd(c['rate'])} (Sections 4.3 and 11).")))
    weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    used = set()
    while len(kinds["per_diem"]) < 50:
        c = rng.choice(cities)
        days = rng.randint(2, 7)
        meals = []
        if days >= 3 and rng.random() < 0.45:
            meals = rng.sample([("breakfast", 15), ("lunch", 20), ("dinner", 35)], k=rng.randint(1, 2))
        key = (c["city"], days, tuple(meals))
        if key in used:
            continue
        used.add(key)
        us = c["country"] == "United States"
        rate = D(75 if us else 95)
        edge = r2(rate * D("0.75"))
        full_days = days - 2
        deduct = sum(v for _, v in meals)
        total = 2 * edge + full_days * rate - deduct
        start = rng.randrange(7)
        dep, ret = weekdays[start], weekdays[(start + days - 1) % 7]
        meal_note = ""
        if meals:
            meal_note = " The event provides " + " and ".join(m for m, _ in meals) + " on one of the middle days."
        inp = f"I leave on {dep} and come back on {ret} ({days} days).{meal_note}"
        parts = [f"{_usd(edge)} for each of the first and last days (75% of {_usd(rate)})"]
        if full_days:
            parts.append(f"{_usd(rate)} for each of the {full_days} full days in between" if full_days > 1 else f"{_usd(rate)} for the full day in between")
        if meals:
            parts.append("less " + " and ".join(f"{_usd(v)} for the {m}" for m, v in meals))
        kinds["per_diem"].append(_qa(
            _pick(rng, f"What per diem will I get for my trip to {c['city']}?", f"Work out my meal allowance for a {c['city']} trip.",
                  f"How much per diem can I claim for travelling to {c['city']}?", f"Per diem for {c['city']}: what's the total?"),
            f"{_usd(total)} in total. The per diem {'in the US' if us else 'abroad'} is {_usd(rate)} a day: " + "; ".join(parts)
            + (" (Sections 5.1, 5.2 and 5.3)." if meals else " (Sections 5.1 and 5.2)."), inp))
    for c in countries:
        name = _the(c["country"])
        Name = name[0].upper() + name[1:]
        level = c["risk"]
        rule = {1: "the usual approval is enough: your manager approves every international trip before you book",
                2: "your manager's approval before booking is enough, as for any international trip",
                3: "besides your manager's approval, the Security team must approve the trip in TripDesk before anything is booked"}[level]
        variant = rng.randrange(4)
        if variant == 0:
            q, a = f"What approvals do I need for a business trip to {name}?", f"{Name} is risk level {level}, so {rule} (Sections 2.1 and 12)."
        elif variant == 1:
            q, a = f"What is {name}'s travel risk level, and what does it mean for approval?", f"Level {level}: {rule} (Sections 2.1 and 12)."
        elif variant == 2:
            q = f"Does a trip to {name} need the Security team's sign-off?"
            a = (f"Yes. {Name} is risk level 3, so the Security team must approve the trip in TripDesk, on top of your manager's approval, before anything is booked (Sections 2.1 and 12)."
                 if level == 3 else f"No. {Name} is risk level {level}; your manager's approval, needed for every international trip, is enough (Sections 2.1 and 12).")
        else:
            q, a = f"I'm planning to visit a customer in {name}. Who has to approve it?", (
                f"Your manager and the Security team: {name} is risk level 3, and both approve before anything is booked (Sections 2.1 and 12)."
                if level == 3 else f"Your manager, before you book. {Name} is risk level {level}, so no further approval is needed (Sections 2.1 and 12).")
        kinds["risk"].append(_qa(q, a))
        kinds["data"].append(_qa(
            _pick(rng, f"Can I expense a local SIM card in {name}?", f"How much mobile data can I claim on a trip to {name}?",
                  f"What's the roaming allowance for {name}?", f"Will Acme pay for a data pack while I'm working in {name}?"),
            _pick(rng, f"Yes, a local SIM or roaming pack for work, up to {_usd(c['data'])} per trip to {name} (Section 12).",
                  f"Up to {_usd(c['data'])} per trip for {name}, for a local SIM card or a roaming pack you need for work (Section 12).")))
        kinds["tips"].append(_qa(
            _pick(rng, f"Can I claim tips on a trip to {name}?", f"Are tips reimbursed in {name}?", f"Should I add tips to my expenses in {name}?"),
            (f"Yes. In {name}, tips are reimbursed up to 20% of the bill (Sections 5.6 and 12)." if c["tips"] else
             f"No. Tipping is not customary in {name}, so tips there are not reimbursed (Section 12).")))
    for g, roles, single, monthly in GRADES:
        if not single:
            kinds["card"].append(_qa(f"Do {g} employees get a corporate card?",
                                     f"No. {g} employees ({roles}) have no corporate card; they claim expenses in Ledgerly (Section 13)."))
            kinds["card"].append(_qa(f"I'm an intern at grade {g}. How do I pay for business expenses?",
                                     f"Pay yourself and claim the expense in Ledgerly: {g} has no corporate card (Section 13)."))
            continue
        kinds["card"].append(_qa(
            _pick(rng, f"What is the single-transaction limit on a {g} corporate card?", f"How much can I put on my corporate card in one purchase at grade {g}?"),
            f"{_usd(single)} per transaction for {g} ({roles}); larger charges are declined unless Finance raises the limit first (Section 13)."))
        kinds["card"].append(_qa(
            _pick(rng, f"What's the monthly corporate card limit for {g}?", f"How much can a {g} employee spend on the corporate card per month?"),
            f"{_usd(monthly)} a month for {g}, reset on the 1st of each month (Section 13)."))
        for _ in range(2):
            amount = rng.choice([rng.randrange(single // 2, single, 50), rng.randrange(single + 100, single * 2, 50)])
            kinds["card_scn"].append(_qa(
                _pick(rng, f"I'm {g}. Will my corporate card go through for a {_usd(amount)} purchase?",
                      f"Can a {g} cardholder pay {_usd(amount)} in one charge on the corporate card?"),
                (f"Yes. It is within the {g} single-transaction limit of {_usd(single)}, as long as your monthly limit of {_usd(monthly)} has room (Section 13)."
                 + (" A single expense over $500 still needs your manager's approval before you buy (Section 2.1)." if amount > 500 else "")
                 if amount <= single else
                 f"No. The {g} single-transaction limit is {_usd(single)}, so the charge would be declined. Ask Finance in Ledgerly for a temporary increase before buying (Section 13).")))
    for name, code, examples in CATEGORIES:
        for ex in examples:
            kinds["category"].append(_qa(
                _pick(rng, f"Which Ledgerly category do I use for {ex}?", f"What expense code should {ex} go under?",
                      f"How do I file {ex} in Ledgerly?", f"In Ledgerly, where do I file {ex}?"),
                _pick(rng, f"{name}, code {code} (Section 14).", f"File them under {name} (code {code}) (Section 14).",
                      f"Use the {name} category, code {code} (Section 14).")))
    for office, cc, dinner in OFFICES:
        short = office.split(" (")[0]
        kinds["office"].append(_qa(
            _pick(rng, f"What cost centre does the {short} office use?", f"Which cost centre do I charge for {short} office expenses?"),
            f"{cc} is the {office} cost centre (Section 15)."))
        kinds["office"].append(_qa(
            _pick(rng, f"I had to stay late at the {short} office. How much can I spend on dinner?",
                  f"What's the late-work dinner limit in {short}?", f"Can I expense dinner when working late at the {short} office?"),
            f"Up to {_usd(dinner)} at the {short} office, without alcohol, when your manager asked you to work there past 8 pm (Section 15)."))
    places = ["a client site", "a supplier's plant", "a trade fair", "the airport for a business flight", "a customer workshop",
              "a partner's office", "an offsite meeting venue", "a warehouse audit at a distributor"]
    for _ in range(30):
        miles = rng.randint(8, 480)
        rt = rng.random() < 0.4
        total_m = miles * 2 if rt else miles
        amount = r2(total_m * D("0.70"))
        where = rng.choice(places)
        q = _pick(rng, f"I drove my own car {miles} miles to {where}{' and back' if rt else ''}. What can I claim?",
                  f"How much mileage do I get for {miles} miles {'each way ' if rt else ''}to {where}?",
                  f"Mileage claim: {miles} miles{' each way' if rt else ''}, personal car, visiting {where}. How much?")
        a = (f"{_usd(amount)}: {total_m} miles{' (both ways)' if rt else ''} x $0.70 per mile (Section 4.6)." if rt else
             f"{_usd(amount)}: {miles} miles at $0.70 a mile (Section 4.6).")
        kinds["mileage"].append(_qa(q, a))
    for _ in range(26):
        n = rng.randint(2, 9)
        limit = 120 * n
        bill = r2(D(rng.randint(int(limit * 0.55), int(limit * 1.35))) + D(rng.randint(0, 99)) / 100)
        ok = bill <= limit
        q = _pick(rng, f"Our client dinner for {n} people came to {_usd(bill)} including tip. Is it all covered?",
                  f"I hosted a client lunch for {n} (me included). The bill with tip was {_usd(bill)}. How much will Acme pay?",
                  f"Can I expense a {_usd(bill)} client meal for {n} attendees, tip included?")
        a = (f"All of it, {_usd(bill)}. The limit is $120 per person including tip, {_usd(limit)} for {n}; list every attendee's name and company (Section 5.4)."
             if ok else
             f"Acme pays {_usd(limit)}: $120 per person including tip for {n} people. The other {_usd(bill - limit)} is not reimbursed (Sections 5.4 and 10.2).")
        kinds["client_meal"].append(_qa(q, a))
    tip_countries = [c["country"] for c in countries if c["tips"]] + ["the US"] * 4
    for _ in range(16):
        bill = r2(D(rng.randint(20, 400)) + D(rng.randint(0, 99)) / 100)
        tip = r2(bill * D(rng.choice([10, 15, 18, 20, 22, 25, 30])) / 100)
        cap = r2(bill * D("0.2"))
        where = rng.choice(tip_countries)
        q = _pick(rng, f"I tipped {_usd(tip)} on a {_usd(bill)} bill in {where}. Can I claim the whole tip?",
                  f"How much of a {_usd(tip)} tip on {_usd(bill)} is reimbursable ({where})?")
        a = (f"Yes. {_usd(tip)} is within 20% of the bill ({_usd(cap)}) (Section 5.6)." if tip <= cap else
             f"Only {_usd(cap)}, which is 20% of {_usd(bill)}; the remaining {_usd(tip - cap)} is yours (Section 5.6).")
        kinds["tip_scn"].append(_qa(q, a))
    items = ["booth space at a trade fair", "venue hire for a customer event", "catering for a client workshop",
             "translation of a contract", "printing of event brochures", "courier shipment of prototypes",
             "a market research report", "a photographer for a product launch", "freight for demo equipment",
             "an external facilitator for an offsite"]
    amounts = set()
    while len(kinds["approval"]) < 26:
        amt = rng.choice([rng.randint(60, 499), 500, rng.randint(501, 4999), 5000, rng.randint(5001, 40000)])
        item = rng.choice(items)
        if (amt, item) in amounts:
            continue
        amounts.add((amt, item))
        q = _pick(rng, f"Who needs to approve {_usd(amt)} for {item}?", f"Does {item} costing {_usd(amt)} need approval first?",
                  f"What sign-off do I need before spending {_usd(amt)} on {item}?")
        if amt <= 500:
            a = f"No advance approval is needed: only single expenses over $500 need your manager's approval, and {_usd(amt)} is not over it (Section 2.1)."
        elif amt <= 5000:
            a = "Your manager's, before you spend. It is over $500 but not over $5,000, so no VP approval is needed (Sections 2.1 and 2.2)."
        else:
            a = "Your manager's and a VP's, both before you spend: it is over $5,000 (Sections 2.1 and 2.2)."
        kinds["approval"].append(_qa(q, a))
    small = ["a taxi to a client site", "a box of printer paper", "postage for contract documents", "a train ticket to a workshop",
             "a parking garage at a customer's office", "a phone charger for a trip", "a courier envelope", "a pack of whiteboard markers"]
    seen = set()
    while len(kinds["receipt"]) < 16:
        amt = r2(D(rng.randint(5, 80)) + D(rng.choice([0, 50, 99, 25])) / 100)
        item = rng.choice(small)
        if (item, amt) in seen:
            continue
        seen.add((item, amt))
        q = _pick(rng, f"Do I need a receipt for {item} that cost {_usd(amt)}?", f"Receipt needed? {item[0].upper() + item[1:]}, {_usd(amt)}.")
        a = ("Yes. An itemised receipt is required for every expense of $25 or more (Section 3.2)." if amt >= 25 else
             f"No. {_usd(amt)} is under $25, so no receipt is required (Section 3.2).")
        kinds["receipt"].append(_qa(q, a))
    routes = [("Boston", "Chicago", 150), ("New York", "London", 415), ("San Francisco", "Tokyo", 660), ("Austin", "Denver", 135),
              ("Seattle", "Singapore", 960), ("Chicago", "Frankfurt", 520), ("Denver", "Toronto", 215), ("Miami", "São Paulo", 505),
              ("Atlanta", "Mexico City", 215), ("Dallas", "Paris", 570), ("Los Angeles", "Sydney", 890), ("Toronto", "Vancouver", 300),
              ("New York", "Dubai", 760), ("Boston", "Dublin", 375), ("Washington, DC", "Madrid", 465), ("Phoenix", "Minneapolis", 185),
              ("San Francisco", "Bangalore", 1010), ("Chicago", "Seattle", 280), ("Austin", "San Francisco", 250), ("Dallas", "Seoul", 830),
              ("Houston", "Bogotá", 330), ("New York", "Tel Aviv", 650), ("Seattle", "Anchorage", 220), ("London", "Zurich", 100),
              ("London", "Johannesburg", 685), ("Berlin", "Lisbon", 230)]
    for a_city, b_city, mins in routes:
        mins += rng.choice([-10, -5, 0, 5, 10])
        h, m = divmod(mins, 60)
        long = mins >= 360
        q = _pick(rng, f"Which cabin can I book from {a_city} to {b_city}?", f"What class is allowed on my flight {a_city}–{b_city}?",
                  f"Can I fly premium economy from {a_city} to {b_city}?")
        inp = f"The scheduled flight time is {h} hours{f' {m} minutes' if m else ''}."
        a = ("Premium economy: the scheduled flight time is 6 hours or more. Business class would need a VP's approval (Section 4.2)." if long else
             "Economy: the flight is under 6 hours. Premium economy starts at 6 hours of scheduled flight time (Section 4.2).")
        kinds["flight"].append(_qa(q, a, inp))
    for _ in range(14):
        days = rng.randint(2, 12)
        rate = rng.choice([14, 18, 20, 22, 25, 28, 32, 35, 40])
        claim = min(rate, 25) * days
        q = _pick(rng, f"Airport parking was {_usd(rate)} a day for {days} days. How much can I claim?",
                  f"I left my car at the airport for {days} days at {_usd(rate)}/day. What's reimbursable?")
        a = (f"{_usd(claim)}: all of it, since {_usd(rate)} a day is within the $25 daily limit ({days} x {_usd(rate)}) (Section 4.9)." if rate <= 25 else
             f"{_usd(claim)}: airport parking is capped at $25 a day, so {days} x $25; the other {_usd((rate - 25) * days)} is yours (Section 4.9).")
        kinds["parking"].append(_qa(q, a))
    for _ in range(12):
        spent = rng.randrange(0, 1500, 50)
        course = rng.randrange(100, 1200, 25)
        left = 1500 - spent
        q = _pick(rng, f"I've used {_usd(spent)} of my learning budget. Can I book a {_usd(course)} course?",
                  f"My learning budget spend this year is {_usd(spent)}. Will a {_usd(course)} workshop be covered?")
        a = (f"Yes, if your manager approves it before you book: you have {_usd(left)} of the $1,500 left (Section 7.1)." if course <= left else
             f"Only {_usd(left)} of it: that is what remains of your $1,500 budget, and the rest would not be reimbursed (Section 7.1).")
        kinds["learning"].append(_qa(q, a))
    trains = [("Paris", "Lyon", 120), ("London", "Edinburgh", 265), ("New York", "Boston", 215), ("Madrid", "Barcelona", 150),
              ("Berlin", "Munich", 240), ("Tokyo", "Osaka", 150), ("Milan", "Rome", 190), ("Amsterdam", "Brussels", 110),
              ("Zurich", "Geneva", 165), ("Vienna", "Prague", 245), ("Frankfurt", "Hamburg", 215), ("Seattle", "Portland", 210)]
    for a_city, b_city, mins in trains:
        h, m = divmod(mins, 60)
        q = _pick(rng, f"Can I book first class on the train from {a_city} to {b_city}?", f"Which rail class for {a_city} to {b_city}?")
        inp = f"The journey takes {h} h {m:02d} min."
        a = ("Yes. The journey is over 3 hours, so first class is allowed (Section 4.4)." if mins > 180 else
             "Standard class. First class is only for rail journeys over 3 hours (Section 4.4).")
        kinds["rail"].append(_qa(q, a, inp))
    for nights in range(2, 11):
        q = _pick(rng, f"Can I expense laundry on a {nights}-night business trip?", f"Is hotel laundry covered if I'm away {nights} nights in a row?")
        a = ("Yes. Laundry is reimbursed on trips of more than 5 consecutive nights (Section 5.7)." if nights > 5 else
             "No. Laundry is only reimbursed on trips of more than 5 consecutive nights (Section 5.7).")
        kinds["laundry"].append(_qa(q, a))
    return kinds


def policy() -> None:
    rng = rng_for("policy")
    md_path = HERE / "policy/POLICY.md"
    text = md_path.read_text(encoding="utf-8")
    head = text.split(POLICY_MARKER)[0].rstrip("\n") + "\n\n"
    cities, countries = _policy_tables(rng)
    md_path.write_text(head + _policy_markdown(cities, countries), encoding="utf-8")
    qa_path = HERE / "policy/qa.json"
    kept = json.loads(qa_path.read_text(encoding="utf-8"))[:HANDWRITTEN["policy/qa.json"]]
    evaluation = json.loads((HERE / "policy/eval.json").read_text(encoding="utf-8"))

    def inp(e):
        return e["instruction"] + (" " + e["input"] if e["input"] else "")

    dedup = Dedup(near=0.75, eval_inputs=[inp(e) for e in evaluation],
                  existing=[(inp(e), inp(e) + " " + e["output"]) for e in kept + evaluation])
    generated = []
    dropped = 0
    for _kind, items in sorted(_policy_qa(rng, cities, countries).items()):
        for e in items:
            if dedup.ok(inp(e), inp(e) + " " + e["output"]):
                generated.append(e)
            else:
                dropped += 1
    rng.shuffle(generated)
    qa_path.write_text(json.dumps(kept + generated, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"policy: {len(kept)} hand-written + {len(generated)} generated QA pairs ({dropped} too similar, dropped)")


# == support: draft replies rewritten in the support voice ================================
FIRST_NAMES = ["Alex", "Sam", "Jordan", "Priya", "Marco", "Lena", "Chris", "Fatima", "Noah", "Mei", "Daniel", "Ines",
               "Tomás", "Aisha", "Ben", "Yuki", "Olga", "Ravi", "Hannah", "Luis"]
PRODUCTS = ["Acme Kettle Pro", "Acme Desk Lamp", "Acme Trail Jacket", "Acme Air Purifier 300", "Acme Coffee Grinder",
            "Acme Yoga Mat", "Acme Smart Plug", "Acme Travel Mug", "Acme Running Shoes", "Acme Wireless Earbuds",
            "Acme Standing Desk", "Acme Office Chair", "Acme Rice Cooker", "Acme Bike Light"]
CARRIERS = ["UPS", "DHL", "FedEx", "DPD", "Royal Mail", "USPS", "GLS", "Canada Post"]
PLANS = ["Starter", "Team", "Business", "Pro"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _sup_date(rng):
    d = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 330))
    return f"{d.strftime('%A')}, {MONTHS_EN[d.month - 1]} {d.day}", f"{MONTHS_EN[d.month - 1]} {d.day}"


def _order(rng):
    return f"#{rng.choice('ABCDEFGHK')}-{_digits(rng, 5)}"


def _amount(rng, lo=5, hi=400):
    return f"${money(r2(rng.uniform(lo, hi)))}"


DRAFT_OPEN = ["Dear Customer,", "Dear valued customer,", "Hello,", "Greetings,", "Dear Sir or Madam,", "To whom it may concern,", "", "", ""]
DRAFT_CLOSE = ["Regards, Support Team.", "Kind regards, Customer Care.", "We apologize for any inconvenience caused.",
               "Please do not hesitate to contact us should you require further assistance.", "Thank you for your patience.",
               "Sincerely, The Acme Support Department.", "", "", ""]


def _wrap(rng, core, name=None):
    opener = rng.choice(DRAFT_OPEN)
    if name and rng.random() < 0.3:
        opener = f"Dear {name},"
    return " ".join(x for x in [opener, core, rng.choice(DRAFT_CLOSE)] if x)


def _warm(rng, core, name=None, open_=None, close=None):
    opener = open_ if open_ is not None else ""
    if name and rng.random() < 0.35:
        opener = f"Hi {name}! " + opener
    closer = close if close is not None else ""
    return (opener + core + (" " + closer if closer else "")).strip()


def st_refund(rng):
    ref, amt, days = f"RF-{_digits(rng, 5)}", _amount(rng), rng.choice(["3-5", "5-7", "5-10", "7-10"])
    method = rng.choice(["the original payment method", "your PayPal account", "your Visa card", "your store credit balance"])
    d = rng.choice([f"Please be advised that refund {ref} in the amount of {amt} has been processed and issued to {method}. Depending on your financial institution, it may take {days} business days for the credit to appear.",
                    f"Your refund request ({ref}) has been approved. A credit of {amt} was initiated to {method}; processing times of {days} business days apply."])
    f = rng.choice([f"Good news: your refund of {amt} ({ref}) is on its way to {method}. Depending on your bank, it can take {days} business days to show up.",
                    f"We've sent your {amt} refund ({ref}) back to {method}. Please allow {days} business days for it to appear."])
    return d, f


def st_delay(rng):
    order, carrier, (long_d, _) = _order(rng), rng.choice(CARRIERS), _sup_date(rng)
    d = rng.choice([f"We have received your inquiry regarding order {order}. According to {carrier} tracking information, the shipment is in transit and the estimated delivery date has been revised to {long_d}.",
                    f"This is to inform you that order {order} has been delayed at the {carrier} sorting facility. The revised estimated delivery date is {long_d}. We apologize for the delay."])
    f = rng.choice([f"Thanks for checking on order {order}. It's on its way with {carrier}, and the new delivery estimate is {long_d}. Sorry for the wait!",
                    f"Sorry, order {order} got held up at a {carrier} depot. It's moving again and should reach you on {long_d}."])
    return d, f


def st_lock(rng):
    n, mins, window = rng.choice([3, 5, 6, 10]), rng.choice([15, 20, 30, 60]), rng.choice([10, 15, 30])
    d = f"Your account has been temporarily locked due to {n} unsuccessful login attempts within {window} minutes. The lock will expire automatically after {mins} minutes. Alternatively, a password reset may be initiated via the 'Forgot password' link."
    f = rng.choice([f"To keep your account safe, we locked it after {n} failed sign-ins in {window} minutes. It unlocks on its own in {mins} minutes, or you can reset your password now with \"Forgot password\".",
                    f"Your account is locked for now because of {n} wrong passwords in {window} minutes. Wait {mins} minutes and try again, or use \"Forgot password\" to get back in right away."])
    return d, f


def st_hold(rng):
    amt, days = _amount(rng, 9, 250), rng.choice(["3-5", "5-7", "up to 7"])
    when = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}"
    d = f"Following our investigation of the second charge of {amt} dated {when}, we can confirm that it is a pre-authorization hold rather than a completed transaction. The hold will be released by your card issuer within {days} business days. No action is required on your part."
    f = f"We checked the second {amt} charge from {when}. It's only a temporary hold, not a real charge, and your card issuer will drop it within {days} business days. Nothing for you to do!"
    return d, f


def st_cancel(rng):
    plan, (long_d, _) = rng.choice(PLANS), _sup_date(rng)
    d = rng.choice([f"As per your request, your {plan} subscription has been cancelled. Please note that you will retain access to all features until the end of the current billing period on {long_d}. No further charges will be applied.",
                    f"We confirm the cancellation of your {plan} plan. Access to paid features remains available until {long_d}, after which the account will revert to the free tier. You will not be charged again."])
    f = rng.choice([f"Your {plan} subscription is cancelled, and you won't be charged again. You can keep using everything until {long_d}.",
                    f"Done: we've cancelled your {plan} plan. Everything keeps working until {long_d}, then your account moves to the free tier. No more charges."])
    return d, f


def st_outage(rng):
    region, feature = rng.choice(["EU", "US-East", "Asia-Pacific", "UK"]), rng.choice(["file uploads", "search", "notifications", "report exports", "calendar sync"])
    mins = rng.choice([30, 45, 60, 90])
    d = f"We are currently experiencing a service degradation affecting {feature} in the {region} region. Our engineering team is actively investigating the root cause. Status updates will be posted at status.acme.com every {mins} minutes until resolution."
    f = rng.choice([f"{feature.capitalize()} are having trouble in the {region} region right now, and our engineers are on it. We'll post an update at status.acme.com every {mins} minutes until it's fixed.",
                    f"Sorry, {feature} aren't working properly in {region} at the moment. The team is working on a fix; follow status.acme.com for updates every {mins} minutes."])
    return d, f


def st_feature(rng):
    feat = rng.choice(["dark mode", "a bulk export option", "recurring tasks", "keyboard shortcuts", "an offline mode", "two-way calendar sync", "custom fields"])
    app = rng.choice(["mobile app", "web app", "desktop app"])
    d = f"Thank you for your suggestion regarding {feat} for the {app}. We have logged this request with our product team for evaluation. Please note that we are unable to provide a timeline for implementation at this stage."
    f = rng.choice([f"Thanks for suggesting {feat} for the {app}! We've passed it on to our product team. We can't promise a date yet, but we read every idea.",
                    f"Love this idea: {feat} in the {app}. It's now on our product team's list. We don't have a timeline to share yet."])
    return d, f


def st_bug(rng):
    ver, nxt = f"{rng.randint(2, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}", rng.choice(["next week", "in the next release", "within 10 days", "by the end of the month"])
    issue = rng.choice(["exported invoices show the wrong time zone", "the sidebar freezes when a project has more than 500 items",
                        "CSV imports skip rows with accented characters", "the app crashes when rotating the screen on the timer view",
                        "shared links open an empty page for guests"])
    d = f"We were able to reproduce the issue whereby {issue} (version {ver}). A fix has been scheduled and is expected to be deployed {nxt}. We appreciate your patience in the interim."
    f = rng.choice([f"Thanks to your report we found the bug: {issue} in version {ver}. A fix is scheduled {nxt}.",
                    f"You're right, and we could reproduce it: in version {ver}, {issue}. Our fix should ship {nxt}. Thanks for your patience!"])
    return d, f


def st_invoice_copy(rng):
    inv = f"INV-{_digits(rng, 5)}"
    d = f"Please find attached a copy of invoice {inv} as requested. Should you require the invoice to be reissued with a different billing address or company name, kindly provide the updated details and we will process the amendment."
    f = rng.choice([f"Here's a copy of invoice {inv}. If you need a different company name or billing address on it, just send us the new details and we'll reissue it.",
                    f"Attached is invoice {inv}. Need it in another company name or with a new address? Reply with the details and we'll update it."])
    return d, f


def st_export(rng):
    hours = rng.choice([24, 48, 72])
    d = f"In accordance with your data export request, a ZIP archive containing your workspace data has been generated. The download link has been sent to the account owner's email address and will expire in {hours} hours."
    f = f"Your data export is ready! We've emailed the download link to the account owner. It works for {hours} hours, so grab it soon."
    return d, f


def st_price(rng):
    plan = rng.choice(PLANS)
    old = rng.randint(8, 40)
    new = old + rng.randint(1, 6)
    _, short_d = _sup_date(rng)
    d = f"This is to inform you that, effective {short_d}, the price of the {plan} plan will increase from ${old} to ${new} per user per month. Customers on annual billing will retain current pricing until their next renewal date."
    f = rng.choice([f"A heads-up: from {short_d}, the {plan} plan goes from ${old} to ${new} per user per month. If you pay yearly, your price stays the same until your renewal.",
                    f"We wanted you to hear it from us first: on {short_d} the {plan} plan changes from ${old} to ${new} per user each month. Annual plans keep today's price until they renew."])
    return d, f


def st_warranty(rng):
    prod = rng.choice(PRODUCTS)
    serial = f"{prod.split()[-1][:2].upper()}-{_digits(rng, 5)}"
    days = rng.choice([5, 7, 10, 14])
    d = f"Your warranty claim for the {prod} (serial {serial}) has been approved. A prepaid return shipping label has been emailed to you. A replacement unit will be dispatched within {days} business days of receipt of the defective item."
    f = rng.choice([f"Good news: your warranty claim for the {prod} (serial {serial}) is approved. We've emailed you a free return label, and we'll send the replacement within {days} business days of getting yours back.",
                    f"We've approved the warranty claim for your {prod} ({serial}). Use the prepaid label in your inbox to send it back; your replacement ships within {days} business days after it arrives."])
    return d, f


def st_ratelimit(rng):
    lim = rng.choice([60, 100, 120, 300, 600])
    d = f"The API returned HTTP 429 responses because your integration exceeded the rate limit of {lim} requests per minute. We recommend implementing exponential backoff and honouring the Retry-After header."
    f = f"Those 429 errors mean your integration went over our limit of {lim} requests a minute. Adding exponential backoff and waiting as long as the Retry-After header says will fix it."
    return d, f


def st_address(rng):
    order = _order(rng)
    d = f"Unfortunately, we are unable to modify the delivery address for order {order} as the order has already been handed over to the carrier. You may request a redirection directly with the carrier using the tracking number provided in your shipping confirmation."
    f = rng.choice([f"Sorry, order {order} is already with the carrier, so we can't change the address anymore. You can ask the carrier to redirect it using the tracking number in your shipping email.",
                    f"Order {order} has already left us, so the address can't be changed on our side. The carrier can redirect it, though: just use the tracking number from your shipping confirmation."])
    return d, f


def st_damaged(rng):
    order, days = _order(rng), rng.choice([7, 14, 30])
    d = f"We regret to learn that order {order} arrived damaged. In order to process a replacement, we require photographs of the damaged item and the outer packaging, submitted within {days} days of delivery."
    f = rng.choice([f"I'm so sorry order {order} arrived damaged! Send us photos of the item and the box within {days} days of delivery, and we'll get a replacement out to you.",
                    f"Oh no, sorry about the damage to order {order}. Please reply with a photo of the item and one of the box (within {days} days of delivery) and we'll send a replacement."])
    return d, f


def st_promo(rng):
    code = rng.choice(["SPRING", "WELCOME", "SUMMER", "FALL", "VIP"]) + str(rng.choice([10, 15, 20, 25]))
    minimum = rng.choice([30, 50, 75, 100])
    d = f"The promotional code {code} could not be applied to your order because it is valid only for orders exceeding ${minimum}, excluding shipping. Your current order subtotal does not meet this threshold."
    f = f"{code} only works on orders over ${minimum} before shipping, and your cart is just under that. Add a little more and the code will go through!"
    return d, f


def st_trial(rng):
    days = rng.choice([7, 14, 21, 30])
    long_d, _ = _sup_date(rng)
    d = f"As a one-time courtesy, we have extended your free trial by an additional {days} days. Your new trial end date is {long_d}. No payment information is required during the extended period."
    f = rng.choice([f"We've added {days} more days to your free trial, so it now ends on {long_d}. No card needed in the meantime. Enjoy!",
                    f"Good news: your trial now runs {days} days longer, until {long_d}, and you don't need to add a card for it."])
    return d, f


def st_card_expired(rng):
    last4, exp = _digits(rng, 4), f"{rng.randint(1, 12):02d}/{rng.choice([2025, 2026])}"
    brand = rng.choice(["Visa", "Mastercard", "Amex"])
    days = rng.choice([3, 5, 7])
    d = f"Your most recent payment attempt failed because the card on file ({brand} ending {last4}) expired in {exp}. Please update your payment details under Billing within {days} days to avoid an interruption of service."
    f = rng.choice([f"Your last payment didn't go through because your {brand} ending in {last4} expired in {exp}. Please add a new card under Billing in the next {days} days so nothing gets interrupted.",
                    f"Quick fix needed: the {brand} ending {last4} on your account expired in {exp}, so the payment failed. Update it under Billing within {days} days and you're all set."])
    return d, f


def st_backorder(rng):
    prod = rng.choice(PRODUCTS)
    color = rng.choice(["black", "green", "navy", "white", "grey", "red"])
    _, short_d = _sup_date(rng)
    d = f"The item you ordered ({prod}, {color}) is currently on backorder. The expected restock date is {short_d}. Your order will be dispatched upon restock unless you request a cancellation, in which case a full refund will be issued."
    f = rng.choice([f"The {prod} in {color} is out of stock right now, and we expect more on {short_d}. We'll ship your order as soon as it's back. If you'd rather not wait, we can cancel it and refund you in full.",
                    f"Sorry, the {color} {prod} is on backorder until around {short_d}. Your order ships as soon as stock arrives, or just tell us to cancel and you'll get a full refund."])
    return d, f


def st_storage(rng):
    inc = rng.choice([50, 100, 250, 500])
    used = inc + rng.randint(3, inc // 2)
    d = f"Your account has exceeded the storage allocation of {inc} GB included in your plan (current usage: {used} GB). Uploads have been suspended until usage is reduced below the limit or additional storage is purchased."
    f = f"You're using {used} GB, which is over the {inc} GB in your plan, so uploads are paused for now. Free up some space or add storage and they'll start working again."
    return d, f


def st_seats(rng):
    seats = rng.choice([5, 10, 25, 50])
    plan = rng.choice(PLANS)
    d = f"Your workspace has reached the maximum number of seats ({seats}) permitted on the {plan} plan. In order to invite additional members, you must either upgrade your plan or remove inactive users."
    f = f"Your workspace is at its {seats}-seat limit on the {plan} plan. To invite someone new, upgrade your plan or remove a member who no longer needs access."
    return d, f


def st_giftcard(rng):
    bal = _amount(rng, 3, 120)
    d = f"Gift card balances cannot be converted to cash or transferred to another account. The remaining balance of {bal} may be applied to any future purchase and does not expire."
    f = rng.choice([f"Gift card balances can't be cashed out or moved to another account, but your {bal} never expires, so you can use it on any future order.",
                    f"You still have {bal} on your gift card! We can't turn it into cash or move it to another account, but it never expires."])
    return d, f


def st_order_cancel(rng):
    order, amt, days = _order(rng), _amount(rng, 12, 300), rng.choice(["3-5", "5-7"])
    d = f"Your order {order} has been successfully cancelled prior to fulfillment. A full refund of {amt} has been initiated and should be reflected in your account within {days} business days."
    f = f"Order {order} is cancelled, and we've started a full refund of {amt}. It should show up in your account within {days} business days."
    return d, f


def st_maintenance(rng):
    long_d, _ = _sup_date(rng)
    start = rng.choice([0, 1, 2, 3, 22, 23])
    dur = rng.choice([1, 2, 3])
    d = f"Please be advised that scheduled maintenance will be performed on {long_d}, from {start:02d}:00 to {(start + dur) % 24:02d}:00 UTC. During this window, the service will be unavailable. We recommend saving your work in advance."
    f = f"Heads-up: we're doing planned maintenance on {long_d} from {start:02d}:00 to {(start + dur) % 24:02d}:00 UTC, and the service will be offline then. Please save your work beforehand."
    return d, f


def st_twofa(rng):
    days = rng.choice([1, 2, 3, 5])
    d = f"As you no longer have access to your two-factor authentication device, identity verification is required prior to resetting 2FA on your account. Please submit a photo of a government-issued ID. Verification is completed within {days} business day{'s' if days > 1 else ''}."
    f = f"Since you can't use your 2FA device anymore, we need to confirm it's really you before we reset it. Please send a photo of a government ID, and we'll finish the check within {days} business day{'s' if days > 1 else ''}."
    return d, f


def st_split(rng):
    order, carrier = _order(rng), rng.choice(CARRIERS)
    item = rng.choice(PRODUCTS)
    days = rng.choice([1, 2, 3, 4])
    d = f"Our records indicate that order {order} was shipped in two separate packages. The second package, containing the {item}, was dispatched via {carrier} and is expected to arrive within {days} business day{'s' if days > 1 else ''}."
    f = f"Your order {order} was sent in two boxes. The second one, with the {item}, is coming with {carrier} and should be with you within {days} business day{'s' if days > 1 else ''}."
    return d, f


def st_chargeback(rng):
    tx, amt = f"TX-{_digits(rng, 5)}", _amount(rng, 20, 500)
    d = f"We have been notified by your card issuer of a chargeback regarding transaction {tx} ({amt}). While the dispute is under review, access to your account has been restricted. If the dispute was raised in error, please contact your bank to withdraw it."
    f = f"Your bank told us you disputed payment {tx} ({amt}), so your account is limited while that's reviewed. If the dispute was a mistake, ask your bank to withdraw it and we'll restore access."
    return d, f


def st_loyalty(rng):
    pts, order = rng.randint(40, 900), _order(rng)
    days = rng.choice([7, 14, 30])
    d = f"Loyalty points for order {order} ({pts} points) are credited {days} days after delivery, once the return window has closed. Your points balance will be updated automatically; no further action is required."
    f = f"Your {pts} points for order {order} will land in your account {days} days after delivery, once the return window closes. It happens automatically."
    return d, f


def st_locker(rng):
    city = rng.choice(["Leeds", "Lyon", "Denver", "Toronto", "Hamburg", "Porto", "Austin"])
    hours = rng.choice([48, 72, 120])
    d = f"Kindly note that parcels delivered to a pickup locker in {city} must be collected within {hours} hours. Uncollected parcels are returned to our warehouse and refunded upon receipt, minus the original shipping fee."
    f = f"Your parcel is waiting in a pickup locker in {city}. Please collect it within {hours} hours; if it isn't picked up, it comes back to us and we refund you, minus the shipping fee."
    return d, f


SUPPORT_TOPICS = [st_refund, st_delay, st_lock, st_hold, st_cancel, st_outage, st_feature, st_bug, st_invoice_copy,
                  st_export, st_price, st_warranty, st_ratelimit, st_address, st_damaged, st_promo, st_trial,
                  st_card_expired, st_backorder, st_storage, st_seats, st_giftcard, st_order_cancel, st_maintenance,
                  st_twofa, st_split, st_chargeback, st_loyalty, st_locker]
SUPPORT_GENERATED = 100
FINAL_CLOSE = ["", "", "", "Anything else, just reply here.", "Let us know if you have any questions!", "Thanks for your patience!",
               "We're here if you need us."]


def support() -> None:
    rng = rng_for("support")
    path = HERE / "support/pairs.csv"
    with path.open(encoding="utf-8", newline="") as f:
        kept = list(csv.DictReader(f))[:HANDWRITTEN["support/pairs.csv"]]
    with (HERE / "support/eval.csv").open(encoding="utf-8", newline="") as f:
        evaluation = list(csv.DictReader(f))
    dedup = Dedup(near=0.7, eval_inputs=[r["draft"] for r in evaluation],
                  existing=[(r["draft"], r["draft"] + " " + r["final"]) for r in kept + evaluation])
    order = []

    def make(rng):
        if not order:
            order.extend(SUPPORT_TOPICS)
            rng.shuffle(order)
        core_d, core_f = order.pop()(rng)
        name = rng.choice(FIRST_NAMES)
        draft = _wrap(rng, core_d, name)
        final = _warm(rng, core_f, name if draft.startswith("Dear " + name) else None, close=rng.choice(FINAL_CLOSE))
        return draft, draft + " " + final, {"draft": draft, "final": final}

    generated = fill(rng, make, SUPPORT_GENERATED, dedup)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["draft", "final"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(kept + generated)
    path.write_text(out.getvalue(), encoding="utf-8")
    print(f"support: {len(kept)} hand-written + {len(generated)} generated pairs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--banking77", type=Path,
                        default=Path(os.environ.get("BANKING77_DIR", "/work/shared/data/banking77")),
                        help="folder with Banking77's train.csv and test.csv")
    parser.add_argument("--only", nargs="*", choices=["banking", "invoices", "math", "policy", "support"])
    args = parser.parse_args()
    todo = args.only or ["banking", "invoices", "math", "policy", "support"]
    for name in todo:
        if name == "banking":
            banking(args.banking77)
        else:
            {"invoices": invoices, "math": math_problems, "policy": policy, "support": support}[name]()


if __name__ == "__main__":
    main()
