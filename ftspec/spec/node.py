"""Base of every spec block: a pydantic model that remembers where its values came from.

Each value of a built spec knows its span in the source and its origin:
`user` (written in the spec), `default` (the guide's or ftspec's default) or
`derived` (computed from other values, e.g. LoRA alpha = 2 * r).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from ftspec.diagnostics import Span

Origin = Literal["user", "default", "derived"]


def guide(section: str, note: str = "") -> dict[str, Any]:
    """`json_schema_extra` naming where a default comes from in the guide."""
    src = f"guide: {section}" + (f" ({note})" if note else "")
    return {"x-default-source": src}


def tool(note: str) -> dict[str, Any]:
    """`json_schema_extra` for a default that is ftspec's own choice."""
    return {"x-default-source": f"ftspec: {note}"}


def option(default: Any = ..., *, source: dict[str, Any] | None = None, description: str = "",
           factory: Any = None, **kw) -> Any:
    """A field with its documentation. A block default (a Node class, or a
    `factory`) is built per spec, so that values derived into one spec and the
    spans attached to it never leak into another."""
    if isinstance(default, type) and issubclass(default, BaseModel):
        factory = default
    if factory is not None:
        return Field(default_factory=factory, description=description or None, json_schema_extra=source, **kw)
    return Field(default, description=description or None, json_schema_extra=source, **kw)


class Node(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", validate_default=False)

    _user: frozenset[str] = PrivateAttr(default=frozenset())
    _derived: set[str] = PrivateAttr(default_factory=set)
    _spans: dict[str, Span] = PrivateAttr(default_factory=dict)
    _key_spans: dict[str, Span] = PrivateAttr(default_factory=dict)
    _span: Span | None = PrivateAttr(default=None)

    def model_post_init(self, __context: Any) -> None:
        # Fields the user wrote, taken before any derivation assigns others.
        self._user = frozenset(self.model_fields_set)

    # -- provenance -------------------------------------------------------------
    def origin(self, field: str) -> Origin:
        if field in self._user:
            return "user"
        if field in self._derived:
            return "derived"
        return "default"

    def derive(self, field: str, value: Any) -> None:
        """Set a value the user did not write, computed from others."""
        if field not in self._user:
            object.__setattr__(self, field, value)
            self._derived.add(field)

    def default_source(self, field: str) -> str:
        extra = type(self).model_fields[field].json_schema_extra
        return (extra or {}).get("x-default-source", "") if isinstance(extra, dict) else ""

    # -- spans ------------------------------------------------------------------
    @property
    def span(self) -> Span | None:
        """Span of the block (its name) in the source; None if not written."""
        return self._span

    def span_of(self, field: str) -> Span | None:
        """Span of the value of `field`, or of the block when the user did not write it."""
        return self._spans.get(field) or self._span

    def key_span_of(self, field: str) -> Span | None:
        return self._key_spans.get(field) or self._span
