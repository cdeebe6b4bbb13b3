"""Sizing rules: how many training examples the task needs (guide: Data Sizing Guidelines;
The Decision Framework, "fewer than 100 high-quality examples").

Every count comes from `ftspec.rules.counts`: counted in the data files when lint read
them, else the spec's declared `data.train_examples`.
"""

from __future__ import annotations

from ftspec.diagnostics import Severity
from ftspec.rules.base import Context, Finding, rule
from ftspec.rules.counts import TrainCount, minimum, recommended, train_count, unreadable_train
from ftspec.spec.vocabulary import FEWEST_EXAMPLES, SIZING

# The guide's rows of the sizing table, by task kind.
ROWS = {
    "classification": "simple classification",
    "extraction": "structured extraction",
    "style": "style/tone adaptation",
    "reasoning": "complex reasoning",
    "knowledge": "domain knowledge",
}
NAMED = 8  # categories named in a message; the rest are counted


def _row(kind: str) -> str:
    (lo, hi), (rlo, rhi) = SIZING[kind]
    return f"{ROWS[kind]}: minimum {lo}-{hi}, recommended {rlo}-{rhi} per category"


def _declared_labels(ctx: Context) -> int:
    """Labels declared in `task.labels` (classification), else 0."""
    labels = ctx.spec.task.labels
    return len(set(labels)) if ctx.spec.task.kind == "classification" and isinstance(labels, list) else 0


def _categories(count: TrainCount) -> dict[str, int] | None:
    """The counted categories, when there are any to judge one by one."""
    return count.categories or None


def _names(found: dict[str, int]) -> str:
    """`a (3), b (10)`: fewest first, at most NAMED, then `and N more`."""
    ordered = sorted(found.items(), key=lambda kv: (kv[1], kv[0]))
    text = ", ".join(f"{name} ({n})" for name, n in ordered[:NAMED])
    if len(ordered) > NAMED:
        text += f" and {len(ordered) - NAMED} more"
    return text


def _too_few(count: TrainCount) -> bool:
    """SZ001 fires: fewer than the guide's floor of 100."""
    return count.examples < FEWEST_EXAMPLES


def _sizing_span(ctx: Context):
    spec = ctx.spec
    if spec.origin("sizing") == "user":
        return spec.span_of("sizing")
    return spec.data.span_of("train")


@rule("SZ001", "sizing.too-few-examples", Severity.ERROR)
def too_few_examples(ctx: Context):
    """
    ## What it does
    Refuses a spec with fewer than 100 training examples, counted in the data files (or,
    when lint does not read them, the declared `data.train_examples`).

    ## Why is this bad?
    The guide (The Decision Framework, "Do NOT fine-tune when", 3): "You have fewer than
    100 high-quality examples. Few-shot prompting will likely match or beat fine-tuning."
    Step 3 of its decision tree: "Do you have 100+ labeled examples? -> If no, few-shot
    prompting". 100 is a floor for any task; the sizing table asks for more per category.

    ## Example
    ```
    data { train = jsonl("data/train.jsonl") }   # 60 examples
    ```

    ## Use instead
    Prompt the base model with a few of the examples (few-shot), or collect at least 100
    (for classification, the table's minimum per category times the categories), reviewing
    synthetic ones by hand (the guide's Data Augmentation).

    ## References
    - guide: The Decision Framework: When to Fine-Tune (do NOT fine-tune 3; decision tree step 3)
    - guide: Data Preparation > Data Sizing Guidelines
    """
    count = train_count(ctx)
    if count is None or not _too_few(count):
        return
    kind = ctx.spec.task.kind
    categories = len(count.categories) if count.categories else _declared_labels(ctx)
    needed = max(FEWEST_EXAMPLES, minimum(kind) * max(categories, 1))
    yield Finding(
        f"{count.examples} training examples {count.source}; the guide's floor is {FEWEST_EXAMPLES}",
        ctx.spec.data.span_of("train"),
        help=f"few-shot prompting will likely match or beat fine-tuning on this few (the guide); "
        f"collect at least {needed}",
    )


