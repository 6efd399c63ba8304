"""Reading printed figures ("more than 9,800", "近1.1万", "over 11.000") as intervals of counts.

Every text gets low, high, qualifier and status. The rules, in the order they apply:

1. Normalise: Unicode NFKC (full-width digits and spaces), lower case, traditional to
   simplified characters (萬→万, 億→亿, 餘→余, 個→个, ...), one space for any run of spaces,
   no stray space after a decimal point ("12. 68亿").
2. English number words ("Twenty-five thousand") become digits.
3. The whole text must match the grammar: optional qualifier words, a number with an optional
   multiplier (or a Chinese compound such as 5亿8400万), optional qualifier suffixes (余, 多,
   以上, 左右, +, -plus), optional measure word or English count noun. Or a range: "5,000-6,000",
   "between 5,000 and 6,000", "5000至6000". "~10k" is about 10,000; 上 before a bare Chinese
   multiplier is its order of magnitude reached: 上千 is at least 1,000 (literally "reaching a
   thousand"; like 逾千, it bounds one side only), 上万 at least 10,000.
4. Chinese numerals, tried only on a text that rule 3 leaves unparsed (so they never change a
   reading rule 3 gives). The text's first run of numeral characters holding 零, 一-九, 两, 十,
   百 or 千 is read as Chinese writes numbers, and the text is read again by rule 3 with the
   run in digits: 九千八百 = 9,800, 三千五百万 = 35,000,000, 十二万 = 120,000, 一万零五百 =
   10,500, 一万二千亿 = 1.2 x 10^12. Each digit slot before 千, 百, 十 or at the end holds one
   Chinese digit or one digit 1-9 (9千8百 = 9,800, 1万2千5百 = 12,500, 5亿8千万 = 580,000,000);
   a bare 十 is 10 (十二 = 12); 两 stands alone or before 千, 百, 万, 亿 (两千; 十两 is ten
   taels); 零 marks a gap and must be followed by a digit. 余 and 多 after the numeral are
   rule 3's qualifiers: 十余万 is 10余万, at least 100,000 (the implied interval, below, takes it
   to 199,999), 两千多个 at least 2,000. Not read, each with its reason: 几 and 数 (十几万 "ten-
   odd ten-thousands", 数万 "several ten-thousands", 几千 "a few thousand": no interval is
   certain); an abbreviated numeral whose last digit has no unit (一千五, 两万三: 1,500 and 23,000
   in speech, but 一千五 could be a 一千零五 with its 零 lost); a second number beside a Chinese
   numeral (五至六百 is 500-600 in Chinese, but its first end carries no unit); a numeral run
   into digits ("5 一百"); forms outside these rules (五六千, 一千零). A run of digits and
   units alone (9千8) keeps rule 3's reason. Traditional 兩 is 两 (the normal form maps it);
   the financial forms (貳, 仟) are not mapped and stay unknown characters; 〇 is outside the
   alphabet.
5. Anything else is `unparsed`, with a reason: another script, an unknown word, two numbers
   that are not a range, a fraction in a count. A wrong number is worse than none.

Guarantees, by construction rather than by the grammar's good behaviour:

- The text must be written in the parser's alphabet (printable ASCII, white space, full-width
  forms, en and em dashes, and the Chinese characters of the vocabulary). The only digits are
  0-9, their full-width forms and the Chinese numerals of rule 4 (not 〇): a superscript,
  circled, full-stop or other script's digit ("9800¹", "①500", "⒈500", "㈠") makes the text
  unparsed, checked before NFKC could turn it into a digit.
- Every count read is a whole number from 1 to 10,000,000,000,000 (10^13): a count of zero, a
  number with a leading zero ("010") and anything larger are unparsed. The arithmetic is bounded
  before it is done, so it never overflows.
- A range's low end takes the high end's multiplier ("5-6 million"), never the other way round
  ("1万-5000" is not read). A bare low end must be a plausible count of the same unit as the high
  end: when the high end is a thousand times the low one or more, the text is a code or phone
  number ("400-8008800") or shorthand whose reading is ambiguous ("5-6,000": 5 or 5,000?), and
  is unparsed.

The number is computed exactly in integers: 1.083 billion is 1,083,000,000.
Grouping: "9,800", "11.000" and "11 159" are thousands when every group has three digits and
there is no multiplier; before a multiplier a point is a decimal point ("1.045 million") and so
is a comma followed by other than three digits ("1,8 million").
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from censorstats.parse.text import TRADITIONAL, normal_form

# ---------------------------------------------------------------------------------------------
# Vocabulary: the single statement of what words mean. The codebook prints these tables.
# ---------------------------------------------------------------------------------------------

PREFIX_QUALIFIERS = {
    "at_least": [
        "more than",
        "over",
        "at least",
        "no fewer than",
        "no less than",
        "not less than",
        "upwards of",
        "in excess of",
        "above",
        "well over",
        "greater than",
        "逾",
        "超过",
        "超出",
        "超",
    ],
    "at_most": [
        "nearly",
        "almost",
        "close to",
        "up to",
        "under",
        "less than",
        "fewer than",
        "no more than",
        "not more than",
        "below",
        "just under",
        "将近",
        "接近",
        "不到",
        "不足",
        "近",
    ],
    "approx": [
        "approximately",
        "approx.",
        "about",
        "around",
        "roughly",
        "some",
        "an estimated",
        "estimated",
        "circa",
        "~",
        "大约",
        "大概",
        "约",
    ],
}
# 上 ("up to the order of") only before a bare Chinese multiplier: 上千 = at least 1,000, 上万 = at least 10,000.
ORDER_PREFIX = {"上": "at_least"}
SUFFIX_QUALIFIERS = {
    "at_least": ["以上", "有余", "余", "多", "+", "-plus", "plus", "or more", "and more", "and above"],
    "at_most": ["以下", "以内", "or fewer", "or less"],
    "approx": ["左右", "上下", "or so"],
}
MULTIPLIERS = {
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "mln": 1_000_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "bln": 1_000_000_000,
    "billion": 1_000_000_000,
    "billions": 1_000_000_000,
    "百": 100,
    "千": 1_000,
    "万": 10_000,
    "十万": 100_000,
    "百万": 1_000_000,
    "千万": 10_000_000,
    "亿": 100_000_000,
    "万亿": 1_000_000_000_000,
}
CJK_MULTIPLIERS = [k for k in MULTIPLIERS if not k.isascii()]
MEASURE_WORDS = "个家条名款起宗件人篇次部元户项台批所只位张种份"
COUNT_NOUNS = [
    "accounts",
    "account",
    "websites",
    "website",
    "sites",
    "site",
    "cases",
    "case",
    "suspects",
    "suspect",
    "people",
    "persons",
    "person",
    "individuals",
    "pieces",
    "piece",
    "items",
    "item",
    "posts",
    "post",
    "apps",
    "app",
    "applications",
    "programs",
    "programmes",
    "violations",
    "devices",
    "users",
    "user",
    "groups",
    "platforms",
    "companies",
    "organizations",
    "organisations",
    "enterprises",
    "webpages",
    "pages",
    "links",
    "messages",
    "articles",
    "videos",
    "channels",
    "livestreams",
    "rooms",
    "tip-offs",
    "tips",
    "reports",
    "publications",
    "streamers",
    "rumors",
    "rumours",
    "entries",
    "yuan",
    "times",
]
NOUN_MODIFIERS = [
    "unique",
    "monthly",
    "daily",
    "active",
    "illegal",
    "online",
    "social",
    "media",
    "social-media",
    "fake",
    "news",
    "self-media",
    "internet",
    "mobile",
    "harmful",
    "registered",
    "new",
    "user",
]
NOUN_OBJECTS = ["content", "information", "harmful information", "illegal content"]
RANGE_SEPARATORS = ["-", "–", "—", "~", "to", "至", "到"]

UNIT_WORDS = {w: i for i, w in enumerate("one two three four five six seven eight nine".split(), start=1)}
TEEN_WORDS = {
    w: i
    for i, w in enumerate(
        "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split(), start=10
    )
}
TENS_WORDS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
OTHER_SCRIPTS = {
    "Arabic": "\u0600-\u06ff\u0750-\u077f",
    "Devanagari": "\u0900-\u097f",
    "Bengali": "\u0980-\u09ff",
    "Malayalam": "\u0d00-\u0d7f",
    "Tamil": "\u0b80-\u0bff",
    "Cyrillic": "\u0400-\u04ff",
    "Greek": "\u0370-\u03ff",
    "Hebrew": "\u0590-\u05ff",
    "Thai": "\u0e00-\u0e7f",
    "Hangul": "\uac00-\ud7af\u1100-\u11ff",
    "Japanese kana": "\u3040-\u30ff",
}


def _alt(words) -> str:
    """A regex alternation, longest first, so that '超过' wins over '超' and 'over' over 'o'."""
    import re

    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _flat(groups: dict[str, list[str]]) -> list[str]:
    return [w for words in groups.values() for w in words]


NUM = r"[0-9]+(?:(?:[,.'] ?|\s)[0-9]+)*"
PRE = _alt(_flat(PREFIX_QUALIFIERS))
POST = _alt(_flat(SUFFIX_QUALIFIERS))
MULT = _alt(MULTIPLIERS)
NOUN = (
    rf"(?:(?:{_alt(NOUN_MODIFIERS)})\s+)*(?:{_alt(COUNT_NOUNS)})(?:\s+of\s+(?:{_alt(NOUN_OBJECTS)}))?"
    rf"|[{MEASURE_WORDS}]{{1,2}}(?:\([{MEASURE_WORDS}]{{1,2}}\))?"
)
SINGLE = (
    rf"^(?:(?P<pre>{PRE})\s*)?"
    rf"(?:(?P<n1>{NUM})\s*(?P<q1>余|多)?\s*(?P<m1>{MULT})?|(?P<up>{_alt(ORDER_PREFIX)})?(?P<m0>{_alt(CJK_MULTIPLIERS)}))"
    rf"(?:\s*(?P<n2>[0-9]+)\s*(?P<m2>万|千|百))?"
    rf"\s*(?P<post>{POST})?"
    rf"\s*(?:(?:{NOUN})\s*)?"
    rf"(?P<post2>{POST})?$"
)
RANGE = (
    rf"^(?:(?P<between>between|from)\s+)?(?P<a>{NUM})\s*(?P<ma>{MULT})?\s*"
    rf"(?P<sep>{_alt(RANGE_SEPARATORS + ['and'])})\s*(?P<b>{NUM})\s*(?P<mb>{MULT})?\s*(?:(?:{NOUN})\s*)?$"
)
_UNIT = _alt(UNIT_WORDS)
_TEEN = _alt(TEEN_WORDS)
_TENS = _alt(TENS_WORDS)
WORD_SPAN = (
    rf"\b(?:{_TENS}|{_TEEN}|{_UNIT}|a\s+(?:hundred|thousand|million|billion))"
    rf"(?:(?:\s+|-)(?:and\s+)?(?:{_TENS}|{_TEEN}|{_UNIT}|hundred|thousand|million|billion))*\b"
)


def _word_group(p: str) -> str:
    return (
        rf"(?:(?P<{p}h>{_UNIT}|a)\s+hundred)?"
        rf"(?:\s*(?:and\s+)?(?:(?P<{p}t>{_TENS})(?:[\s-]+(?P<{p}u>{_UNIT}))?|(?P<{p}x>{_TEEN}|{_UNIT}|a)))?"
    )


WORD_NUMBER = (
    rf"^(?:{_word_group('b')}\s*(?P<bs>billion))?\s*(?:{_word_group('m')}\s*(?P<ms>million))?\s*"
    rf"(?:{_word_group('k')}\s*(?P<ks>thousand))?\s*{_word_group('r')}$"
)
WORD_SCALES = {"b": 1_000_000_000, "m": 1_000_000, "k": 1_000, "r": 1}
WORD_VALUES = {**UNIT_WORDS, **TEEN_WORDS, **TENS_WORDS, "a": 1}

# Chinese numerals. A digit slot holds one Chinese digit or one digit 1-9 ("9千8百"); 零 marks a gap.
CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SLOT_DIGITS = {**CHINESE_DIGITS, **{str(d): d for d in range(1, 10)}}
_D = "[1-9" + "".join(CHINESE_DIGITS) + "]"
_CN_CHARS = "零" + "".join(CHINESE_DIGITS) + "十"  # characters that only a Chinese numeral uses
_RUN_CHARS = "0-9" + _CN_CHARS + "百千万亿"


def _section(p: str) -> str:
    """One section below 万 (1 to 9,999): [d千][零][d百][零][[d]十][零][d]."""
    return (
        rf"(?:(?P<{p}q>{_D})千)?零?(?:(?P<{p}b>{_D})百)?零?"
        rf"(?:(?P<{p}s>{_D})?(?P<{p}t>十))?零?(?P<{p}g>{_D})?"
    )


# The 亿 part may itself hold 万 (一万二千亿); then 万, then the rest. Anchored: the whole run must fit.
CHINESE_NUMBER = (
    rf"^(?:(?:{_section('a')}(?P<am>万))?零?{_section('y')}(?P<ym>亿))?零?"
    rf"(?:{_section('w')}(?P<wm>万))?零?{_section('r')}$"
)
CHINESE_SECTIONS = {"a": 10**12, "y": 10**8, "w": 10**4, "r": 1}
# The first run of numeral characters holding a character only a Chinese numeral uses (or 百/千).
CHINESE_RUN = rf"^(?P<before>.*?)(?P<run>[{_RUN_CHARS}]*[{_CN_CHARS}百千][{_RUN_CHARS}]*)(?P<after>.*)$"
# Forms that are not read, each a regex on the run (or on its neighbours) with its reason.
CHINESE_ABBREVIATED = rf"[百千万亿]{_D}$"
CHINESE_BAD_ZERO = rf"^零|零(?:$|[^{_D[1:-1]}十])"
CHINESE_BAD_TWO = ".两$|两[^千百万亿]"  # 两 stands alone or before 千/百/万/亿 (十两 is ten taels)
CHINESE_GLUED = r"(?:[0-9]\s|[.,'])$"  # "5 一百", "1.二千": the numeral would join another number
CHINESE_GLUED_AFTER = r"^(?:\s[0-9]|[.,'])"
ABBREVIATED_REASON = (
    "an abbreviated Chinese numeral (一千五, 两万三: the last digit's unit is left out, as in speech): not read"
)
NONSTANDARD_REASON = "Chinese numeral not in a form that is read: "
CHINESE_RANGE_REASON = "a range or list with a Chinese numeral (五至六百: is the first end 5 or 500?): not read"
INDEFINITE = "几数"  # 几 'a few', 数 'several': 十几万, 数万, 几千
INDEFINITE_REASON = "an indefinite number (几 'a few', 数 'several', as in 十几万, 数万, 几千): no interval is certain"

KNOWN_WORDS = sorted(
    {
        w
        for phrase in _flat(PREFIX_QUALIFIERS) + _flat(SUFFIX_QUALIFIERS) + NOUN_OBJECTS
        for w in phrase.split()
        if w.isascii()
    }
    | {m for m in MULTIPLIERS if m.isascii()}
    | set(COUNT_NOUNS)
    | set(NOUN_MODIFIERS)
    | set(WORD_VALUES)
    | {"hundred", "and", "between", "from", "to", "of"}
)
KNOWN_CJK = (
    set("".join(w for w in _flat(PREFIX_QUALIFIERS) + _flat(SUFFIX_QUALIFIERS) + list(MULTIPLIERS) if not w.isascii()))
    | set(MEASURE_WORDS)
    | {"至", "到"}
    | set(ORDER_PREFIX)
    | set(_CN_CHARS)
)

MAX_COUNT = 10**13  # the largest count read; nothing counted in this dataset comes near it
MAX_DIGITS = len(str(MAX_COUNT))  # digits x multiplier beyond this are over MAX_COUNT: never computed
TOO_LARGE = f"number too large (over {MAX_COUNT:,})"
RANGE_SPREAD = 1000  # a bare low end this many times smaller than its high end is not read as a range
assert all(str(m).rstrip("0") == "1" for m in MULTIPLIERS.values()), "multipliers are powers of ten"

# The parser's alphabet. Anything else (a superscript, circled, full-stop or non-Latin digit, a
# control character, a letter NFKC would fold into ASCII) leaves the text unparsed: checked on
# the text as given, before normalisation can turn such a character into part of a number.
ALPHABET_CHARS = (
    "\x20-\x7e"  # printable ASCII
    "\u00a0\u2000-\u200a\u202f\u205f\u3000"  # spaces: no-break, thin, ideographic, ...
    "\uff01-\uff5e"  # full-width forms of printable ASCII (１２００, ，)
    "\u2013\u2014"  # en and em dash, as range separators
    + "".join(sorted(KNOWN_CJK | {t for t, s in TRADITIONAL.items() if s in KNOWN_CJK}))
)
OUTSIDE_ALPHABET = f"[^{ALPHABET_CHARS}]"
# Outside the alphabet, a letter is named through the word it is in ("unknown word(s): más");
# any other character is named itself, before the normal form can fold it into a letter or digit.
WORD_LETTER = "[a-zA-Z\u00c0-\u024f\u3400-\u9fff]"
NUMBERS = r"[0-9]+(?:[,.' ][0-9]{3})*(?:[.,][0-9]+)?"  # how many numbers a text holds, for the reasons


# ---------------------------------------------------------------------------------------------
# Expressions. The distinct texts are split by which part of the grammar they match, and each
# part computes only what it needs: most texts are a single plain number, and per-row work on
# the rare forms (ranges, number words, unreadable text) would otherwise be paid by every row.
# ---------------------------------------------------------------------------------------------

READING = ["low", "high", "qualifier", "status", "reason"]
PREPARED = ["__norm", "__alien", "__words_bad"]  # carried along, so a second reading need not recompute them


def _words_to_digits(lf: pl.LazyFrame, col: str) -> pl.LazyFrame:
    """Replace one English number-word span by its digits ("twenty-five thousand" -> "25000").

    Only the few texts with number words go through the word arithmetic; the others pass by.
    """
    lf = lf.with_columns(pl.col(col).str.contains(WORD_SPAN).fill_null(False).alias("__has_words")).cache()
    has_words = pl.col("__has_words")
    words = lf.filter(has_words)
    parts = pl.col(col).str.extract_groups(rf"^(?P<before>.*?)(?P<span>{WORD_SPAN})(?P<after>.*)$")
    words = words.with_columns(parts.alias("__wparts"))
    span = pl.col("__wparts").struct.field("span")
    words = words.with_columns(span.str.replace_all("-", " ").str.extract_groups(WORD_NUMBER).alias("__wnum"))
    total = pl.lit(0, pl.Int64)
    valid = span.is_not_null()
    for p, scale in WORD_SCALES.items():
        fields = [
            pl.col("__wnum").struct.field(f"{p}{k}").replace_strict(WORD_VALUES, default=None, return_dtype=pl.Int64)
            for k in ("h", "t", "u", "x")
        ]
        h, t, u, x = fields
        group_value = h.fill_null(0) * 100 + t.fill_null(0) + u.fill_null(0) + x.fill_null(0)
        present = h.is_not_null() | t.is_not_null() | x.is_not_null()
        if p != "r":
            scale_word = pl.col("__wnum").struct.field(f"{p}s")
            valid = valid & (scale_word.is_null() | present)
        total = total + group_value * scale
    parsed = pl.col("__wnum").struct.field("rh").is_not_null() | pl.any_horizontal(
        pl.col("__wnum").struct.field(f).is_not_null() for f in ("bs", "ms", "ks", "rt", "rx")
    )
    ok = valid & parsed
    replaced = pl.concat_str(
        [pl.col("__wparts").struct.field("before"), total.cast(pl.String), pl.col("__wparts").struct.field("after")]
    )
    words = words.with_columns(
        pl.when(ok).then(replaced).otherwise(pl.col(col)).alias(col),
        (~ok).alias("__words_bad"),
    ).drop("__wparts", "__wnum")
    return pl.concat([lf.filter(~has_words).with_columns(pl.lit(False).alias("__words_bad")), words]).drop(
        "__has_words"
    )


SEPARATORS = [",", ".", " ", "'"]
_GROUPS = r"[0-9]{1,3}(?:(?:,[0-9]{3})+|(?:\.[0-9]{3})+|(?:[ '][0-9]{3})+)"
# Leftmost-first alternation: a number that fits "grouped" is never read as a decimal.
NUMBER_SHAPES = (
    rf"^(?:(?P<plain>[0-9]+)|(?P<grouped>{_GROUPS})|(?P<i1>[0-9]+)[.,](?P<f1>[0-9]+)"
    r"|(?P<i2>[0-9]{1,3}(?:,[0-9]{3})+)\.(?P<f2>[0-9]+)|(?P<i3>[0-9]{1,3}(?:\.[0-9]{3})+),(?P<f3>[0-9]+)"
    r"|(?P<i4>[0-9]{1,3}(?:[ '][0-9]{3})+)[.,](?P<f4>[0-9]+))$"
)


def _with_digits(lf: pl.LazyFrame, n: pl.Expr, has_mult: pl.Expr, prefix: str) -> pl.LazyFrame:
    """Add {prefix}int and {prefix}frac: the digits of a printed number, by the grouping rules in the module doc.

    Both are null when the grouping is not understood ("1,2345", "1,234,5").
    """
    lf = lf.with_columns(n.alias("__n"))
    n = pl.col("__n")
    # Most printed numbers are plain or grouped by commas; only the others need the full shapes.
    common = n.str.contains(r"^[0-9]{1,3}(?:,[0-9]{3})*$|^[0-9]+$")
    other = pl.when(~common).then(n.str.replace_all(". ", ".", literal=True).str.replace_all(", ", ",", literal=True))
    lf = lf.with_columns(common.alias("__common"), other.str.extract_groups(NUMBER_SHAPES).alias("__shape"))
    f = lambda name: pl.col("__shape").struct.field(name)  # noqa: E731
    grouped = f("grouped")
    # "1.045 million": one group after a point, before a multiplier, is a decimal fraction.
    point_decimal = has_mult & grouped.str.contains(r"^[0-9]{1,3}\.[0-9]{3}$")
    drop_separators = lambda e: e.str.replace_many(SEPARATORS, [""] * len(SEPARATORS))  # noqa: E731
    whole_digits = drop_separators(pl.coalesce(pl.when(pl.col("__common")).then(n), f("plain"), grouped))
    int_digits = drop_separators(pl.coalesce(f("i1"), f("i2"), f("i3"), f("i4")))
    frac_digits = pl.coalesce(f("f1"), f("f2"), f("f3"), f("f4"))
    return lf.with_columns(
        pl.when(point_decimal)
        .then(grouped.str.head(-4))
        .otherwise(pl.coalesce(whole_digits, int_digits))
        .alias(f"{prefix}int"),
        pl.when(point_decimal)
        .then(grouped.str.tail(3))
        .when(whole_digits.is_not_null())
        .then(pl.lit(""))
        .otherwise(frac_digits)
        .alias(f"{prefix}frac"),
    ).drop("__n", "__common", "__shape")


def _value(prefix: str, mult: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(value, problem) for digits in columns {prefix}int/{prefix}frac times a power-of-ten multiplier.

    Nothing is computed that could overflow: digits and multiplier together are at most
    MAX_DIGITS long, and the fraction is used only when it ends within the multiplier
    ("1.5 thousand": 5 x 100), so every intermediate is below 10^MAX_DIGITS.
    """
    i, f = pl.col(f"{prefix}int"), pl.col(f"{prefix}frac")
    significant = f.str.strip_chars_end("0")  # 1.50 million is 1.5 million
    flen, slen = f.str.len_chars(), significant.str.len_chars()
    zeros = mult.cast(pl.String).str.len_chars() - 1  # the multiplier is 10^zeros
    too_long = (i.str.len_chars() + zeros) > MAX_DIGITS
    whole = slen <= zeros
    ival = pl.when(~too_long).then(i.cast(pl.Int64, strict=False))
    frac_part = (
        pl.when(~too_long & whole & (slen > 0))
        .then(significant.cast(pl.Int64, strict=False) * pl.lit(10, pl.Int64).pow(zeros - slen))
        .otherwise(0)
    )
    value = ival * mult + frac_part
    problem = (
        pl.when(i.is_null())
        .then(pl.lit("number grouping not understood"))
        .when(i.str.contains("^0[0-9]"))
        .then(pl.lit("a number with a leading zero (a code or telephone number, not a count)"))
        .when(too_long)
        .then(pl.lit(TOO_LARGE))
        .when((flen > 0) & (mult == 1))
        .then(pl.lit("a count with a fractional part and no multiplier"))
        .when(~whole)
        .then(pl.lit("not a whole number"))
    )
    return value, problem


