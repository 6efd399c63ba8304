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

from censorstats.fields import DISCREPANCY_TYPES
from censorstats.paths import Project, UnsafePath, replace_atomically
from censorstats.pipeline import step_named, target_names
from censorstats.problems import CONTROLS, escape_controls


class UsageError(Exception):
    """A command line that names what does not exist, or options that do not go together, found after parsing.

    Reported as argparse reports its own usage errors, by the subcommand's parser: its usage, then
    `censorstats COMMAND: error: ...`, exit status 2. Failures of the data or the file system stay
    one line `path: message [code]` with exit status 1.
    """


def _print_problems(problems, project: Project) -> None:
    from censorstats.problems import capped, summary, write_problems

    for line in capped(problems):
        print(line, file=sys.stderr)
    write_problems(problems, project.build_state / "problems.json")
    print(
        summary(problems) + f" (machine-readable copy: {project.relative(project.build_state / 'problems.json')})",
        file=sys.stderr,
    )


def _unknown_ids(wanted: list[str], tables) -> list[str]:
    """The ids of `validate --id` that no raw table has as a key: a typo would otherwise show nothing, as a clean row
    does. None are called unknown when a table could not be read (or lacks its key column): the id may be there."""
    from censorstats.fields import RAW, REQUIRED_RAW

    if not set(REQUIRED_RAW) <= tables.keys():
        return []
    known: set[str] = set()
    for name, frame in tables.items():
        key = RAW[name].primary_key
        if key not in frame.columns:
            return []
        known.update(frame[key].drop_nulls())
    return [i for i in dict.fromkeys(wanted) if i not in known]


def cmd_validate(args, project: Project) -> int:
    """Like a linter: one line per problem on stdout (all of them, named by row id), the count on stderr."""
    from censorstats import diagnostics
    from censorstats.problems import has_errors, sort_problems, summary, write_problems
    from censorstats.validate import validate_raw

    result = validate_raw(project)
    unknown = _unknown_ids(args.id or [], result.tables)
    if unknown:
        named = ", ".join(repr(i) for i in unknown)
        raise UsageError(f"no row of any table in data/raw/ has the id{'s' if len(unknown) > 1 else ''} {named}")
    problems = list(result.problems)
    if not has_errors(problems):
        problems += diagnostics.parse_warnings_from_raw(project, result.tables)
    problems = sort_problems(diagnostics.finished(problems, result.tables, project))
    write_problems(problems, project.build_state / "problems.json")
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
    print(
        f"{summary(problems)}{selection} "
        f"(machine-readable copy: {project.relative(project.build_state / 'problems.json')})",
        file=sys.stderr,
    )
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
        from censorstats.problems import write_problems

        write_problems(outcome.problems, project.build_state / "problems.json")
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
    return summary_line(outcome.diagnostics, outcome.new) + (
        "; list them: censorstats validate --new" if outcome.new else ""
    )


def cmd_status(args, project: Project) -> int:
    from censorstats import build

    files = build.raw_snapshot(project)
    verdicts = build.status(project, args.targets, files, on_request=True)
    manifest = build.read_manifest(project)
    if not manifest["steps"]:  # no record to compare with (a fresh clone, or after `make clean`): nothing "changed"
        print(f"never built here (no record in {project.relative(project.build_state)}/): run `censorstats build`")
    else:
        for path in build.unvalidated_raw(project, manifest, files):
            print(f"{path}: changed since the last validation (the next build validates it)")
    for v in verdicts:
        for out in v.step.outputs:  # project-relative, so that data/raw/reach.csv and data/processed/reach.csv differ
            hint = f" (built on request: censorstats build {v.step.name})" if v.stale and v.step.on_request else ""
            print(f"{out}: {'stale' if v.stale else 'up to date'}{hint}")
            if args.why and v.stale:
                for reason in v.reasons:
                    print(f"  {out}: {reason}")
    return 0


def _texts_to_parse(args) -> list[str]:
    """The TEXT arguments, or stdin's lines; bytes that are not UTF-8 are an error naming where they are."""
    if args.text:
        for i, text in enumerate(args.text, start=1):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:  # undecodable bytes arrive from argv as surrogates
                byte = ord(text[exc.start]) & 0xFF
                raise UnsafePath(
                    f"argument {i}", f"is not UTF-8 text (byte 0x{byte:02x} at character {exc.start + 1})", "encoding"
                ) from None
        return args.text
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
    try:
        lines = data.decode("utf-8").replace("\r\n", "\n").split("\n")
        return lines[:-1] if lines[-1] == "" else lines
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UnsafePath(
            "<stdin>", f"line {line} is not UTF-8 text (byte 0x{data[exc.start]:02x})", "encoding"
        ) from None


def _target(name: str) -> str:
    """A step or output file of the pipeline (argparse checks each TARGET with it, so a typo is a usage error)."""
    try:
        step_named(name)
    except KeyError:
        raise argparse.ArgumentTypeError(f"unknown target {name!r}; targets are: {target_names()}") from None
    return name