def _below(ctx: Context, count: TrainCount, per_category: int, top: int | None = None):
    """(what, categories) for the categories (or the total) below `per_category` examples per
    category and, with `top`, at or above `top` per category; `categories` is how many the
    figure is multiplied by (0: a total with no categories). None when nothing is below."""
    categories = _categories(count)
    if categories is not None:
        low = top if top is not None else 0
        found = {c: n for c, n in categories.items() if low <= n < per_category}
        if not found:
            return None
        return (f"{len(found)} of {len(categories)} categories have fewer than {per_category} examples: "
                f"{_names(found)}", len(categories))
    if _too_few(count):
        return None  # SZ001 has said it, for the total
    labels = _declared_labels(ctx)
    times = max(labels, 1)
    low = top * times if top is not None else 0
    if not low <= count.examples < per_category * times:
        return None
    what = f"{count.examples} training examples {count.source}"
    return (what + f" for {labels} labels" if labels else what), labels


def _figure(kind: str, verb: str, per_category: int, categories: int) -> str:
    """`the guide's minimum for simple classification is 50 per category, so 10 categories need 10x: 500`."""
    text = f"the guide's {verb} for {ROWS[kind]} is {per_category}"
    if categories:
        text += " per category"
    if categories > 1:
        text += f", so {categories} categories need {categories}x: {per_category * categories}"
    return text


def _collect(per_category: int, categories: int, or_else: str = "") -> str:
    if categories:
        return f"collect at least {per_category} examples for each category{or_else}"
    return f"collect at least {per_category} examples"


@rule("SZ002", "sizing.below-minimum", Severity.ERROR)
def below_minimum(ctx: Context):
    """
    ## What it does
    Refuses a spec with fewer examples than the guide's minimum for its task kind (the
    lower end of the table's range): per category for classification, where a label
    declared in `task.labels` with no example counts as 0; the total for other kinds.

    | kind | minimum | recommended |
    | --- | --- | --- |
    | classification | 50-100 | 200-500 |
    | extraction | 100-200 | 500-1000 |
    | style | 50-100 | 200-500 |
    | reasoning | 200-500 | 1000-5000 |
    | knowledge | 500-1000 | 2000-10000 |

    ## Why is this bad?
    The guide (Data Sizing Guidelines): "These are per-category minimums. If you have 10
    categories, you need 10x these numbers." A category with a handful of examples is one
    the model will not learn; a stratified validation split may leave it none at all.

    ## Example
    ```
    task "t" { kind = classification  labels = [card_arrival, pin_blocked] }
    # data: 120 card_arrival, 12 pin_blocked
    ```

    ## Use instead
    Collect at least 50 examples of every category (here 100 in all), or merge or drop
    the categories you cannot cover.

    ## References
    - guide: Data Preparation > Data Sizing Guidelines
    - guide: Data Preparation > Data Quality Checklist (balance)
    """
    count = train_count(ctx)
    if count is None:
        return
    kind = ctx.spec.task.kind
    per_category = minimum(kind)
    below = _below(ctx, count, per_category)
    if below is None:
        return
    what, categories = below
    yield Finding(
        f"{what}; {_figure(kind, 'minimum', per_category, categories)}",
        ctx.spec.data.span_of("train"),
        help=f"{_collect(per_category, categories, ', or merge or drop the ones you cannot cover')} "
        f"(Data Sizing Guidelines, {_row(kind)})",
    )


