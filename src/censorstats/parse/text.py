"""The normal form both readers work on: what varies in print but not in meaning is removed.

NFKC (full-width digits and letters, no-break and thin spaces), lower case, traditional to
simplified characters (萬→万, 億→亿, 餘→余, 個→个, ...), one space for any run of white space.
"""

from __future__ import annotations

import polars as pl

TRADITIONAL = {
    "萬": "万",
    "兩": "两",
    "億": "亿",
    "餘": "余",
    "馀": "余",
    "個": "个",
    "條": "条",
    "將": "将",
    "約": "约",
    "內": "内",
    "來": "来",
    "數": "数",
    "幾": "几",
    "級": "级",
    "戶": "户",
    "項": "项",
    "臺": "台",
    "張": "张",
    "種": "种",
    "處": "处",
    "過": "过",
    "於": "于",
    "為": "为",
}

# Printable ASCII and the basic CJK ideographs are fixed points of NFKC, and single spaces
# between them need no collapsing: most printed figures are of this form and skip the costly steps.
_PLAIN = r"^[\x21-\x7e\u4e00-\u9fff]+(?: [\x21-\x7e\u4e00-\u9fff]+)*$"


def _simple(text: pl.Expr) -> pl.Expr:
    return text.str.to_lowercase().str.replace_many(list(TRADITIONAL), list(TRADITIONAL.values()))


def normalise(text: pl.Expr) -> pl.Expr:
    """The normal form of any text."""
    t = _simple(text.str.normalize("NFKC"))
    return t.str.replace_all(r"\s+", " ").str.strip_chars()


def normal_form(text: pl.Expr) -> pl.Expr:
    """`normalise`, with the costly steps run only on the texts that need them.

    A string step on a null costs almost nothing, so each branch sees only its own rows.
    """
    plain = text.str.contains(_PLAIN)
    return pl.coalesce(_simple(pl.when(plain).then(text)), normalise(pl.when(~plain).then(text)))
