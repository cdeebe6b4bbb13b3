from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption(
        "--update-fixtures", action="store_true",
        help="rewrite tests/fixtures/broken/expected.toml from what ftspec reports now (review the diff!)",
    )


@pytest.fixture
def update_fixtures(request) -> bool:
    return request.config.getoption("--update-fixtures")


MINIMAL = """\
ftspec 1
task "t" { kind = classification }
data { train = jsonl("train.jsonl")  eval = jsonl("eval.jsonl") }
model { base = "m" }
"""


@pytest.fixture
def minimal_spec() -> str:
    return MINIMAL
