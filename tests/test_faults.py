"""Faults and hostile file systems (issue 16): inputs fixed at the start of a build, no path out
of the project, nothing that blocks, every failure one line, terminal-safe output.

Each test builds its fault in a scratch copy of the project and checks the exact outcome.
"""

from __future__ import annotations

import polars as pl

from censorstats import build
from conftest import set_cell


def test_a_raw_file_edited_while_the_build_runs_is_reported_changed_afterwards(project):
    """The build's progress hook edits reports.csv after the first step: what was built and
    recorded is the file as read at the start, and `status` then says the file changed."""
    edits = []

    def edit_during_build(message: str) -> None:
        if not edits:
            set_cell(project.raw_file("reports"), "s001", "value_text", "over 12.000")
            edits.append(message)

    build.build(project, progress=edit_during_build)
    assert edits and edits[0].startswith("[1/10] sources")
    reports = pl.read_parquet(project.processed / "reports.parquet").filter(pl.col("report_id") == "s001")
    assert reports["value_text"].to_list() == ["over 11.000"]  # built from the bytes read at the start
    reasons = {v.step.name: v.reasons for v in build.status(project) if v.stale}
    assert any(r.startswith("input data/raw/reports.csv changed") for r in reasons["reports"])
    assert "data/raw/reports.csv" in build.unvalidated_raw(project)
    assert build.build(project).rebuilt[:1] == ["reports"]


# ---------------------------------------------------------------------------------------------
# The fault corpus: each case breaks a scratch project in one way, runs one command, and checks
# the exact outcome: the exit code, one line `path: message [code]` naming the fault, no
# traceback, no raw control character on the terminal, nothing written outside the project, and
# no lock, staging or temporary file left behind.
# ---------------------------------------------------------------------------------------------

import errno  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

import pytest  # noqa: E402

from censorstats.cli import main  # noqa: E402
from censorstats.paths import Project  # noqa: E402

RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Fault:
    name: str
    setup: Callable  # (project, outside folder, monkeypatch) -> None
    argv: list[str]
    code: int
    line: str | None  # a regex one stderr line must match in full (None: no failure line expected)
    built: bool = False  # start from a built project


def _move_out(rel: str):
    def setup(p: Project, outside: Path, mp) -> None:
        target = outside / rel.replace("/", "_")
        (p.root / rel).mkdir(parents=True, exist_ok=True)
        shutil.move(p.root / rel, target)
        (p.root / rel).symlink_to(target)
    return setup


