"""One format for every problem found in the input, so people and tools read them the same way.

A problem names the file, the line (and the spreadsheet row where it differs), the column and
what is wrong, with a short code that tests and tooling can rely on.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_PER_RULE = 50
# Characters that would act on a terminal or reorder what it shows: C0 and C1 controls, DEL,
# bidirectional overrides and isolates, line and paragraph separators.
CONTROLS = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_CONTROL = re.compile(rf"[\x00-\x1f{CONTROLS}]")
_CONTROL_BUT_LINES = re.compile(rf"[\x00-\x08\x0b-\x1f{CONTROLS}]")  # tab and line feed kept


def _escaped(match: re.Match) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, keep_lines: bool = False) -> str:
    """`text` with every control character shown as an escape (ESC as \\x1b, U+202E as \\u202e).

    keep_lines keeps tab and line feed, for output that is already made of lines; inside one
    message they are escaped too, so that a bad value can never start a line of its own.
    """
    return (_CONTROL_BUT_LINES if keep_lines else _CONTROL).sub(_escaped, text)


class BuildError(Exception):
    """A build that stopped on purpose (invalid input, busy lock, a processed table breaking its schema): the
    message says why.

    Defined here, not in build.py, so that a step can raise it without making the engine part of its code.
    """


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: str
    message: str
    code: str
    severity: str = "error"  # or "warning"
    row: int | None = field(default=None, compare=False)
    row_id: str | None = field(default=None, compare=False)  # the id in the row's first column, to find it by

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path  # line 0: the file as a whole
        named = [self.row_id] if self.row_id else []
        if self.row is not None and self.row != self.line:
            named.append(f"spreadsheet row {self.row}")
        if named:
            where += f" ({', '.join(named)})"
        column = f' column "{self.column}":' if self.column else ""
        label = "warning: " if self.severity == "warning" else ""
        return escape_controls(f"{where}:{column} {label}{self.message} [{self.code}]")


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.path, p.line, p.column, p.code, p.message))


def capped(problems: list[Problem], limit: int = MAX_PER_RULE) -> list[str]:
    """Lines for people: at most `limit` per rule and file, then a count of what was left out."""
    lines: list[str] = []
    shown: Counter[tuple[str, str]] = Counter()
    for p in sort_problems(problems):
        key = (p.path, p.code)
        shown[key] += 1
        if shown[key] <= limit:
            lines.append(p.format())
    for (path, code), n in sorted(shown.items()):
        if n > limit:
            lines.append(f"{path}: ... and {n - limit} more [{code}] problems not shown")
    return lines


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def summary(problems: list[Problem]) -> str:
    """The counts, stating only what was counted: figures and periods are read (and warned about) only once the tables
    have no error, by `validate` and by the build alike, so with an error the warnings are the table checks' alone."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if not errors:
        return f"0 error(s), {warnings} warning(s)"
    checked = f", {warnings} warning(s) from the table checks" if warnings else ""
    later = "figures and periods are read, and their warnings counted, once the errors are fixed"
    return f"{errors} error(s){checked}; {later}"


def write_problems(problems: list[Problem], path: Path) -> None:
    """The machine-readable copy of a report (fields in Problem's order), written whole or not at all."""
    from censorstats.paths import write_json_atomically

    write_json_atomically(path, [asdict(p) for p in sort_problems(problems)], sort_keys=False)