def _implausible(value: pl.Expr) -> pl.Expr:
    """Why a computed count is not one (null when it is): zero, or more than MAX_COUNT."""
    return pl.when(value == 0).then(pl.lit("a count of zero")).when(value > MAX_COUNT).then(pl.lit(TOO_LARGE))


def _multiplier(word: pl.Expr) -> pl.Expr:
    return word.replace_strict(MULTIPLIERS, default=None, return_dtype=pl.Int64)


def _qualifier_of(col: pl.Expr, table: dict[str, list[str]]) -> pl.Expr:
    mapping = {w: kind for kind, words in table.items() for w in words}
    return col.replace_strict(mapping, default=None, return_dtype=pl.String)


def _reading(text: str, low: pl.Expr, high: pl.Expr, qualifier: pl.Expr, problem: pl.Expr) -> list[pl.Expr]:
    """The output columns: the interval the qualifier allows, or the reason there is none."""
    ok = problem.is_null()
    return [
        pl.col(text),
        *[pl.col(c) for c in PREPARED],
        pl.when(ok & (qualifier != "at_most")).then(low).alias("low"),
        pl.when(ok & (qualifier != "at_least")).then(high).alias("high"),
        pl.when(ok).then(qualifier).alias("qualifier"),
        pl.when(ok).then(pl.lit("ok")).otherwise(pl.lit("unparsed")).alias("status"),
        problem.alias("reason"),
    ]


