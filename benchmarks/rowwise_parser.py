"""The figure-reading rules of censorstats.parse.numbers, applied row by row in plain Python.

Two uses: the baseline that benchmarks/bench_parse.py compares the Polars parser with, and a
second evaluation that tests/test_numbers.py checks the Polars parser against (the two must
agree on every text). It shares the vocabulary and the regular expressions, so it states the
same rules and cannot catch a wrong rule; only the evaluation differs. Not used by the package.
"""

from __future__ import annotations

import re
import unicodedata

from censorstats.parse import numbers as N
from censorstats.parse.text import TRADITIONAL

_SINGLE = re.compile(N.SINGLE)
_RANGE = re.compile(N.RANGE)
_SHAPES = re.compile(N.NUMBER_SHAPES)
_WORD_PARTS = re.compile(rf"^(?P<before>.*?)(?P<span>{N.WORD_SPAN})(?P<after>.*)$", re.S)
_WORD_NUMBER = re.compile(N.WORD_NUMBER)
_WHITE = re.compile(r"[^\S\x1c-\x1f]+")  # Unicode White_Space, as in Rust's \s
_PREFIX = {w: k for k, ws in N.PREFIX_QUALIFIERS.items() for w in ws}
_SUFFIX = {w: k for k, ws in N.SUFFIX_QUALIFIERS.items() for w in ws}
_SCRIPTS = [(name, re.compile(f"[{chars}]")) for name, chars in N.OTHER_SCRIPTS.items()]
_LATIN_WORD = re.compile(r"[a-z\u00c0-\u024f]+(?:[-.'][a-z\u00c0-\u024f]+)*")
_KNOWN_WORDS = set(N.KNOWN_WORDS)
_NUMBERS = re.compile(N.NUMBERS)
_OUTSIDE = re.compile(N.OUTSIDE_ALPHABET)
_CN_RUN = re.compile(N.CHINESE_RUN)
_CN_NUMBER = re.compile(N.CHINESE_NUMBER)
_CN_CHAR = re.compile(f"[{N._CN_CHARS}]")
_INDEFINITE = re.compile(f"[{N.INDEFINITE}]")
_RUST_STRIP = "".join(chr(c) for c in range(0x110000) if chr(c).isspace() and c not in range(0x1C, 0x20))


# Python's \s also matches the separators U+001C-U+001F, Rust's does not: hide them from Python's
# regexes behind a character no rule mentions, so both engines see the same grammar.
_RUST_NON_SPACE = str.maketrans({c: "\x00" for c in "\x1c\x1d\x1e\x1f"})


