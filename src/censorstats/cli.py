"""The `censorstats` command. Heavy libraries are imported inside the subcommands that need them,
so that --help, status and a no-op build start fast."""

from __future__ import annotations

import argparse
import json
import sys

from censorstats.paths import Project


def _print_problems(problems, project: Project) -> None:
    from censorstats.problems import capped, summary, write_json

    for line in capped(problems):
        print(line, file=sys.stderr)
    write_json(problems, project.build_state / "problems.json")
    print(summary(problems) + f" (machine-readable copy: {project.relative(project.build_state / 'problems.json')})", file=sys.stderr)


def cmd_validate(args, project: Project) -> int:
    """Like a linter: one line per problem on stdout (all of them, named by row id), the count on stderr."""
    from censorstats import diagnostics
    from censorstats.problems import has_errors, sort_problems, summary, write_json
    from censorstats.validate import validate_raw

    result = validate_raw(project)
    problems = list(result.problems)
    if not has_errors(problems):
        problems += diagnostics.parse_warnings_from_raw(project, result.tables)
    problems = sort_problems(diagnostics.finished(problems, result.tables, project))
    write_json(problems, project.build_state / "problems.json")
    shown = problems
    if args.errors_only:
        shown = [p for p in shown if p.severity == "error"]
    if args.id:
        shown = [p for p in shown if p.row_id in args.id]
    if args.new:
        new = diagnostics.new_since_last_build(shown, project)
        shown = shown if new is None else new
    for p in shown:
        print(p.format())
    selection = f"; {len(shown)} shown" if len(shown) != len(problems) else ""
    print(f"{summary(problems)}{selection} (machine-readable copy: {project.relative(project.build_state / 'problems.json')})",
          file=sys.stderr)
    return 1 if has_errors(problems) else 0


def cmd_build(args, project: Project) -> int:
    from censorstats import build

    progress = (lambda msg: print(msg, file=sys.stderr)) if sys.stderr.isatty() or args.verbose else None
    try:
        outcome = build.build(project, args.targets, force=args.force, dry_run=args.dry_run, progress=progress)
    except build.InvalidInput as exc:
        _print_problems(exc.problems, project)
        print(f"censorstats build: {exc}", file=sys.stderr)
        return 1
    except build.BuildError as exc:
        print(f"censorstats build: {exc}", file=sys.stderr)
        return 2
    if outcome.problems:
        from censorstats.problems import write_json

        write_json(outcome.problems, project.build_state / "problems.json")
    for problem in outcome.new or []:
        print(problem.format(), file=sys.stderr)
    if args.dry_run:
        print(f"would rebuild: {', '.join(outcome.rebuilt) or 'nothing'}")
    else:
        print(outcome.summary())
        print(_problems_line(outcome, project))
    return 0


def _problems_line(outcome, project: Project) -> str:
    """The build's last line: its warnings, naming those new since the previous build (`censorstats validate --new`)."""
    from censorstats.diagnostics import at_last_build, summary_line

    if outcome.diagnostics is None:  # nothing was checked: the data is as the last build left it
        recorded = at_last_build(project)
        if recorded is None:
            return "data not checked yet"
        return f"{sum(p['severity'] == 'warning' for p in recorded)} warning(s), none new since the last build"
    return summary_line(outcome.diagnostics, outcome.new) + ("; list them: censorstats validate --new" if outcome.new else "")


def cmd_status(args, project: Project) -> int:
    from censorstats import build

    try:
        verdicts = build.status(project, args.targets)
    except build.BuildError as exc:
        print(f"censorstats status: {exc}", file=sys.stderr)
        return 2
    for path in build.unvalidated_raw(project):
        print(f"{path}: changed since the last validation (the next build validates it)")
    for v in verdicts:
        for out in v.step.outputs:
            name = out.rsplit("/", 1)[-1]
            print(f"{name}: {'stale' if v.stale else 'up to date'}")
            if args.why and v.stale:
                for reason in v.reasons:
                    print(f"  {name}: {reason}")
    return 0


def cmd_parse(args, project: Project) -> int:
    texts = args.text or [line.rstrip("\n") for line in sys.stdin]
    import polars as pl

    from censorstats.parse.numbers import read_figures

    df = read_figures(pl.DataFrame({"text": texts}, schema={"text": pl.String}), "text").collect()
    for rec in df.iter_rows(named=True):
        if args.json:
            print(json.dumps(rec, ensure_ascii=False))
        elif rec["status"] == "ok":
            low = "" if rec["low"] is None else f"{rec['low']:,}"
            high = "" if rec["high"] is None else f"{rec['high']:,}"
            print(f"{rec['text']}\t[{low}, {high}]\t{rec['qualifier']}")
        else:
            print(f"{rec['text']}\tunparsed: {rec['reason']}")
    return 0


