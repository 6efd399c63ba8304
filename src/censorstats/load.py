"""Reading hand-edited raw CSV files strictly, before anything else touches them.

Spreadsheets write other encodings, other delimiters and stray rows, and the usual readers
quietly repair such files (padding short rows, renaming duplicate headers, swallowing an
unclosed quote). Here every such thing is a Problem with its file, line and column, and a
table is only handed on when its file could be read exactly as written.

The tokenizer is our own (RFC 4180 with CRLF or LF) because it must know the line where each
record and each quote starts; the raw files are small, so a plain loop is fast enough.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from censorstats.paths import Project, UnsafePath
from censorstats.problems import CONTROLS, Problem, escape_controls

MAX_CELL_CHARS = 32_767  # the most a spreadsheet cell holds
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A file with one of these cannot be read as a table at all; checks that need it are skipped.
FATAL = {"blank_header", "duplicate_header", "missing_column", "unclosed_quote", "bare_cr", "no_records"}
# Free-text columns may hold line breaks and tabs; no cell may hold another control character
# (NUL, ESC, BEL, C1 controls, bidirectional overrides): they change what a terminal shows.
FREE_TEXT_COLUMNS = {"note", "description", "reason"}
_CONTROL_CHAR = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f{CONTROLS}]")
_LINE_CHAR = re.compile("[\\t\\n\\r]")
LINE_COLUMN = "_line"
ROW_COLUMN = "_row"


@dataclass
class RawTable:
    """The cells of one raw file, as text, with the line and spreadsheet row of each record."""

    name: str
    path: str
    header: list[str]
    records: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)

    def frame(self):
        """Cells as a Polars frame of strings (empty cell = null), plus _line and _row."""
        import polars as pl

        data = {name: [rec[i] or None for rec in self.records] for i, name in enumerate(self.header)}
        data[LINE_COLUMN] = self.lines
        data[ROW_COLUMN] = self.rows
        schema = {name: pl.String for name in self.header} | {LINE_COLUMN: pl.Int64, ROW_COLUMN: pl.Int64}
        return pl.DataFrame(data, schema=schema)


def _guess_encoding(data: bytes) -> str | None:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:200].count(b"\x00") > 10:
        return "UTF-16"
    try:
        text = data.decode("gb18030")
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            return "GBK/GB18030"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252 (Windows Western)"
    except UnicodeDecodeError:
        return None


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: ASCII text saved so has a NUL in every other byte, which is valid UTF-8."""
    head = data[:400]
    return len(head) >= 4 and max(head[0::2].count(0), head[1::2].count(0)) > len(head) // 4


