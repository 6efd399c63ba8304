"""Hostile phrases: the parser's guarantee that it never gives a wrong number (issue 16, part 1).

tests/data/hostile_phrases.csv holds 278 phrases with their exact outcome: overflowing
compounds, digit-like characters that NFKC would turn into digits, telephone numbers and
ambiguous shorthand ranges, zero and leading zeros, control and bidi characters, and plain
figures that must still be read. Invisible characters are written \\u{XXXX} in the file.
The properties below then check the guarantee on generated text.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import polars as pl
from conftest import BATCHES, batches
from hypothesis import given
from hypothesis import strategies as st

from censorstats.parse.numbers import ALPHABET_CHARS, MAX_COUNT, read_figures

CORPUS = Path(__file__).parent / "data" / "hostile_phrases.csv"
OUTSIDE = re.compile(f"[^{ALPHABET_CHARS}]")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import rowwise_parser  # noqa: E402


def _unescape(text: str) -> str:
    return re.sub(r"\\u\{([0-9a-f]+)\}", lambda m: chr(int(m[1], 16)), text)


def _read(texts: list[str]) -> list[dict]:
    return read_figures(pl.DataFrame({"t": texts}, schema={"t": pl.String}), "t").collect().to_dicts()


def test_every_hostile_phrase_has_its_exact_outcome():
    rows = list(csv.DictReader(CORPUS.open(encoding="utf-8")))
    assert len(rows) >= 150
    texts = [_unescape(r["text"]) for r in rows]
    wrong = []
    for row, text, got in zip(rows, texts, _read(texts)):
        expected = (row["status"], int(row["low"]) if row["low"] else None, int(row["high"]) if row["high"] else None,
                    row["qualifier"] or None, _unescape(row["reason"]) or None)
        actual = (got["status"], got["low"], got["high"], got["qualifier"], got["reason"])
        if actual != expected:
            wrong.append((row["text"], expected, actual))
    assert wrong == []


def test_the_issue_examples_are_never_read_as_numbers():
    """Each wrong reading of issue 16 (part 1), which the parser used to give."""
    texts = ["1亿922337203685478万", "1亿99999999999999999999万", "9800¹", "①500", "⒈500", "010-62345678", "1万-5000",
             "5-6,000 accounts"]
    assert [r["status"] for r in _read(texts)] == ["unparsed"] * len(texts)


# Characters outside the parser's alphabet, the digit-like ones first (NFKC turns them into digits).
DIGIT_LIKE = "¹²³⁰₀₉①⑳⓪⑴⒈⒛❶➊𝟎𝟗𝟘٣۳〇½\x00\x1b\x7f\x9b\u202e\u2066"
outside_chars = st.one_of(
    st.sampled_from(DIGIT_LIKE),
    st.characters(min_codepoint=0x7F, exclude_categories=("Cs",)).filter(lambda c: OUTSIDE.match(c) is not None),
)
READABLE = ["9,800", "5000", "近1.1万", "more than 9,800", "5亿8400万", "1.08 billion", "5,000-6,000", "１２００个", "Twenty-five thousand"]


@BATCHES
@given(batches(st.tuples(st.sampled_from(READABLE), outside_chars, st.integers(0, 30))))
def test_a_character_outside_the_alphabet_leaves_the_text_unparsed(cases):
    texts = [text[: pos % (len(text) + 1)] + ch + text[pos % (len(text) + 1):] for text, ch, pos in cases]
    for text, r in zip(texts, _read(texts)):
        assert r["status"] == "unparsed" and r["low"] is None and r["high"] is None, text


LONG_NUMBER = st.from_regex(r"[1-9][0-9]{0,24}(?:\.[0-9]{1,12})?", fullmatch=True)
MULTIPLIER = st.sampled_from(["", "万", "亿", "万亿", " million", " billion", "k", "千"])


@st.composite
def big_figures(draw):
    """Long digit strings with multipliers, compounds and ranges: where Int64 would overflow."""
    text = draw(LONG_NUMBER) + draw(MULTIPLIER)
    form = draw(st.sampled_from(["single", "compound", "range"]))
    if form == "compound":
        text += draw(st.from_regex(r"[0-9]{1,22}", fullmatch=True)) + draw(st.sampled_from(["万", "千", "百"]))
    elif form == "range":
        text += draw(st.sampled_from(["-", " to ", "至"])) + draw(LONG_NUMBER) + draw(MULTIPLIER)
    return text


@BATCHES
@given(batches(big_figures()))
def test_no_reading_is_negative_zero_or_over_the_maximum_and_exact_arithmetic_agrees(texts):
    for text, r in zip(texts, _read(texts)):
        assert all(v is None or 1 <= v <= MAX_COUNT for v in (r["low"], r["high"])), (text, r)
        # The row-by-row reader computes with Python's exact integers: any overflow would differ.
        assert (r["low"], r["high"], r["qualifier"], r["status"], r["reason"]) == rowwise_parser.read_figure(text), text