def _processed(project: Project, name: str):
    import polars as pl

    path = project.processed / f"{name}.parquet"
    if not path.exists():
        raise SystemExit(f"censorstats: {project.relative(path)} does not exist yet; run `censorstats build` first")
    return pl.read_parquet(path)


def cmd_discrepancies(args, project: Project) -> int:
    import polars as pl

    found = _processed(project, "discrepancies")
    if args.type:
        found = found.filter(pl.col("type").is_in(args.type))
    for (campaign,), group in found.sort("campaign_id", "type", "discrepancy_id").group_by("campaign_id", maintain_order=True):
        print(campaign)
        for rec in group.iter_rows(named=True):
            print(f"  {rec['type']} [{rec['report_ids']}]: {rec['sentence']}")
    print(f"{found.height} discrepancies" + (f" of type {', '.join(args.type)}" if args.type else ""))
    return 0


def cmd_trace(args, project: Project) -> int:
    from censorstats.trace import trace_lines

    lines = trace_lines(project, args.id)
    if lines is None:
        print(f"censorstats trace: no report or claim with id {args.id!r}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def cmd_codebook(args, project: Project) -> int:
    from censorstats.codebook import codebook_markdown

    text = codebook_markdown()
    path = project.root / "docs" / "codebook.md"
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{project.relative(path)} is out of date; run `censorstats codebook`", file=sys.stderr)
            return 1
        print(f"{project.relative(path)} is up to date")
        return 0
    if args.stdout:
        sys.stdout.write(text)
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {project.relative(path)}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="censorstats", description="Traceable tables and figures of China's campaigns against online accounts.")
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check every raw table and list every problem (file:line (id): column)")
    v.add_argument("--new", action="store_true", help="only problems that were not there at the end of the last build")
    v.add_argument("--id", action="append", metavar="ID", help="only problems in the row with this id, e.g. r474 (repeatable)")
    v.add_argument("--errors-only", action="store_true", help="leave warnings out")
    v.set_defaults(func=cmd_validate)
    b = sub.add_parser("build", help="rebuild what is stale in data/processed/ and reports/figures/")
    b.add_argument("targets", nargs="*", help="steps or output files (default: everything)")
    b.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    b.add_argument("--dry-run", action="store_true", help="say what would be rebuilt, change nothing")
    b.add_argument("--verbose", "-v", action="store_true", help="show each step as it runs, also when not on a terminal")
    b.set_defaults(func=cmd_build)
    s = sub.add_parser("status", help="list every target as up to date or stale")
    s.add_argument("targets", nargs="*")
    s.add_argument("--why", action="store_true", help="say why each stale target is stale")
    s.set_defaults(func=cmd_status)
    r = sub.add_parser("parse", help="read printed figures as intervals (one per line on stdin when no TEXT)")
    r.add_argument("text", nargs="*")
    r.add_argument("--json", action="store_true", help="one JSON object per text: text, low, high, qualifier, status, reason")
    r.set_defaults(func=cmd_parse)
    d = sub.add_parser("discrepancies", help="list the discrepancies between reports, grouped by campaign")
    d.add_argument("--type", action="append", help="only this type (repeatable): magnitude, conflict, loose_bound, headline_body, period, qualifier_added, qualifier_dropped")
    d.set_defaults(func=cmd_discrepancies)
    t = sub.add_parser("trace", help="the whole path of a number: page, text, interval, claim, consensus, figures")
    t.add_argument("id", help="a report_id (reports.csv) or a claim_id (claims.csv)")
    t.set_defaults(func=cmd_trace)
    c = sub.add_parser("codebook", help="write docs/codebook.md from the schemas")
    c.add_argument("--check", action="store_true", help="fail if docs/codebook.md is not what the schemas say")
    c.add_argument("--stdout", action="store_true")
    c.set_defaults(func=cmd_codebook)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args, Project.default())


def run() -> None:
    """The `censorstats` command: main() with the cyclic garbage collector off.

    A command lives a few seconds and its objects are freed by reference counting; the collector's
    passes over the hundreds of thousands of objects that polars, pandera and matplotlib create on
    import cost a quarter of a second of a full build, and its last pass at exit as much again
    (frozen objects are skipped). Peak memory of a full build: 215 MB with it, 221 MB without.
    Tests call main() and keep a normal collector. Output cut short by a closed pipe ends the
    command without a traceback, as the Python documentation on SIGPIPE advises.
    """
    import gc
    import os

    gc.disable()
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # the reader left early (`censorstats status --why | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    gc.freeze()
    sys.exit(code)