def _read_single(lf: pl.LazyFrame, text: str) -> pl.LazyFrame:
    """Texts that are one number, with its qualifiers, multiplier and noun."""
    s = lambda f: pl.col("__s").struct.field(f)  # noqa: E731
    lf = lf.with_columns(pl.col("__norm").str.extract_groups(SINGLE).alias("__s"))
    lf = lf.with_columns(
        pl.coalesce(s("m1"), s("m0")).alias("__mword"),
        _multiplier(pl.coalesce(s("m1"), s("m0"))).alias("__m1"),
        # A compound's second part is below its first multiplier (at most 10^12), so 10 digits is
        # plenty; longer ones are not computed (and fail the compound rule below).
        (
            pl.when(s("n2").str.len_chars() <= 10).then(s("n2").cast(pl.Int64, strict=False)) * _multiplier(s("m2"))
        ).alias("__v2"),
        _qualifier_of(s("pre"), PREFIX_QUALIFIERS).alias("__k1"),
        _qualifier_of(s("q1"), SUFFIX_QUALIFIERS).alias("__k2"),
        _qualifier_of(s("post"), SUFFIX_QUALIFIERS).alias("__k3"),
        _qualifier_of(s("post2"), SUFFIX_QUALIFIERS).alias("__k4"),
        s("up").replace_strict(ORDER_PREFIX, default=None, return_dtype=pl.String).alias("__k5"),
    )
    lf = _with_digits(lf, pl.coalesce(s("n1"), pl.lit("1")), pl.col("__m1").is_not_null(), "__n1")
    value, problem = _value("__n1", pl.col("__m1").fill_null(1))
    kinds = [pl.col(f"__k{i}") for i in range(1, 6)]
    qualifier = pl.coalesce(*kinds, pl.lit("exact"))
    conflict = pl.any_horizontal(k.is_not_null() & (k != qualifier) for k in kinds)
    present = [
        pl.when(pl.any_horizontal(k == kind for k in kinds)).then(pl.lit(kind)) for kind in sorted(PREFIX_QUALIFIERS)
    ]
    compound_ok = s("n2").is_null() | (
        pl.col("__mword").is_in(["亿", "万"]) & (pl.col("__v2") < pl.col("__m1"))
    ).fill_null(False)
    value = value + pl.col("__v2").fill_null(0)
    problem = (
        pl.when(problem.is_not_null())
        .then(problem)
        .when(~compound_ok)
        .then(pl.lit("compound number not understood"))
        .when(conflict)
        .then(pl.lit("conflicting qualifiers: ") + pl.concat_str(present, separator=" and ", ignore_nulls=True))
        .otherwise(_implausible(value))
    )
    lf = lf.with_columns(value.alias("__value"), qualifier.alias("__q"), problem.alias("__problem"))
    return lf.select(_reading(text, pl.col("__value"), pl.col("__value"), pl.col("__q"), pl.col("__problem")))


