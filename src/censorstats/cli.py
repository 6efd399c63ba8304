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
    from censorstats.parse import parse_problems, parsed_reach, parsed_reports
    from censorstats.problems import has_errors
    from censorstats.validate import validate_raw

    result = validate_raw(project)
    problems = list(result.problems)
    if not has_errors(problems):
        paths = {t: project.relative(project.raw_file(t)) for t in ("reports", "reach", "corrections")}
        problems += parse_problems(parsed_reports(result.tables).collect(), parsed_reach(result.tables).collect(), paths,
                                   result.tables.get("corrections"))
    _print_problems(problems, project)
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
        _print_problems(outcome.problems, project)
    if args.dry_run:
        print(f"would rebuild: {', '.join(outcome.rebuilt) or 'nothing'}")
    else:
        print(outcome.summary())
    return 0


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


def _date_argument(text: str) -> str:
    """A date as reports.csv writes them (YYYY-MM-DD, YYYY-MM or YYYY), checked to be a real day."""
    import datetime as dt
    import re

    if not re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
    try:
        dt.date.fromisoformat((text + "-01-01")[:10])
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a real date") from None
    return text


def cmd_parse_periods(args, texts: list[str]) -> int:
    """`parse --period`: how each phrase resolves on a page of --published, to try one before adding a row."""
    import polars as pl

    from censorstats.parse.periods import resolve_periods

    n = len(texts)
    df = pl.DataFrame({"text": texts, "published": [args.published] * n, "campaign_start": [args.campaign_start] * n,
                       "campaign_end": [args.campaign_end] * n}, schema=dict.fromkeys(["text", "published", "campaign_start", "campaign_end"], pl.String))
    out = resolve_periods(df, "text", "published", "campaign_start", "campaign_end").collect()
    for rec in out.drop("campaign_start", "campaign_end").iter_rows(named=True):
        start = "" if rec["period_start"] is None else rec["period_start"].isoformat()
        end = "" if rec["period_end"] is None else rec["period_end"].isoformat()
        if args.json:
            print(json.dumps({"text": rec["text"], "published": rec["published"], "start": start or None, "end": end or None,
                              "precision": rec["period_precision"], "status": rec["period_status"], "reason": rec["period_reason"]},
                             ensure_ascii=False))
        elif rec["period_status"] == "resolved":
            print(f"{rec['text']}\t[{start}, {end}]\t{rec['period_precision']}\tresolved")
        else:
            print(f"{rec['text']}\t{rec['period_status']}" + (f": {rec['period_reason']}" if rec["period_reason"] else ""))
    return 0


def cmd_parse(args, project: Project) -> int:
    texts = args.text or [line.rstrip("\n") for line in sys.stdin]
    if args.period:
        return cmd_parse_periods(args, texts)
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
    v = sub.add_parser("validate", help="check every raw table and list every problem (file:line: column)")
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
    r.add_argument("--period", action="store_true", help="read period phrases instead: start, end, precision, status, reason")
    r.add_argument("--published", type=_date_argument, help="with --period: the page's date (YYYY-MM-DD, YYYY-MM or YYYY)")
    r.add_argument("--campaign-start", type=_date_argument, help="with --period: the campaign's first day, for 'during the campaign'")
    r.add_argument("--campaign-end", type=_date_argument, help="with --period: the campaign's last day")
    r.set_defaults(func=cmd_parse)
    d = sub.add_parser("discrepancies", help="list the discrepancies between reports, grouped by campaign")
    d.add_argument("--type", action="append", help="only this type (repeatable): magnitude, conflict, loose_bound, headline_body, period, qualifier_added, qualifier_dropped, qualifier_changed")
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