@rule("SZ003", "sizing.below-recommended", Severity.WARNING)
def below_recommended(ctx: Context):
    """
    ## What it does
    With `sizing = recommended` (the default), flags categories (for classification) or
    a total (for other kinds) that meet the guide's minimum but not its recommended size
    (the lower end of the range). `sizing = minimum` turns it off.

    ## Why is this bad?
    The guide's sizing table gives a minimum and a recommended size per task kind, per
    category: "Simple classification 50-100, recommended 200-500". The minimum is where
    fine-tuning starts to work, not where it works well; the recommended column is what
    the guide expects a job to have.

    ## Example
    ```
    task "t" { kind = classification  labels = [card_arrival, pin_blocked] }
    # data: 120 examples of each
    ```

    ## Use instead
    Collect at least 200 examples per category, or accept the minimum knowingly:
    ```
    sizing = minimum
    ```

    ## References
    - guide: Data Preparation > Data Sizing Guidelines
    """
    if ctx.spec.sizing != "recommended":
        return
    count = train_count(ctx)
    if count is None:
        return
    kind = ctx.spec.task.kind
    per_category = recommended(kind)
    below = _below(ctx, count, per_category, top=minimum(kind))
    if below is None:
        return
    what, categories = below
    yield Finding(
        f"{what}; {_figure(kind, 'recommended size', per_category, categories)}",
        _sizing_span(ctx),
        help=f"{_collect(per_category, categories)}, or write `sizing = minimum` "
        f"(Data Sizing Guidelines, {_row(kind)})",
    )


@rule("SZ004", "sizing.declared-count", Severity.WARNING)
def declared_count(ctx: Context):
    """
    ## What it does
    Says when the sizing rules judged the declared `data.train_examples` instead of
    counting the data: lint did not read the data (`--no-data`), or a training file was
    not found. Nothing is reported for a spec that declares no count.

    ## Why is this bad?
    A declared number is only as good as the last time someone updated it, and the data
    rules (duplicates, contamination, conflicts, the guide's Data Quality Checklist) did
    not check the data at all.

    ## Example
    ```
    data { train = jsonl("data/train.jsonl")  train_examples = 1200 }
    ```
    linted with `ftspec lint --no-data`.

    ## Use instead
    Lint with the data (`ftspec lint SPEC`), so that the examples are counted and
    checked; keep `train_examples` for the places where the data cannot be read.

    ## References
    - guide: Data Preparation > Data Sizing Guidelines
    - guide: Data Preparation > Data Quality Checklist
    """
    count = train_count(ctx)
    if count is None or count.counted:
        return
    if unreadable_train(ctx):
        why = "a training file was not found, so the data rules could not check it"
        help = "fix the training file's path (relative to the spec's folder) so that lint counts the examples"
    else:
        why = "the data was not read, so the data rules were not checked"
        help = "lint with the data (without --no-data) to count and check the examples"
    yield Finding(
        f"the sizing rules used the declared train_examples = {count.examples}: {why}",
        ctx.spec.data.span_of("train_examples"),
        help=help,
    )


@rule("SZ005", "sizing.declared-count-mismatch", Severity.WARNING)
def declared_count_mismatch(ctx: Context):
    """
    ## What it does
    Flags a declared `data.train_examples` that differs by more than 10% from the
    training examples counted in the data files (train sources plus a separate
    validation file).

    ## Why is this bad?
    The declared count is what the sizing rules judge when the data cannot be read (a
    CI job without it). A stale declaration there passes a spec the guide's Data Sizing
    Guidelines would refuse, or the other way round.

    ## Example
    ```
    data { train = jsonl("data/train.jsonl")  train_examples = 2000 }   # the file holds 600
    ```

    ## Use instead
    ```
    data { train = jsonl("data/train.jsonl")  train_examples = 600 }
    ```
    or leave `train_examples` out.

    ## References
    - guide: Data Preparation > Data Sizing Guidelines
    """
    declared = ctx.spec.data.train_examples
    count = train_count(ctx)
    if declared is None or count is None or not count.counted:
        return
    counted = count.examples
    if abs(declared - counted) * 10 <= counted:
        return
    yield Finding(
        f"data.train_examples declares {declared} training examples, but the data files hold {counted}: "
        "the declaration is stale",
        ctx.spec.data.span_of("train_examples"),
        help=f"write `train_examples = {counted}`, or remove it",
    )


RULES = [too_few_examples, below_minimum, below_recommended, declared_count, declared_count_mismatch]