def _targets_help() -> str:
    """The targets paragraph of build's and status's help: the names _target accepts, from pipeline.STEPS."""
    import textwrap

    return textwrap.fill(f"targets: {target_names()}, or an output file name (e.g. claims.parquet).", width=100)


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
    df = pl.DataFrame(
        {
            "text": texts,
            "published": [args.published] * n,
            "campaign_start": [args.campaign_start] * n,
            "campaign_end": [args.campaign_end] * n,
        },
        schema=dict.fromkeys(["text", "published", "campaign_start", "campaign_end"], pl.String),
    )
    out = resolve_periods(df, "text", "published", "campaign_start", "campaign_end").collect()
    for rec in out.drop("campaign_start", "campaign_end").iter_rows(named=True):
        start = "" if rec["period_start"] is None else rec["period_start"].isoformat()
        end = "" if rec["period_end"] is None else rec["period_end"].isoformat()
        if args.json:
            print(
                json.dumps(
                    {
                        "text": rec["text"],
                        "published": rec["published"],
                        "start": start or None,
                        "end": end or None,
                        "precision": rec["period_precision"],
                        "status": rec["period_status"],
                        "reason": rec["period_reason"],
                    },
                    ensure_ascii=False,
                )
            )
        elif rec["period_status"] == "resolved":
            print(f"{rec['text']}\t[{start}, {end}]\t{rec['period_precision']}\tresolved")
        else:
            print(
                f"{rec['text']}\t{rec['period_status']}" + (f": {rec['period_reason']}" if rec["period_reason"] else "")
            )
    return 0


def _period_options_alone(args) -> None:
    """--published and the campaign's dates say where a period phrase was printed: without --period they would be
    ignored in silence."""
    given = [
        f"--{name.replace('_', '-')}" for name in ("published", "campaign_start", "campaign_end") if getattr(args, name)
    ]
    if given and not args.period:
        raise UsageError(f"{' and '.join(given)} appl{'ies' if len(given) == 1 else 'y'} only with --period")


def cmd_parse(args, project: Project) -> int:
    _period_options_alone(args)
    texts = _texts_to_parse(args)
    if args.period:
        return cmd_parse_periods(args, texts)
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
    for (campaign,), group in found.sort("campaign_id", "type", "discrepancy_id").group_by(
        "campaign_id", maintain_order=True
    ):
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
        raise UsageError(f"no report or claim with id {args.id!r}")
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


HELP = {
    "validate": (
        "check every raw table and list every problem (file:line (id): column)",
        """\
Check every table in data/raw/ against its schema and the other tables, and read every printed
figure and period phrase. Like a linter: one line per problem on stdout,

  data/raw/reports.csv:11 (r004): column "period_text": warning: "since it launched its \
anti-pornography campaign in April" was not resolved to dates: ... [unresolved_period]

and the count on stderr. Exit status 1 when there is an error, else 0. A JSON copy of every
problem goes to data/.build/problems.json. Warnings a correction settles are not listed.

examples:
  censorstats validate | grep r004
  censorstats validate --id r004        the problems of one row (an id no raw table has is an error)
  censorstats validate --new            problems added since the last build
  censorstats validate --errors-only""",
    ),
    "build": (
        "rebuild what is stale in data/processed/ and reports/figures/",
        """\
Validate data/raw/, then rebuild every output whose inputs, code or libraries changed (or that is
missing or was edited by hand), and publish each output folder at once. Nothing is written when
the data has an error. The last line counts the warnings and names those new since the last build.

"""
        + _targets_help()
        + """
`report` (the notebooks executed and rendered to reports/html/, seconds per notebook) is built
only when named: `censorstats build report`, or `make report`.""",
    ),
    "status": (
        "list every target as up to date or stale",
        """\
For each output: up to date or stale, and with --why the reasons (an input changed, with its old
and new SHA-256; the step's code changed; an output is missing or was edited by hand). Reads file
contents, never file times. Changes nothing.

"""
        + _targets_help(),
    ),
    "parse": (
        "read printed figures as intervals (one per line on stdin when no TEXT)",
        """\
Read printed figures the way the build reads value_text: "more than 9,800" is [9800, ] at_least,
"近1.1万" (nearly 11,000) is [ , 11000] at_most, "9,800" is [9800, 9800] exact. Text it cannot
read in full (another language, an unknown word) is 'unparsed', with the reason.
With --period, read period phrases instead, as the build reads period_text on a page of
--published: the resolved start, end, precision and status, or why it is unresolved.

examples:
  censorstats parse "近1.1万" "more than 9,800"
  cut -f1 figures.txt | censorstats parse --json
  censorstats parse --period "10月20日至11月12日" "so far" --published 2018-11-13""",
    ),
    "discrepancies": (
        "list the discrepancies between reports, grouped by campaign",
        """\
The reports of one official figure that cannot be reconciled with it, from
data/processed/discrepancies.parquet, grouped by campaign, each with a sentence that explains it.
Types: """
        + ", ".join(DISCREPANCY_TYPES)
        + ". Run `censorstats build` first.",
    ),
    "trace": (
        "the whole path of a number: page, text, interval, claim, consensus, figures",
        """\
For a report id (r140): the page, the text as printed, the interval it was read as, its period,
its claim and role, any correction (reason, who decided and when, the corrected reading), the
discrepancies it is in, and the report figures that draw it. For a claim id
(2018-self-media-clean-up/accounts_closed): the claim and all its reports. Reads data/processed/.""",
    ),
    "codebook": (
        "write docs/codebook.md from the schemas",
        """\
Write docs/codebook.md, every table and column with its type and description, from the schemas
(the single source of truth). --check fails if the file is not what the schemas say.""",
    ),
}