def _link_out(rel: str, content: bytes = b"outside\n"):
    def setup(p: Project, outside: Path, mp) -> None:
        target = outside / "victim"
        target.write_bytes(content)
        (p.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (p.root / rel).unlink(missing_ok=True)
        (p.root / rel).symlink_to(target)
    return setup


def _loop(rel: str):
    def setup(p: Project, outside: Path, mp) -> None:
        (p.root / rel).unlink()
        (p.root / rel).symlink_to((p.root / rel).name)
    return setup


def _fifo(rel: str):
    def setup(p: Project, outside: Path, mp) -> None:
        (p.root / rel).unlink(missing_ok=True)
        os.mkfifo(p.root / rel)
    return setup


def _cell(table: str, row_id: str, column: str, value: str):
    def setup(p: Project, outside: Path, mp) -> None:
        set_cell(p.raw_file(table), row_id, column, value)
    return setup


def _cells(*changes):
    def setup(p: Project, outside: Path, mp) -> None:
        for table, row_id, column, value in changes:
            set_cell(p.raw_file(table), row_id, column, value)
    return setup


def _raw_bytes(table: str, encode: Callable[[bytes], bytes]):
    def setup(p: Project, outside: Path, mp) -> None:
        p.raw_file(table).write_bytes(encode(p.raw_file(table).read_bytes()))
    return setup


def _unreadable(table: str):
    def setup(p: Project, outside: Path, mp) -> None:
        real_open, denied = os.open, str(p.raw_file(table))

        def refusing(path, *args, **kwargs):
            if os.fspath(path) == denied:
                raise PermissionError(errno.EACCES, "Permission denied", denied)
            return real_open(path, *args, **kwargs)
        mp.setattr(os, "open", refusing)
    return setup


def _disk_full_on(function: str):
    """The file system fills up when `function` (os.fdopen: a temporary file; os.write: the lock) writes."""
    def setup(p: Project, outside: Path, mp) -> None:
        real = getattr(os, function)

        class Full(io.RawIOBase):
            def writable(self):
                return True

            def write(self, data):
                raise OSError(errno.ENOSPC, "No space left on device")

        def failing(fd, *args, **kwargs):
            if function == "write":
                raise OSError(errno.ENOSPC, "No space left on device")
            real(fd, *args, **kwargs).close()
            return Full()
        mp.setattr(os, function, failing)
    return setup


def _leftovers(p: Project, outside: Path, mp) -> None:
    """What a killed build leaves: a staging folder (with a read-only folder in it) and temporary files."""
    stale = p.build_state / "staging-99999999" / "data" / "processed"
    stale.mkdir(parents=True)
    (stale / "reports.csv").write_text("half")
    stale.chmod(0o555)
    for name in (".manifest.json.99999999.0badcafe.tmp", "lock.99999999.tmp", "problems.json.tmp"):
        (p.build_state / name).write_text("{")


def _negative_reading(p: Project, outside: Path, mp) -> None:
    """A parser that gives a negative count: the processed schema must stop the build anyway."""
    import polars as pl

    from censorstats import parse

    real = parse.read_figures
    mp.setattr(parse, "read_figures", lambda lf, col, prefix="": real(lf, col, prefix).with_columns(-pl.col(f"{prefix}low")))


def _stdin(data: bytes):
    def setup(p: Project, outside: Path, mp) -> None:
        mp.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    return setup


def _nothing(p, outside, mp) -> None:
    pass


OUT = r"leads to .*, outside the project; use a real folder or file here \[path_outside\]"
FIFO = r"is not a regular file \(a FIFO, socket or device\); nothing was read from it \[not_a_file\]"
LOOP = r"cannot be resolved \(Too many levels of symbolic links\) \[bad_link\]"
R = "data/raw/reports.csv"
SPREADSHEET = r"(?: \(spreadsheet row \d+\))?"
DATE = r"is outside the dates this dataset can hold \(1990-01-01 to today\) \[bad_date\]"

FAULTS = [
    # No path leaves the project: each command that reads or writes, with each folder linked out.
    *[Fault(f"raw folder linked out: {' '.join(a)}", _move_out("data/raw"), a, 1, "data/raw: " + OUT)
      for a in (["validate"], ["build"], ["build", "--dry-run"], ["status"])],
    *[Fault(f"build state linked out: {' '.join(a)}", _move_out("data/.build"), a, 1, "data/.build: " + OUT, built=True)
      for a in (["validate"], ["build", "--force"], ["status"])],
    *[Fault(f"processed linked out: {' '.join(a)}", _move_out("data/processed"), a, 1, "data/processed: " + OUT, built=True)
      for a in (["build", "--force"], ["status"], ["trace", "r001"], ["discrepancies"])],
    Fault("figures linked out: build", _move_out("reports/figures"), ["build", "--force"], 1, "reports/figures: " + OUT, built=True),
    Fault("codebook linked out: codebook", _link_out("docs/codebook.md"), ["codebook"], 1, "docs/codebook.md: " + OUT),
    Fault("a link out inside reports/figures: build", _link_out("reports/figures/extra.svg"), ["build", "--force"], 1,
          "reports/figures/extra.svg: " + OUT, built=True),
    Fault("a link out inside reports/figures: status", _link_out("reports/figures/extra.svg"), ["status"], 1,
          "reports/figures/extra.svg: " + OUT, built=True),
    Fault("planted problems.json.tmp link: validate", _link_out("data/.build/problems.json.tmp"), ["validate"], 0, None, built=True),
    Fault("planted lock link: build", _link_out("data/.build/lock"), ["build", "--force"], 1,
          r"data/\.build/lock: Too many levels of symbolic links \[bad_link\]", built=True),
    Fault("raw file linked out: build", _link_out("data/raw/metrics.csv", b"metric_id,unit,description\n"), ["build"], 1,
          "data/raw/metrics.csv: " + OUT),
    *[Fault(f"raw file in a link loop: {' '.join(a)}", _loop("data/raw/metrics.csv"), a, code, "data/raw/metrics.csv: " + LOOP)
      for a, code in ((["validate"], 1), (["build"], 1))],
    # Nothing blocks: FIFOs are refused before they are opened for reading.
    *[Fault(f"FIFO raw file: {' '.join(a)}", _fifo(R), a, code, line, built=True)
      for a, code, line in ((["validate"], 1, f"{R}: {FIFO}"), (["build"], 1, f"{R}: {FIFO}"),
                            (["build", "--dry-run"], 0, None), (["status"], 0, None))],
    Fault("FIFO corrections: validate", _fifo("data/raw/corrections.csv"), ["validate"], 1, f"data/raw/corrections.csv: {FIFO}"),
    *[Fault(f"FIFO in place of an output: {' '.join(a)}", _fifo("data/processed/reports.csv"), a, 0, None, built=True)
      for a in (["status"], ["build"])],
    # Every failure is one line.
    Fault("trace before any build", _nothing, ["trace", "r001"], 1,
          r"data/processed/reports\.parquet: does not exist yet; run `censorstats build` first \[not_built\]"),
    Fault("discrepancies before any build", _nothing, ["discrepancies"], 1, r"data/processed/discrepancies\.parquet: does not exist yet.*\[not_built\]"),
    Fault("date 0000-01-01: validate", _cell("reports", "s001", "period_start", "0000-01-01"), ["validate"], 1,
          f'{R}:2: column "period_start": "0000-01-01" {DATE}'),
    Fault("date 9999-12-31: build", _cell("reach", "p023", "as_of", "9999-12-31"), ["build"], 1,
          rf'data/raw/reach\.csv:\d+{SPREADSHEET}: column "as_of": "9999-12-31" {DATE}'),
    Fault("date 1989: build", _cell("sources", "21cir-201812", "published", "1989"), ["build"], 1,
          f'data/raw/sources.csv:2: column "published": "1989" {DATE}'),
    Fault("campaign start 0001-01-01", _cell("campaigns", "2018-self-media-clean-up", "start", "0001-01-01"), ["validate"], 1,
          rf'data/raw/campaigns\.csv:\d+{SPREADSHEET}: column "start": "0001-01-01" {DATE}'),
    Fault("non-UTF-8 argument to parse", _nothing, ["parse", "9800", "9\udcff00"], 1,
          r"argument 2: is not UTF-8 text \(byte 0xff at character 2\) \[encoding\]"),
    Fault("non-UTF-8 stdin to parse", _stdin(b"9800\n\xc3(\n"), ["parse"], 1, r"<stdin>: line 2 is not UTF-8 text \(byte 0xc3\) \[encoding\]"),
    *[Fault(f"unreadable raw file: {' '.join(a)}", _unreadable("reports"), a, code, line, built=True)
      for a, code, line in ((["validate"], 1, rf"{R}: cannot be read \(permission denied\) \[unreadable\]"),
                            (["build", "--force"], 1, rf"{R}: cannot be read \(permission denied\) \[unreadable\]"),
                            (["status"], 0, None))],
    Fault("disk full writing problems.json", _disk_full_on("fdopen"), ["validate"], 1,
          r"data/\.build/problems\.json: No space left on device \[disk_full\]", built=True),
    Fault("disk full writing the lock", _disk_full_on("write"), ["build", "--force"], 1,
          r"data/\.build/lock: No space left on device \[disk_full\]", built=True),
    Fault("what a killed build left is cleaned up", _leftovers, ["build"], 0, None, built=True),
    Fault("a negative count reaches the processed schema", _negative_reading, ["build", "--force"], 1,
          r'data/processed/reports\.parquet: column "value_low": .* fails greater_than\(0\).*\[processed_schema\]', built=True),
    # Terminal safety and one-line messages.
    Fault("ESC in an outlet", _cell("sources", "21cir-201812", "outlet", "Evil\x1b[2J\x1b]0;pwned\x07"), ["validate"], 1,
          r'data/raw/sources\.csv:2: column "outlet": cell holds the control character \\x1b \(U\+001B\); remove it \[control_character\]'),
    Fault("NUL in a value_text", _cell("reports", "s002", "value_text", "9,800\x00"), ["validate"], 1,
          rf'{R}:3: column "value_text": cell holds the control character \\x00 \(U\+0000\); remove it \[control_character\]'),
    Fault("BEL in a URL", _cell("sources", "21cir-201812", "url", "https://example.com/\x07"), ["validate"], 1,
          r'data/raw/sources\.csv:2: column "url": cell holds the control character \\x07.*\[control_character\]'),
    Fault("U+202E in a URL", _cell("sources", "21cir-201812", "url", "https://example.com/\u202egpj.exe"), ["validate"], 1,
          r'data/raw/sources\.csv:2: column "url": cell holds the control character \\u202e \(U\+202E\); remove it \[control_character\]'),
    Fault("C1 CSI in a note", _cell("reports", "s002", "note", "note\x9b31m"), ["validate"], 1,
          rf'{R}:3: column "note": cell holds the control character \\x9b \(U\+009B\); remove it \[control_character\]'),
    Fault("a line break in a bad id cannot forge a line", _cell("reports", "s004", "report_id", "bad\ndata/raw/x.csv:1: forged [x]"),
          ["validate"], 1, rf'{R}:5: column "report_id": "bad\\x0adata/raw/x\.csv:1: forged \[x\]" is not a lowercase slug.*\[bad_id\]'),
    Fault("period_start after period_end names the column", _cells(("reports", "r003", "period_start", "2014-04-20"),
                                                                   ("reports", "r003", "period_end", "2014-04-01")), ["validate"], 1,
          rf'{R}:10: column "period_start": period_start is after period_end \(period_start "2014-04-20", period_end "2014-04-01"\) \[row_check\]'),
    Fault("whitespace-only outlet", _cell("sources", "21cir-201812", "outlet", "   "), ["validate"], 1,
          r'data/raw/sources\.csv:2: column "outlet": is only white space but a value is required \[required\]'),
    Fault("whitespace-only correction reason", _cell("corrections", "r078", "reason", " \u3000 "), ["validate"], 1,
          r'data/raw/corrections\.csv:\d+: column "reason": is only white space but a value is required \[required\]'),
    Fault("UTF-16 LE without BOM", _raw_bytes("metrics", lambda b: b.decode("utf-8").encode("utf-16-le")), ["validate"], 1,
          r"data/raw/metrics\.csv:1: file is UTF-16 \(without a byte-order mark\), not UTF-8\. Re-save it as 'CSV UTF-8'\. \[encoding\]"),
    Fault("UTF-16 BE without BOM", _raw_bytes("metrics", lambda b: b.decode("utf-8").encode("utf-16-be")), ["validate"], 1,
          r"data/raw/metrics\.csv:1: file is UTF-16 .*\[encoding\]"),
    Fault("parse of text with ESC", _nothing, ["parse", "98\x1b[31m00", "9800"], 0, None),
    Fault("parse --json of text with CSI and RLO", _nothing, ["parse", "--json", "\x9b5", "\u202e0089"], 0, None),
    Fault("discrepancies --type with ESC", _nothing, ["discrepancies", "--type", "\x1b[2Jmagnitude"], 2,
          r"censorstats discrepancies: error: argument --type: invalid choice: '\\x1b\[2Jmagnitude' .*", built=True),
    Fault("trace of an id with ESC", _nothing, ["trace", "r0\x1b[2J01"], 2, r"censorstats trace: error: no report or claim with id '.*'",
          built=True),
]


@pytest.fixture(scope="module")
def built_template(tmp_path_factory) -> Project:
    from conftest import FIXTURE_RAW

    template = Project(tmp_path_factory.mktemp("built"))
    shutil.copytree(FIXTURE_RAW, template.raw)
    assert main_in(template, ["build"]) == 0
    return template


def main_in(project: Project, argv: list[str]) -> int:
    old = os.environ.get("CENSORSTATS_ROOT")
    os.environ["CENSORSTATS_ROOT"] = str(project.root)
    try:
        return main(argv)
    except SystemExit as exc:  # argparse refuses a bad option value with exit 2, as a command line does
        return exc.code
    finally:
        if old is None:
            del os.environ["CENSORSTATS_ROOT"]
        else:
            os.environ["CENSORSTATS_ROOT"] = old


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def alarm():
    """A command that blocks (a FIFO opened for reading) fails the test instead of hanging it."""
    def timeout(*_):
        raise TimeoutError("the command blocked")
    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault(fault, tmp_path, built_template, monkeypatch, capsys, alarm):
    from conftest import FIXTURE_RAW

    project = Project(tmp_path / "project")
    if fault.built:
        shutil.copytree(built_template.root, project.root, symlinks=True)
    else:
        shutil.copytree(FIXTURE_RAW, project.raw)
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.chdir(tmp_path)
    fault.setup(project, outside, monkeypatch)
    before = _tree(outside)
    code = main_in(project, fault.argv)
    monkeypatch.undo()
    out, err = capsys.readouterr()
    assert code == fault.code, (out, err)
    assert "Traceback" not in out + err and not RAW_CONTROL.search(out + err), (out, err)
    if fault.line is not None:
        # validate lists problems on stdout like a linter; every other command reports on stderr
        # ... and names the row's id after its line ("reports.csv:2 (s001):"), which these patterns leave out
        lines = [re.sub(r"(\.csv:\d+(?: \(spreadsheet row \d+\))?) \(.*?\)(?=: )", r"\1", line, count=1) for line in (out + err).splitlines()]
        assert any(re.fullmatch(fault.line, line) for line in lines), (out, err)
    elif fault.code == 0:
        assert not any(re.search(r"\[[a-z_]+\]$", line) and "warning" not in line for line in (out + err).splitlines()), (out, err)
    assert _tree(outside) == before, "something was written outside the project"
    state = project.build_state
    if state.is_dir() and not state.is_symlink():
        ours = [p for p in state.iterdir() if not p.is_symlink()]  # a planted link is left as it was
        assert [p.name for p in ours if p.name == "lock" or p.name.startswith("staging-") or p.name.endswith(".tmp")] == []