SPREAD_REASON = (
    f"range whose ends differ {RANGE_SPREAD:,}-fold or more: a code or telephone number, "
    "or shorthand such as '5-6,000' that can be read two ways"
)


def _read_range(lf: pl.LazyFrame, text: str) -> pl.LazyFrame:
    """Texts that are two numbers joined as a range ("5,000-6,000", "between 5 and 6 million")."""
    r = lambda f: pl.col("__r").struct.field(f)  # noqa: E731
    lf = lf.with_columns(pl.col("__norm").str.extract_groups(RANGE).alias("__r"))
    # "5-6 million": the low end takes the high end's multiplier; "1万-5000" is not 1万-5000万.
    lf = lf.with_columns(
        _multiplier(pl.coalesce(r("ma"), r("mb"))).alias("__ma"),
        _multiplier(r("mb")).alias("__mb"),
    )
    lf = _with_digits(lf, r("a"), pl.col("__ma").is_not_null(), "__a")
    lf = _with_digits(lf, r("b"), pl.col("__mb").is_not_null(), "__b")
    va, pa = _value("__a", pl.col("__ma").fill_null(1))
    vb, pb = _value("__b", pl.col("__mb").fill_null(1))
    lf = lf.with_columns(va.alias("__va"), pa.alias("__pa"), vb.alias("__vb"), pb.alias("__pb"))
    problem = (
        pl.when((r("sep") == "and") & r("between").ne_missing("between"))
        .then(pl.lit("two or more numbers that are not a range"))
        .when(pl.col("__pa").is_not_null())
        .then(pl.col("__pa"))
        .when(pl.col("__pb").is_not_null())
        .then(pl.col("__pb"))
        .when(pl.col("__va") > pl.col("__vb"))
        .then(pl.lit("range whose first number is larger than its second"))
        .when(pl.any_horizontal(_implausible(pl.col(v)).is_not_null() for v in ("__va", "__vb")))
        .then(pl.coalesce(_implausible(pl.col("__va")), _implausible(pl.col("__vb"))))
        .when(r("ma").is_null() & (pl.col("__vb") >= pl.col("__va") * RANGE_SPREAD))
        .then(pl.lit(SPREAD_REASON))
    )
    return lf.select(_reading(text, pl.col("__va"), pl.col("__vb"), pl.lit("range"), problem))


