"""The `censorstats` command. Heavy libraries are imported inside the subcommands that need them,
so that --help, status and a no-op build start fast."""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import sys
from pathlib import Path

from censorstats.paths import Project, UnsafePath, replace_atomically
from censorstats.problems import CONTROLS, escape_controls


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
        print(exc, file=sys.stderr)
        return 1
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
        files = build.raw_snapshot(project)
        verdicts = build.status(project, args.targets, files)
    except build.BuildError as exc:
        print(f"censorstats status: {exc}", file=sys.stderr)
        return 2
    for path in build.unvalidated_raw(project, files=files):
        print(f"{path}: changed since the last validation (the next build validates it)")
    for v in verdicts:
        for out in v.step.outputs:
            name = out.rsplit("/", 1)[-1]
            print(f"{name}: {'stale' if v.stale else 'up to date'}")
            if args.why and v.stale:
                for reason in v.reasons:
                    print(f"  {name}: {reason}")
    return 0


def _texts_to_parse(args) -> list[str]:
    """The TEXT arguments, or stdin's lines; bytes that are not UTF-8 are an error naming where they are."""
    if args.text:
        for i, text in enumerate(args.text, start=1):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:  # undecodable bytes arrive from argv as surrogates
                byte = ord(text[exc.start]) & 0xFF
                raise UnsafePath(f"argument {i}", f"is not UTF-8 text (byte 0x{byte:02x} at character {exc.start + 1})", "encoding") from None
        return args.text
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
    try:
        lines = data.decode("utf-8").replace("\r\n", "\n").split("\n")
        return lines[:-1] if lines[-1] == "" else lines
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UnsafePath("<stdin>", f"line {line} is not UTF-8 text (byte 0x{data[exc.start]:02x})", "encoding") from None


def cmd_parse(args, project: Project) -> int:
    texts = _texts_to_parse(args)
    import polars as pl

    from censorstats.parse.numbers import read_figures

    df = read_figures(pl.DataFrame({"text": texts}, schema={"text": pl.String}), "text").collect()
    for rec in df.iter_rows(named=True):
        if args.json:  # JSON escapes C0 controls itself; C1 and bidi characters too, here
            print(re.sub(f"[{CONTROLS}]", lambda m: f"\\u{ord(m[0]):04x}", json.dumps(rec, ensure_ascii=False)))
            continue
        text = escape_controls(rec["text"] or "")  # one line per text, whatever it holds
        if rec["status"] == "ok":
            low = "" if rec["low"] is None else f"{rec['low']:,}"
            high = "" if rec["high"] is None else f"{rec['high']:,}"
            print(f"{text}\t[{low}, {high}]\t{rec['qualifier']}")
        else:
            print(f"{text}\tunparsed: {escape_controls(rec['reason'])}")
    return 0


def _processed(project: Project, name: str):
    import polars as pl

    return pl.read_parquet(_built(project, name))


def _built(project: Project, *names: str):
    """The path of the first processed table named, after checking that every one of them was built."""
    for name in names:
        path = project.processed / f"{name}.parquet"
        if not path.is_file():
            raise UnsafePath(project.relative(path), "does not exist yet; run `censorstats build` first", "not_built")
    return project.processed / f"{names[0]}.parquet"


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

    _built(project, "reports", "claim_reports", "claims", "discrepancies")
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
    replace_atomically(path, text.encode("utf-8"))
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


class _Escaped:
    """An output stream that shows control characters as escapes (problems.escape_controls).

    Every command writes through it, so no text from the data (an outlet, a URL, a figure typed
    with ESC or U+202E) can act on the terminal; line feeds and tabs between fields are kept.
    """

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> int:
        from censorstats.problems import escape_controls

        return self.stream.write(escape_controls(text, keep_lines=True))

    def __getattr__(self, name):
        return getattr(self.stream, name)


OS_ERROR_CODES = {errno.ENOSPC: "disk_full", errno.EDQUOT: "disk_full", errno.EACCES: "permission", errno.EPERM: "permission",
                  errno.EROFS: "read_only", errno.ELOOP: "bad_link"}


def _failure_line(exc: Exception, project: Project) -> str:
    """One line, `path: message [code]`, for a failure of the file system or a path the project refuses."""
    if isinstance(exc, UnsafePath):
        return str(exc)
    path = project.relative(Path(os.fsdecode(exc.filename))) if getattr(exc, "filename", None) else "censorstats"
    return f"{path}: {exc.strerror or exc} [{OS_ERROR_CODES.get(exc.errno, 'os_error')}]"


def main(argv: list[str] | None = None) -> int:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Escaped(sys.stdout), _Escaped(sys.stderr)
    try:
        args = parser().parse_args(argv)
        project = Project.default()
        try:
            if args.command != "parse":
                project.check_layout()
            return args.func(args, project)
        except (UnsafePath, OSError) as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            print(_failure_line(exc, project), file=sys.stderr)
            return 1
    finally:
        sys.stdout, sys.stderr = saved


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