def _decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if _looks_utf16(data):
        msg = "file is UTF-16 (without a byte-order mark), not UTF-8. Re-save it as 'CSV UTF-8'."
        return None, [Problem(path, 1, "", msg, "encoding")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        guess = _guess_encoding(data)
        likely = f" It looks like {guess}." if guess else ""
        msg = (
            f"file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}).{likely} "
            "Re-save it as 'CSV UTF-8'."
        )
        return None, [Problem(path, line, "", msg, "encoding")]


@dataclass(frozen=True)
class RawBytes:
    """One raw file as read at one moment: its bytes, or the problem that kept them from being read.

    A build reads each raw file once, into one of these, and validates, builds and records the
    hash of exactly these bytes, so an edit made while it runs is seen by the next build.
    """

    data: bytes | None
    problem: Problem | None = None

    @property
    def fingerprint(self) -> str | None:
        """The SHA-256 of the bytes; for a file that could not be read, what kept it from being read."""
        if self.data is not None:
            return hashlib.sha256(self.data).hexdigest()
        if self.problem is None or self.problem.code == "missing_file":
            return None
        return f"not read: {self.problem.code}"


def read_bytes(project: Project, path: Path) -> RawBytes:
    """The bytes of one raw file, refusing links out of the project and files that are not regular."""
    try:
        return RawBytes(project.read_regular(path))
    except UnsafePath as exc:
        return RawBytes(None, Problem(exc.shown, 0, "", exc.message, exc.code))


def snapshot(project: Project, tables) -> dict[str, RawBytes]:
    """Every raw table's file, read once, keyed by its path relative to the project."""
    return {project.relative(project.raw_file(t)): read_bytes(project, project.raw_file(t)) for t in tables}


def tokenize(text: str, path: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """Split CSV text into (line, cells) records; embedded newlines keep the lines right."""
    records: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    i, n, line = 0, len(text), 1
    while i < n:
        start_line = line
        cells: list[str] = []
        cell: list[str] = []
        while True:
            if i < n and text[i] == '"' and not cell:
                quote_line = line
                i += 1
                while True:
                    j = text.find('"', i)
                    if j < 0:
                        problems.append(
                            Problem(path, quote_line, "", "quote opened here is never closed", "unclosed_quote")
                        )
                        return records, problems
                    chunk = text[i:j]
                    line += chunk.count("\n")
                    cell.append(chunk)
                    if j + 1 < n and text[j + 1] == '"':
                        cell.append('"')
                        i = j + 2
                        continue
                    i = j + 1
                    break
                if i < n and text[i] not in ",\r\n":
                    problems.append(
                        Problem(
                            path,
                            line,
                            "",
                            'text after a closing quote; double the quote ("") to write one inside a cell',
                            "stray_quote",
                        )
                    )
                    while i < n and text[i] not in ",\r\n":
                        cell.append(text[i])
                        i += 1
            else:
                j = i
                while j < n and text[j] not in ',\r\n"':
                    j += 1
                cell.append(text[i:j])
                i = j
                if i < n and text[i] == '"':
                    problems.append(
                        Problem(
                            path,
                            line,
                            "",
                            "quote inside an unquoted cell; quote the whole cell and double the quote",
                            "stray_quote",
                        )
                    )
                    cell.append('"')
                    i += 1
                    continue
            if i >= n:
                cells.append("".join(cell))
                break
            ch = text[i]
            if ch == ",":
                cells.append("".join(cell))
                cell = []
                i += 1
                continue
            if ch == "\r" and (i + 1 >= n or text[i + 1] != "\n"):
                problems.append(
                    Problem(
                        path,
                        line,
                        "",
                        "bare carriage return (old Mac line ending); re-save with LF or CRLF line endings",
                        "bare_cr",
                    )
                )
                return records, problems
            cells.append("".join(cell))
            i += 2 if ch == "\r" else 1
            line += 1
            break
        records.append((start_line, cells))
    return records, problems


def _header_problems(name: str, header: list[str], path: str, known: tuple[list[str], list[str]]) -> list[Problem]:
    required, optional = known
    problems = []
    seen: dict[str, int] = {}
    for pos, col in enumerate(header, start=1):
        if not col.strip():
            problems.append(Problem(path, 1, f"#{pos}", f"header cell {pos} is blank", "blank_header"))
        elif col in seen:
            problems.append(
                Problem(
                    path,
                    1,
                    col,
                    f"column appears twice in the header (cells {seen[col]} and {pos})",
                    "duplicate_header",
                )
            )
        elif col not in required and col not in optional:
            hint = "; known columns: " + ", ".join(required + optional)
            problems.append(Problem(path, 1, col, f"unknown column for {name}.csv{hint}", "unknown_column"))
        seen.setdefault(col, pos)
    for col in required:
        if col not in seen:
            problems.append(
                Problem(path, 1, col, f"required column is missing from the header of {name}.csv", "missing_column")
            )
    return problems


def _delimiter_problem(first_line: str, path: str) -> Problem | None:
    if "," in first_line:
        return None
    for delim, label in ((";", "semicolons"), ("\t", "tabs")):
        if delim in first_line:
            return Problem(
                path,
                1,
                "",
                f"cells are separated by {label}, not commas; re-save as 'CSV UTF-8 (comma delimited)'",
                "delimiter",
            )
    return None


def _cell_problems(header: list[str], line: int, row: int, cells: list[str], path: str) -> list[Problem]:
    problems = []
    for col, value in zip(header, cells, strict=True):  # the caller skips rows whose length differs from the header
        if len(value) > MAX_CELL_CHARS:
            problems.append(
                Problem(
                    path,
                    line,
                    col,
                    f"cell has {len(value):,} characters, more than a spreadsheet cell holds ({MAX_CELL_CHARS:,})",
                    "cell_too_long",
                    row=row,
                )
            )
        elif bad := _CONTROL_CHAR.search(value) or (col not in FREE_TEXT_COLUMNS and _LINE_CHAR.search(value)):
            char = escape_controls(bad[0])
            problems.append(
                Problem(
                    path,
                    line,
                    col,
                    f"cell holds the control character {char} (U+{ord(bad[0]):04X}); remove it",
                    "control_character",
                    row=row,
                )
            )
        elif value.startswith(FORMULA_PREFIXES):
            problems.append(
                Problem(
                    path,
                    line,
                    col,
                    f"cell begins with {value[0]!r}, which a spreadsheet may run as a formula; kept as text",
                    "formula_cell",
                    "warning",
                    row=row,
                )
            )
    return problems


def read_raw(
    project: Project, name: str, known: tuple[list[str], list[str]], raw: RawBytes | None = None
) -> tuple[RawTable | None, list[Problem]]:
    """Read data/raw/NAME.csv (or the bytes already read from it); None when it cannot be trusted as a whole."""
    path = project.raw_file(name)
    shown = project.relative(path)
    raw = raw or read_bytes(project, path)
    if raw.problem:
        return None, [raw.problem]
    data = raw.data or b""
    if not data.strip():
        return None, [
            Problem(shown, 1, "", "file is empty; it needs at least a header row and one record", "empty_file")
        ]
    text, problems = _decode(data, shown)
    if text is None:
        return None, problems
    bad_delim = _delimiter_problem(text.split("\n", 1)[0], shown)
    if bad_delim:
        return None, [bad_delim]
    records, problems = tokenize(text, shown)
    if not records:
        return None, problems or [Problem(shown, 1, "", "file has no header row", "empty_file")]
    header = records[0][1]
    problems += _header_problems(name, header, shown, known)
    table = RawTable(name, shown, header)
    for index, (line, cells) in enumerate(records[1:]):
        row = index + 2
        if all(not c.strip() for c in cells):
            problems.append(Problem(shown, line, "", "blank row skipped", "blank_row", "warning", row=row))
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(
                    shown,
                    line,
                    "",
                    f"row has {len(cells)} cells but the header has {len(header)}",
                    "row_length",
                    row=row,
                )
            )
            continue
        problems += _cell_problems(header, line, row, cells, shown)
        table.records.append(cells)
        table.lines.append(line)
        table.rows.append(row)
    if not table.records and not any(p.severity == "error" for p in problems):
        problems.append(Problem(shown, 1, "", "file has a header but no records", "no_records"))
    fatal = any(p.severity == "error" and p.code in FATAL for p in problems)
    return (None if fatal else table), problems