def normal_form(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower()
    for a, b in TRADITIONAL.items():
        t = t.replace(a, b)
    return _WHITE.sub(" ", t).strip(_RUST_STRIP).translate(_RUST_NON_SPACE)


def words_to_digits(t: str) -> tuple[str, bool]:
    """(text with one number-word span replaced by digits, whether a span was found but not read)."""
    parts = _WORD_PARTS.match(t)
    if not parts:
        return t, False
    m = _WORD_NUMBER.match(parts["span"].replace("-", " "))
    if not m:
        return t, True
    total, valid = 0, True
    for p, scale in N.WORD_SCALES.items():
        h, tens, u, x = (N.WORD_VALUES.get(m[f"{p}{k}"]) if m[f"{p}{k}"] else None for k in "htux")
        if p != "r" and m[f"{p}s"] and h is None and tens is None and x is None:
            valid = False
        total += ((h or 0) * 100 + (tens or 0) + (u or 0) + (x or 0)) * scale
    parsed = m["rh"] is not None or any(m[f] is not None for f in ("bs", "ms", "ks", "rt", "rx"))
    if not (valid and parsed):
        return t, True
    return f"{parts['before']}{total}{parts['after']}", False


def digits(n: str, has_mult: bool) -> tuple[str | None, str | None]:
    """(integer digits, fraction digits) by the grouping rules, or (None, None)."""
    n = n.replace(". ", ".").replace(", ", ",")
    m = _SHAPES.match(n)
    if not m:
        return None, None
    strip = lambda s: re.sub(r"[,. ']", "", s)  # noqa: E731
    if m["plain"]:
        return m["plain"], ""
    if m["grouped"]:
        g = m["grouped"]
        if has_mult and re.fullmatch(r"[0-9]{1,3}\.[0-9]{3}", g):
            return g[:-4], g[-3:]
        return strip(g), ""
    for k in "1234":
        if m[f"i{k}"]:
            return strip(m[f"i{k}"]), m[f"f{k}"]
    return None, None


def value(int_digits: str | None, frac: str | None, mult: int) -> tuple[int | None, str | None]:
    """Exact Python integers, then the same bounds: the Polars reader must never differ by overflowing."""
    if int_digits is None:
        return None, "number grouping not understood"
    if re.match("0[0-9]", int_digits):
        return None, "a number with a leading zero (a code or telephone number, not a count)"
    zeros = len(str(mult)) - 1
    if len(int_digits) + zeros > N.MAX_DIGITS:
        return None, N.TOO_LARGE
    if frac and mult == 1:
        return None, "a count with a fractional part and no multiplier"
    whole, rest = divmod(int(frac or "0") * mult, 10 ** len(frac))
    if rest:
        return None, "not a whole number"
    return int(int_digits) * mult + whole, None


def implausible(v: int) -> str | None:
    return "a count of zero" if v == 0 else N.TOO_LARGE if v > N.MAX_COUNT else None


def read_single(m: re.Match) -> tuple[int | None, str | None, str | None]:
    mword = m["m1"] or m["m0"]
    mult = N.MULTIPLIERS.get(mword) if mword else None
    i, f = digits(m["n1"] or "1", mult is not None)
    v, problem = value(i, f, mult or 1)
    v2 = int(m["n2"]) * N.MULTIPLIERS[m["m2"]] if m["n2"] else None  # exact, however long
    kinds = [k for k in (_PREFIX.get(m["pre"]), _SUFFIX.get(m["q1"]), _SUFFIX.get(m["post"]), _SUFFIX.get(m["post2"]),
                         N.ORDER_PREFIX.get(m["up"])) if k]
    qualifier = kinds[0] if kinds else "exact"
    if problem:
        return None, None, problem
    if m["n2"] and not (mword in ("亿", "万") and v2 < mult):
        return None, None, "compound number not understood"
    if len(set(kinds)) > 1:
        return None, None, "conflicting qualifiers: " + " and ".join(sorted(set(kinds)))
    total = v + (v2 or 0)
    if implausible(total):
        return None, None, implausible(total)
    return total, qualifier, None


def read_range(m: re.Match) -> tuple[int | None, int | None, str | None]:
    if m["sep"] == "and" and m["between"] != "between":
        return None, None, "two or more numbers that are not a range"
    ma = N.MULTIPLIERS.get(m["ma"] or m["mb"]) if (m["ma"] or m["mb"]) else None
    mb = N.MULTIPLIERS.get(m["mb"]) if m["mb"] else None
    va, pa = value(*digits(m["a"], ma is not None), ma or 1)
    vb, pb = value(*digits(m["b"], mb is not None), mb or 1)
    if pa or pb:
        return None, None, pa or pb
    if va > vb:
        return None, None, "range whose first number is larger than its second"
    if implausible(va) or implausible(vb):
        return None, None, implausible(va) or implausible(vb)
    if not m["ma"] and vb >= va * N.RANGE_SPREAD:
        return None, None, N.SPREAD_REASON
    return va, vb, None


def reason_unread(t: str, raw: str, words_bad: bool) -> str:
    if t == "":
        return "empty text"
    for name, pattern in _SCRIPTS:
        if pattern.search(raw):
            return f"written in {name} script; only English and Chinese are read"
    symbols = [c for c in dict.fromkeys(_OUTSIDE.findall(raw)) if not re.fullmatch(N.WORD_LETTER, c)]
    if symbols:
        return "character(s) outside the figures' alphabet: " + " ".join(symbols)
    if _INDEFINITE.search(t):
        return N.INDEFINITE_REASON
    unknown = list(dict.fromkeys(w for w in _LATIN_WORD.findall(t) if w not in _KNOWN_WORDS))
    if unknown:
        return "unknown word(s): " + ", ".join(unknown)
    cjk = list(dict.fromkeys(c for c in re.findall(r"[\u3400-\u9fff]", t) if c not in N.KNOWN_CJK))
    if cjk:
        return "unknown character(s): " + "".join(cjk)
    alien = list(dict.fromkeys(_OUTSIDE.findall(raw)))
    if alien:
        return "character(s) outside the figures' alphabet: " + " ".join(alien)
    if words_bad:
        return "number words not understood"
    count = len(_NUMBERS.findall(t))
    return "no number found" if count == 0 else "two or more numbers that are not a range" if count > 1 else "wording not understood"


def chinese_numeral(run: str) -> tuple[int | None, str | None]:
    """(value, problem) of a run of numeral characters read as a Chinese numeral, in exact integers."""
    if re.search(N.CHINESE_ABBREVIATED, run):
        return None, N.ABBREVIATED_REASON
    m = _CN_NUMBER.match(run)
    if not m or re.search(N.CHINESE_BAD_ZERO, run) or re.search(N.CHINESE_BAD_TWO, run):
        return None, N.NONSTANDARD_REASON + run
    digit = lambda name: N.SLOT_DIGITS[m[name]] if m[name] else 0  # noqa: E731
    sections = {p: digit(f"{p}q") * 1000 + digit(f"{p}b") * 100 + (digit(f"{p}s") or 1 if m[f"{p}t"] else 0) * 10
                + digit(f"{p}g") for p in N.CHINESE_SECTIONS}
    value = sum(sections[p] * scale for p, scale in N.CHINESE_SECTIONS.items())
    if ((m["am"] and not sections["a"]) or (m["ym"] and not (sections["a"] or sections["y"]))
            or (m["wm"] and not sections["w"]) or value == 0):
        return None, N.NONSTANDARD_REASON + run
    return value, None


def _single_reading(m: re.Match) -> tuple[int | None, int | None, str | None, str, str | None]:
    v, qualifier, problem = read_single(m)
    if problem:
        return None, None, None, "unparsed", problem
    low = v if qualifier in ("exact", "approx", "at_least") else None
    high = v if qualifier in ("exact", "approx", "at_most") else None
    return low, high, qualifier, "ok", None


def read_chinese(raw: str, first: tuple) -> tuple[int | None, int | None, str | None, str, str | None]:
    """A text the digit grammar left unparsed, read again with its Chinese numeral in digits."""
    t, words_bad = words_to_digits(normal_form(raw))
    parts = _CN_RUN.match(t)
    if _OUTSIDE.search(raw) or not parts:
        return first
    run = parts["run"]
    value, problem = chinese_numeral(run)
    if re.search(N.CHINESE_GLUED, parts["before"]) or re.search(N.CHINESE_GLUED_AFTER, parts["after"]):
        problem = N.NONSTANDARD_REASON + run
    if problem:
        return (None, None, None, "unparsed", problem) if _CN_CHAR.search(run) else first
    t = f"{parts['before']}{value}{parts['after']}"
    if m := _SINGLE.match(t):
        return _single_reading(m)
    if _CN_CHAR.search(t) or len(_NUMBERS.findall(t)) > 1:
        return None, None, None, "unparsed", N.CHINESE_RANGE_REASON
    return None, None, None, "unparsed", reason_unread(t, raw, words_bad)


def read_figure(raw: str | None) -> tuple[int | None, int | None, str | None, str, str | None]:
    """(low, high, qualifier, status, reason) for one printed figure."""
    first = read_digits(raw)
    if first[3] == "unparsed" and raw is not None and re.search(f"[{N._CN_CHARS}百千]", normal_form(raw)):
        return read_chinese(raw, first)
    return first


def read_digits(raw: str | None) -> tuple[int | None, int | None, str | None, str, str | None]:
    """The reading by the digit grammar alone."""
    if raw is None:
        return None, None, None, "unparsed", "empty text"
    t, words_bad = words_to_digits(normal_form(raw))
    if _OUTSIDE.search(raw):
        return None, None, None, "unparsed", reason_unread(t, raw, words_bad)
    if m := _SINGLE.match(t):
        return _single_reading(m)
    if m := _RANGE.match(t):
        low, high, problem = read_range(m)
        if problem:
            return None, None, None, "unparsed", problem
        return low, high, "range", "ok", None
    return None, None, None, "unparsed", reason_unread(t, raw, words_bad)