def _unreadable(lf: pl.LazyFrame, text: str) -> pl.LazyFrame:
    """Texts outside the grammar, with the most useful reason why."""
    none = pl.lit(None, pl.Int64)
    return lf.select(_reading(text, none, none, pl.lit(None, pl.String), _unread_reason(text)))


def _unread_reason(text: str) -> pl.Expr:
    """The most useful reason why a text outside the grammar is not read."""
    norm, raw = pl.col("__norm"), pl.col(text)
    scripts = pl.lit(None, pl.String)
    for name, chars in reversed(OTHER_SCRIPTS.items()):
        scripts = (
            pl.when(raw.str.contains(f"[{chars}]"))
            .then(pl.lit(f"written in {name} script; only English and Chinese are read"))
            .otherwise(scripts)
        )
    words = norm.str.extract_all(r"[a-z\u00c0-\u024f]+(?:[-.'][a-z\u00c0-\u024f]+)*")
    unknown_words = words.list.eval(pl.element().filter(~pl.element().is_in(KNOWN_WORDS))).list.unique(
        maintain_order=True
    )
    cjk = norm.str.extract_all(r"[\u3400-\u9fff]")
    unknown_cjk = cjk.list.eval(pl.element().filter(~pl.element().is_in(sorted(KNOWN_CJK)))).list.unique(
        maintain_order=True
    )
    numbers = norm.str.count_matches(NUMBERS)
    alien = raw.str.extract_all(OUTSIDE_ALPHABET).list.unique(maintain_order=True)
    alien_symbols = alien.list.eval(pl.element().filter(~pl.element().str.contains(f"^{WORD_LETTER}$")))
    problem = (
        pl.when(raw.is_null() | (norm == ""))
        .then(pl.lit("empty text"))
        .when(scripts.is_not_null())
        .then(scripts)
        .when(alien_symbols.list.len() > 0)
        .then(pl.lit("character(s) outside the figures' alphabet: ") + alien_symbols.list.join(" "))
        .when(norm.str.contains(f"[{INDEFINITE}]"))
        .then(pl.lit(INDEFINITE_REASON))
        .when(unknown_words.list.len() > 0)
        .then(pl.lit("unknown word(s): ") + unknown_words.list.join(", "))
        .when(unknown_cjk.list.len() > 0)
        .then(pl.lit("unknown character(s): ") + unknown_cjk.list.join(""))
        .when(pl.col("__alien"))
        .then(pl.lit("character(s) outside the figures' alphabet: ") + alien.list.join(" "))
        .when(pl.col("__words_bad"))
        .then(pl.lit("number words not understood"))
        .when(numbers == 0)
        .then(pl.lit("no number found"))
        .when(numbers > 1)
        .then(pl.lit("two or more numbers that are not a range"))
        .otherwise(pl.lit("wording not understood"))
    )
    return problem


