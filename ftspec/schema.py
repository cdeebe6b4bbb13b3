"""The JSON Schema of the spec model, as `ftspec schema` prints it and
schemas/ftspec.schema.json keeps it (a test keeps the two equal)."""

from __future__ import annotations

import json

from ftspec import LANGUAGE_VERSION


def spec_schema() -> dict:
    from ftspec.spec.model import Spec

    schema = Spec.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://ftspec.dev/schemas/ftspec-{LANGUAGE_VERSION}.schema.json",
        "title": "ftspec spec (resolved)",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def spec_schema_text() -> str:
    return json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n"
