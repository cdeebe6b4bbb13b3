"""Generated-data rules: examples `ftspec augment` wrote (template variation, paraphrasing,
synthetic generation), recognised by the `provenance` object on their line.

Like the other data rules they read the cached data report (`Context.data`, its
`generated` section); with `ftspec lint --no-data` they say nothing.
"""

from __future__ import annotations

from ftspec.diagnostics import Severity
from ftspec.rules.base import Context, Finding, rule
from ftspec.rules.data import _short, _source_span


@rule("DA007", "data.unreviewed-generated", Severity.ERROR)
def unreviewed_generated(ctx: Context):
    """
    ## What it does
    Reports generated examples in the data that is trained on (`train`, the validation
    file, `general`) without a review record that lets them in: a line whose `provenance`
    has no `review`, or one whose decision is not `accept` or `edit`, or that names no
    reviewer.

    ## Why is this bad?
    The guide's synthetic data pipeline: "CRITICAL: Human review every synthetic
    example". A large model's paraphrases and inventions carry its mistakes (a wrong
    label, a changed meaning, a reply no expert would give); trained on unread, they
    become the fine-tuned model's mistakes.

    ## Example
    ```
    {"messages": [...], "provenance": {"strategy": "paraphrase", "candidate": "c9f2c41d07a3b"}}
    ```

    ## Use instead
    Review the candidates (`ftspec augment SPEC` queues them, `ftspec review serve QUEUE_DIR`
    shows them to a reviewer) and write only the accepted ones with
    `ftspec augment SPEC --write`, which records each decision:
    ```
    {"messages": [...], "provenance": {"strategy": "paraphrase", "candidate": "c9f2c41d07a3b",
     "review": {"decision": "accept", "reviewer": "alice", "at": "2026-11-26T10:00:00.000000Z"}}}
    ```
    Or remove the unreviewed examples from the data.

    ## References
    - guide: Data Preparation > Data Augmentation (synthetic data pipeline: human review every synthetic example)
    """
    found = _section(ctx)
    if found is None or not found["unreviewed"]["count"]:
        return
    unreviewed = found["unreviewed"]
    first = unreviewed["examples"][0]
    more = unreviewed["count"] - 1
    yield Finding(
        f"{_short(first['file'], ctx)}:{first['line']}: a generated example ({first['strategy']}) "
        f"has no review record accepting it" + (f"; {more} more" if more else ""),
        _source_span(ctx, first["file"]),
        help="review them (`ftspec augment SPEC`, then `ftspec review serve QUEUE_DIR`) and write only the "
             "accepted ones (`ftspec augment SPEC --write`), or remove them; `ftspec check SPEC` lists them")


@rule("DA008", "data.generated-share", Severity.INFO)
def generated_share(ctx: Context):
    """
    ## What it does
    Reports how many of the training examples (train and validation) are generated,
    and by which strategy, when any are.

    ## Why is this bad?
    It is not wrong in itself: the guide recommends augmentation when data is limited.
    But generated examples share the habits of the model or template that made them,
    and a large share can teach those habits rather than the task; the share is worth
    knowing when results are read, and when it grows.

    ## Example
    A spec whose `data.train` includes `augment.into`'s file of 80 generated examples
    next to 120 collected ones: 40% of training is generated.

    ## Use instead
    Nothing to change when the share is deliberate. To lower it, collect more real
    examples, or generate fewer (the `count` of the spec's augment strategies). Turn it
    off for a project with `DA008 = "off"` under `[lint.severity]` in `ftspec.toml`.

    ## References
    - guide: Data Preparation > Data Augmentation (when you have limited data, augment carefully)
    """
    found = _section(ctx)
    if found is None or not found["count"]:
        return
    strategies = ", ".join(f"{name} {n}" for name, n in found["by_strategy"].items())
    total, count = found["train_examples"], found["count"]
    yield Finding(
        f"{count} of {total} training examples ({count / total:.1%}) are generated: {strategies}",
        ctx.spec.data.span_of("train"),
        help="`ftspec check SPEC` shows the share by strategy and source role")


def _section(ctx: Context) -> dict | None:
    """The report's `generated` section; None with --no-data (or a report made before it existed)."""
    return None if ctx.data is None else ctx.data.get("generated")


RULES = [unreviewed_generated, generated_share]