def _prepared(lf: pl.LazyFrame, text: str) -> pl.LazyFrame:
    """Add __norm (the normal form, number words as digits), __alien and __words_bad."""
    lf = lf.with_columns(
        normal_form(pl.col(text)).alias("__norm"),
        pl.col(text).str.contains(OUTSIDE_ALPHABET).fill_null(False).alias("__alien"),
    )
    return _words_to_digits(lf, "__norm")


def _with_chinese_numeral(lf: pl.LazyFrame, run: str) -> pl.LazyFrame:
    """Add __cn_value and __cn_problem: the run in column `run` read as a Chinese numeral (module doc, rule 3).

    The value is below 10^17, well inside Int64; the bound of 10^13 is applied when its digits
    are read as a number. Each regex is run once, into a column (a repeated sub-expression would
    be computed, and its regex compiled, again for every use).
    """
    lf = lf.with_columns(pl.col(run).str.extract_groups(CHINESE_NUMBER).alias("__cng"))
    f = lambda name: pl.col("__cng").struct.field(name)  # noqa: E731
    digit = lambda name: f(name).replace_strict(SLOT_DIGITS, default=None, return_dtype=pl.Int64).fill_null(0)  # noqa: E731
    sections = []
    for p in CHINESE_SECTIONS:
        tens = (
            pl.when(f(f"{p}t").is_not_null())
            .then(pl.when(f(f"{p}s").is_null()).then(1).otherwise(digit(f"{p}s")))
            .otherwise(0)
        )
        sections.append((digit(f"{p}q") * 1000 + digit(f"{p}b") * 100 + tens * 10 + digit(f"{p}g")).alias(f"__cn_{p}"))
    lf = lf.with_columns(*sections, *[f(m).is_not_null().alias(f"__cn_{m}") for m in ("am", "ym", "wm")])
    sec = lambda p: pl.col(f"__cn_{p}")  # noqa: E731
    lf = lf.with_columns(pl.sum_horizontal(sec(p) * scale for p, scale in CHINESE_SECTIONS.items()).alias("__cn_value"))
    r = pl.col(run)
    empty_unit = (
        (sec("am") & (sec("a") == 0)) | (sec("ym") & (sec("a") + sec("y") == 0)) | (sec("wm") & (sec("w") == 0))
    )
    # extract_groups gives a struct of nulls, not a null, when the run does not fit: ask once more.
    fits = r.str.contains(CHINESE_NUMBER)
    problem = (
        pl.when(r.str.contains(CHINESE_ABBREVIATED))
        .then(pl.lit(ABBREVIATED_REASON))
        .when(
            ~fits
            | r.str.contains(CHINESE_BAD_ZERO)
            | r.str.contains(CHINESE_BAD_TWO)
            | empty_unit
            | (pl.col("__cn_value") == 0)
        )
        .then(pl.lit(NONSTANDARD_REASON) + r)
    )
    return lf.with_columns(problem.alias("__cn_problem")).drop(
        "__cng", *[f"__cn_{p}" for p in CHINESE_SECTIONS], "__cn_am", "__cn_ym", "__cn_wm"
    )