def _subcommand(sub, name: str, func):
    short, description = HELP[name]
    command = sub.add_parser(
        name, help=short, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    command.set_defaults(func=func, command_parser=command)
    return command


class _CommandParser(argparse.ArgumentParser):
    """A subcommand's parser: an argument it does not know is its own usage error (`censorstats validate: error:
    unrecognized arguments: --nwe`), not the top-level parser's, which cannot say which command was meant."""

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras


def parser() -> argparse.ArgumentParser:
    from censorstats import __version__

    p = argparse.ArgumentParser(
        prog="censorstats",
        description="Traceable tables and figures of China's campaigns against online accounts.",
        epilog="`censorstats COMMAND --help` explains each command. Data: data/raw/ (edited by hand), "
        "data/processed/ and reports/figures/ (built).",
    )
    p.add_argument("--version", action="version", version=f"censorstats {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_CommandParser)
    v = _subcommand(sub, "validate", cmd_validate)
    v.add_argument("--new", action="store_true", help="only problems that were not there at the end of the last build")
    v.add_argument(
        "--id",
        action="append",
        metavar="ID",
        help="only problems in the row with this id, e.g. r078 (repeatable); an id no raw table has is an error",
    )
    v.add_argument("--errors-only", action="store_true", help="leave warnings out")
    b = _subcommand(sub, "build", cmd_build)
    b.add_argument(
        "targets",
        nargs="*",
        type=_target,
        metavar="TARGET",
        help="steps or output files (default: everything but the report)",
    )
    b.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    b.add_argument("--dry-run", action="store_true", help="say what would be rebuilt, change nothing")
    b.add_argument(
        "--verbose", "-v", action="store_true", help="show each step as it runs, also when not on a terminal"
    )
    s = _subcommand(sub, "status", cmd_status)
    s.add_argument(
        "targets", nargs="*", type=_target, metavar="TARGET", help="steps or output files (default: everything)"
    )
    s.add_argument("--why", action="store_true", help="say why each stale target is stale")
    r = _subcommand(sub, "parse", cmd_parse)
    r.add_argument("text", nargs="*", metavar="TEXT", help="printed figures (default: one per line on stdin)")
    r.add_argument(
        "--json", action="store_true", help="one JSON object per text: text, low, high, qualifier, status, reason"
    )
    r.add_argument(
        "--period", action="store_true", help="read period phrases instead: start, end, precision, status, reason"
    )
    r.add_argument(
        "--published", type=_date_argument, help="with --period: the page's date (YYYY-MM-DD, YYYY-MM or YYYY)"
    )
    r.add_argument(
        "--campaign-start",
        type=_date_argument,
        help="with --period: the campaign's first day, for 'during the campaign'",
    )
    r.add_argument("--campaign-end", type=_date_argument, help="with --period: the campaign's last day")
    d = _subcommand(sub, "discrepancies", cmd_discrepancies)
    d.add_argument(
        "--type",
        action="append",
        choices=DISCREPANCY_TYPES,
        metavar="TYPE",
        help="only this type (repeatable); one of: " + ", ".join(DISCREPANCY_TYPES),
    )
    t = _subcommand(sub, "trace", cmd_trace)
    t.add_argument("id", metavar="ID", help="a report_id (reports.csv) or a claim_id (claims.csv)")
    c = _subcommand(sub, "codebook", cmd_codebook)
    c.add_argument("--check", action="store_true", help="fail if docs/codebook.md is not what the schemas say")
    c.add_argument("--stdout", action="store_true", help="write the codebook to stdout instead of docs/codebook.md")
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


OS_ERROR_CODES = {
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.EACCES: "permission",
    errno.EPERM: "permission",
    errno.EROFS: "read_only",
    errno.ELOOP: "bad_link",
}


def _failure_line(exc: OSError | UnsafePath, project: Project) -> str:
    """One line, `path: message [code]`, for a failure of the file system or a path the project refuses."""
    if isinstance(exc, UnsafePath):
        return str(exc)
    path = project.relative(Path(os.fsdecode(exc.filename))) if getattr(exc, "filename", None) else "censorstats"
    return f"{path}: {exc.strerror or exc} [{OS_ERROR_CODES.get(exc.errno or 0, 'os_error')}]"


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
        except UsageError as exc:
            command: argparse.ArgumentParser = args.command_parser
            command.error(str(exc))  # exits with status 2, as argparse's own usage errors do
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