def _read_chinese(lf: pl.LazyFrame, text: str) -> pl.LazyFrame:
    """Texts the digit grammar did not read, tried again with their Chinese numeral written in digits.

    Only texts the first reading left unparsed come here, so a reading the digit grammar gives is
    never changed. The numeral must be the text's only number: the rest of the text is read by the
    single-number grammar (qualifiers, 余/多 before 万, measure words), never as a range.
    """
    first = {k: f"__first_{k}" for k in READING}
    lf = lf.rename(first)
    parts = pl.col("__norm").str.extract_groups(CHINESE_RUN)
    lf = lf.with_columns(parts.alias("__cn"))
    c = lambda name: pl.col("__cn").struct.field(name)  # noqa: E731
    lf = _with_chinese_numeral(lf.with_columns(c("run").alias("__run")), "__run")
    run, problem = pl.col("__run"), pl.col("__cn_problem")
    glued = c("before").str.contains(CHINESE_GLUED) | c("after").str.contains(CHINESE_GLUED_AFTER)
    lf = lf.with_columns(
        pl.when(~pl.col("__alien") & run.is_not_null())
        .then(pl.when(glued).then(pl.lit(NONSTANDARD_REASON) + run).otherwise(problem))
        .alias("__cn_problem"),
    )
    readable = ~pl.col("__alien") & run.is_not_null()
    lf = (
        lf.with_columns(
            (readable & problem.is_null()).alias("__cn_ok"),
            (readable & problem.is_not_null() & run.str.contains(f"[{_CN_CHARS}]")).alias("__cn_bad"),
            pl.concat_str([c("before"), pl.col("__cn_value").cast(pl.String), c("after")]).alias("__cn_norm"),
        )
        .drop("__cn")
        .cache()
    )
    # A Chinese numeral that is not read in full: its reason. An Arabic run (5千5): the first reading stands.
    bad = lf.filter(pl.col("__cn_bad"))
    kept = lf.filter(~pl.col("__cn_ok") & ~pl.col("__cn_bad")).select(
        text, *PREPARED, *[pl.col(v).alias(k) for k, v in first.items()]
    )
    none = pl.lit(None, pl.Int64)
    bad = bad.select(_reading(text, none, none, pl.lit(None, pl.String), pl.col("__cn_problem")))
    ok = lf.filter(pl.col("__cn_ok")).with_columns(pl.col("__cn_norm").alias("__norm"))
    ok = ok.with_columns(pl.col("__norm").str.contains(SINGLE).fill_null(False).alias("__single")).cache()
    # Another number beside it (a second numeral, a range, a list) is not read: 五至六百 is 500-600.
    others = pl.col("__norm").str.contains(f"[{_CN_CHARS}]") | (pl.col("__norm").str.count_matches(NUMBERS) > 1)
    unread = ok.filter(~pl.col("__single")).select(
        _reading(
            text,
            none,
            none,
            pl.lit(None, pl.String),
            pl.when(others).then(pl.lit(CHINESE_RANGE_REASON)).otherwise(_unread_reason(text)),
        )
    )
    return pl.concat([kept, bad, _read_single(ok.filter(pl.col("__single")), text), unread])


def _read_distinct(lf: pl.LazyFrame, text: str) -> pl.LazyFrame:
    """The readings of the texts in column `text` (one row per text): low/high/qualifier/status/reason."""
    lf = _prepared(lf, text)
    readable = ~pl.col("__alien")
    single = readable & pl.col("__norm").str.contains(SINGLE).fill_null(False)
    range_ = readable & ~single & pl.col("__norm").str.contains(RANGE).fill_null(False)
    lf = lf.with_columns(single.alias("__single"), range_.alias("__range")).cache()
    readings = pl.concat(
        [
            _read_single(lf.filter(pl.col("__single")), text),
            _read_range(lf.filter(pl.col("__range")), text),
            _unreadable(lf.filter(~pl.col("__single") & ~pl.col("__range")), text),
        ]
    ).cache()
    # Chinese numerals (九千八百, 9千8百, 十余万) are tried only where the digit grammar gave no reading
    # (in the normal form: traditional 兩 is 两).
    unparsed = (pl.col("status") == "unparsed") & pl.col("__norm").str.contains(f"[{_CN_CHARS}百千]").fill_null(False)
    return pl.concat([readings.filter(~unparsed), _read_chinese(readings.filter(unparsed), text)]).drop(PREPARED)


def read_figures(lf: pl.LazyFrame | pl.DataFrame, column: str, prefix: str = "") -> pl.LazyFrame:
    """Add {prefix}low, high, qualifier, status, reason for the figure texts in `column`.

    Each distinct text is read once and joined back, so large tables of repeated phrases
    cost little more than their distinct phrases; the input's row order is kept.
    """
    lf = lf.lazy()
    distinct = lf.select(pl.col(column).cast(pl.String)).unique()
    readings = _read_distinct(distinct, column).rename(
        {k: f"{prefix}{k}" for k in ("low", "high", "qualifier", "status", "reason")}
    )
    # Sorting on a row number restores the order at less cost than a join that maintains it.
    return (
        lf.with_row_index("__row").join(readings, on=column, how="left", nulls_equal=True).sort("__row").drop("__row")
    )


@dataclass(frozen=True)
class Reading:
    text: str
    low: int | None
    high: int | None
    qualifier: str | None
    status: str
    reason: str | None


def read_figure(text: str) -> Reading:
    """The reading of one printed figure, for the command line and for quick checks."""
    row = read_figures(pl.DataFrame({"text": [text]}, schema={"text": pl.String}), "text").collect().row(0, named=True)
    return Reading(**row)
