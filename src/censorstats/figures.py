"""Report figures, drawn from processed tables by functions the notebooks call too.

One shared style (colour-blind-safe Okabe-Ito palette, text legible at report size) and one way of
saving, so that the same data always gives byte-identical SVG and PNG files. Every figure states
its finding in its title (computed from the data, so it stays true when the data changes), labels
its axes with units, and ends with a source line: what it counts and the data version (a hash of
the tables it was drawn from).

Figures are matplotlib Figure objects drawn by the Agg renderer, never through pyplot: the build
renders them with no display and no backend to choose, and a notebook shows one inline because
it knows how to draw itself as PNG (`_repr_png_`), whatever backend the kernel runs.
"""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import matplotlib
import polars as pl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from censorstats.readings import powers_of_ten
from censorstats.write import rounded_outwards

if TYPE_CHECKING:
    from matplotlib.gridspec import GridSpec
    from matplotlib.typing import RcKeyType

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"]
STYLE: dict[RcKeyType, Any] = {
    "figure.figsize": (9, 5.5),
    # Laid out at the resolution it is saved at: the text measured for the layout is then reused for the PNG.
    "figure.dpi": 150,
    "savefig.dpi": "figure",
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.fontsize": 9,
    "svg.hashsalt": "censorstats",
    "svg.fonttype": "none",  # text stays text: searchable, smaller, and much faster to write than glyph paths
    # FreeType's auto-hinter was a tenth of the build; at 150 dpi unhinted text reads as well
    "text.hinting": "no_hinting",
    "path.simplify": False,
}
AUTHORITY_LABELS = {
    "cac": "CAC",
    "mps": "MPS",
    "npcsc": "NPCSC",
    "napip": "NAPIP",
    "weibo-corp": "Weibo (platform)",
    "mps-and-cac": "MPS+CAC (combined by an outlet)",
}
NOTE_COLOUR = "#444444"
# Authorities past the palette's colours share this grey: lighter than the mid grey of the legends' key entries
# ("at least", "interval, both ends marked"), so that it never reads as one of them.
OTHER_COLOUR = "#BBBBBB"
CONSENSUS_COLOUR, OUTLIER_COLOUR = "#0072B2", "#D55E00"


class ReportFigure(Figure):
    """A figure that carries its style, so that it draws the same in the build and in a notebook,
    and what it drew: `drawn` lists the claims (and, for per-report figures, the reports) whose
    numbers are on it, which the build saves beside it for `censorstats trace`."""

    style: dict[RcKeyType, Any] = STYLE
    drawn: pl.DataFrame | None = None

    def _repr_png_(self) -> tuple[bytes, dict[str, str]]:
        """What Jupyter shows for a figure cell: the PNG the build would write, described by its title
        (the finding), which the HTML report gives as the image's alternative text."""
        buffer = io.BytesIO()
        with matplotlib.rc_context(self.style):
            self.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue(), {"alt": " ".join(self.get_suptitle().split())}


def _new_figure(style: dict[RcKeyType, Any]) -> tuple[ReportFigure, Axes]:
    """A figure and its one axes, with an Agg canvas of its own (no pyplot, no window, nothing global)."""
    fig = ReportFigure()
    fig.style = style
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def drawn_ids(claim_ids: pl.Series | list, report_ids: pl.Series | list | None = None) -> pl.DataFrame:
    """What a figure drew: claim_id, and report_id where single reports are drawn (else empty: the claim's value)."""
    claims = pl.Series("claim_id", list(claim_ids), pl.String)
    reports = pl.Series("report_id", list(report_ids) if report_ids is not None else [None] * len(claims), pl.String)
    return pl.DataFrame([claims, reports]).unique().sort("claim_id", "report_id", nulls_last=False)


def _wrap(text: str, width: int) -> str:
    """Break a label between words, never inside one."""
    import textwrap

    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def _authority_label(claim: dict) -> str:
    """The authority's name spelled out, with the abbreviation the other labels use:
    'Ministry of Public Security (MPS)'."""
    short = AUTHORITY_LABELS.get(claim["authority_id"], claim["authority_id"])
    name = claim.get("authority_name")
    if not name:
        return short
    return f"{name} ({short})" if short.isupper() else name


def _authority_colours(shown: pl.DataFrame) -> tuple[list[tuple[str, str, list[str]]], str]:
    """The colours of the authorities of the claims a figure shows (rows with authority_id, authority_name and
    claim_id): (colour, legend label, authority_ids) in legend order, and a note naming the authorities in grey
    ('' if none).

    The palette's colours go to the authorities in order of id, as long as there are enough. Past that, the
    authorities with the most claims shown (ties: by id) keep one colour each, still in order of id, and the
    rest are OTHER_COLOUR: one authority under its own name, several under one legend entry, "Other
    authorities", and named in the note. Every claim is drawn, and no two legend entries share a colour."""
    ranked = (
        shown.group_by("authority_id")
        .agg(pl.col("claim_id").n_unique().alias("n"))
        .sort("n", "authority_id", descending=[True, False])["authority_id"]
        .to_list()
    )
    label = {a: _authority_label(shown.filter(pl.col("authority_id") == a).row(0, named=True)) for a in ranked}
    coloured, rest = sorted(ranked[: len(OKABE_ITO)]), sorted(ranked[len(OKABE_ITO) :])
    groups = [(colour, label[a], [a]) for colour, a in zip(OKABE_ITO[: len(coloured)], coloured, strict=True)]
    if len(rest) == 1:
        groups.append((OTHER_COLOUR, label[rest[0]], rest))
    if len(rest) <= 1:
        return groups, ""
    groups.append((OTHER_COLOUR, "Other authorities (named below)", rest))
    return groups, f"Other authorities (grey): {'; '.join(sorted(label[a] for a in rest))}."


def data_version(paths: list[Path]) -> str:
    """A short hash of the tables a figure is drawn from: the same tables, the same version."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


def human(n: float) -> str:
    """1340000000 -> '1.34 billion', 9800 -> '9,800'."""
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if abs(n) >= size:
            return f"{n / size:.3g} {word}"
    return f"{n:,.0f}"


def _finish(fig: Figure, ax: Axes | list[Axes], title: str, source: str, frame_height: float | None = None) -> None:
    """Title (the finding) across the top left of the figure, source line at the bottom; then the axes placed
    between them (see _fit_axes, which sets the figure's height where `frame_height` is given)."""
    import textwrap

    wrapped = textwrap.fill(title, 80)
    fig.suptitle(wrapped, x=0.01, y=0.995, ha="left", va="top", fontsize=13, fontweight="bold")
    fig.text(0.01, 0.005, source, fontsize=8, color=NOTE_COLOUR, va="bottom")
    _fit_axes(
        fig, ax, bottom=0.3 + 0.15 * source.count("\n"), top=0.3 + 0.22 * wrapped.count("\n"), frame_height=frame_height
    )


def _fit_axes(fig, ax, bottom: float, top: float, frame_height: float | None = None) -> None:
    """Place the axes (one, or a list stacked in one column) so that they and everything hanging off them
    (tick labels, axis labels, an outside legend) fit between `bottom` and `top` inches kept free at the foot and
    head of the figure, with tight_layout's padding on every side. Where `frame_height` (inches) is given, the
    figure's height is set so that the axes span exactly that much, from the top of the first to the bottom of the
    last: what a figure of labelled rows needs for its rows to keep their spacing (_row_pitch).

    What tight_layout does, in one measuring pass instead of its two: measuring every text is most of
    the time a figure takes to draw. The overhang of labels beyond the axes does not depend on where
    the axes sits, so one measurement is enough. It does depend on the axes' height (an axis label centred
    on a short axes sticks out above and below it), so the axes are given `frame_height` before it.
    """
    from matplotlib.transforms import Bbox

    axes = ax if isinstance(ax, (list, tuple)) else [ax]
    if frame_height is not None:  # the axes at their final height, their foot where it was: nothing measured yet
        frame = Bbox.union([a.get_window_extent() for a in axes])
        fig.set_figheight(fig.get_figheight() + frame_height - frame.height / fig.dpi)
        fig.subplots_adjust(
            bottom=frame.y0 / fig.bbox.height, top=(frame.y0 + frame_height * fig.dpi) / fig.bbox.height
        )
    renderer = fig.canvas.get_renderer()
    frame = Bbox.union([a.get_window_extent(renderer) for a in axes])
    outer = Bbox.union([a.get_tightbbox(renderer) for a in axes])
    pad = 1.08 * matplotlib.rcParams["font.size"] * fig.dpi / 72
    below = bottom * fig.dpi + frame.y0 - outer.y0 + pad  # pixels under the axes
    above = top * fig.dpi + outer.y1 - frame.y1 + pad
    if frame_height is not None:
        fig.set_figheight((below + above) / fig.dpi + frame_height)
    width, height = fig.bbox.width, fig.bbox.height
    fig.subplots_adjust(
        left=(frame.x0 - outer.x0 + pad) / width,
        right=1 - (outer.x1 - frame.x1 + pad) / width,
        bottom=below / height,
        top=1 - above / height,
    )


# Figures of labelled rows (the claims of scale_vs_reach and discrepancies, the campaigns of reach_over_time) share
# one rule: each row is as tall as the tallest label of the figure and ROW_GAP of space, so that every label,
# of one line or four, stands apart from the next one and no reader takes a line for the wrong row.
ROW_LABEL_SIZE = 7.5  # points: a claim's label beside its row
ROW_LABEL_WIDTH = 60  # characters a line of a row's label
ROW_GAP = 0.8  # the least space between the labels of two rows, in the label's font size (0.8: 6 points)
MIN_ROW_PITCH = 0.2  # inches: rows of one-line labels are still this far apart


def _row_pitch(fig: Figure, labels: list[Text]) -> float:
    """Inches from one row to the next: the tallest of the rows' labels (any number of lines) and ROW_GAP of space,
    the same for every row of the figure, with the labels centred on their rows."""
    renderer = cast(FigureCanvasAgg, fig.canvas).get_renderer()
    tallest = max((t.get_window_extent(renderer).height for t in labels), default=0.0) / fig.dpi
    size = max((t.get_fontproperties().get_size_in_points() for t in labels), default=ROW_LABEL_SIZE)
    return max(MIN_ROW_PITCH, tallest + ROW_GAP * size / 72)


def _beside(ax: Axes, text: str, xy: tuple, after: bool, gap: float, colour: str) -> Text:
    """A small note `gap` points beside a mark: after it (to its right) where there is room, else before it."""
    return ax.annotate(
        text,
        xy,
        xytext=(gap if after else -gap, 0),
        textcoords="offset points",
        ha="left" if after else "right",
        va="center",
        fontsize=7,
        color=colour,
    )


def _row_heading(ax: Axes, y: float, text: str) -> Text:
    """A heading in the label column, on a row of its own (`y`) above the rows it heads, with a rule across the
    axes: where a figure's rows fall into groups, so that a reader sees where one ends and why."""
    ax.axhline(y, color=NOTE_COLOUR, linewidth=0.8, linestyle=(0, (4, 3)))
    return ax.annotate(
        text,
        (0, y),
        xycoords=("axes fraction", "data"),
        xytext=(-(matplotlib.rcParams["ytick.major.size"] + matplotlib.rcParams["ytick.major.pad"]), 0),
        textcoords="offset points",
        ha="right",
        va="center",
        fontsize=ROW_LABEL_SIZE,
        fontweight="bold",
        gid="row-heading",
    )


def _above(fig: Figure, ax: Axes, points: float = 4) -> dict[str, Any]:
    """Where a legend over the axes is anchored (with loc="lower left"): `points` above the axes' top left corner, a
    fixed distance, so that a figure whose height _fit_axes sets keeps the legend where it was measured."""
    from matplotlib.transforms import ScaledTranslation

    offset = ScaledTranslation(0, points / 72, fig.dpi_scale_trans)
    return {"bbox_to_anchor": (0, 1), "bbox_transform": ax.transAxes + offset}


def _row_labels(ax: Axes, rows: list[int], labels: list[str]) -> list[Text]:
    """The rows' labels as y tick labels, in the shared size, each centred on its row whatever its number of lines."""
    ax.set_yticks(rows, labels, fontsize=ROW_LABEL_SIZE, verticalalignment="center")
    return ax.get_yticklabels()


def _tick(value: float, _position=None) -> str:
    if value >= 1e9:
        return f"{value / 1e9:g} bn"
    if value >= 1e6:
        return f"{value / 1e6:g} m"
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def _log_axis(axis) -> None:
    """A log axis labelled in plain numbers ('10,000', '1 bn'): readable, and no mathtext to typeset.

    Unlabelled minor ticks at 2 and 5 of each decade only: enough to read a value between the
    labels; the default eight per decade were a third of the time spent laying out a figure.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    (axis.axes.set_xscale if axis.axis_name == "x" else axis.axes.set_yscale)("log")
    axis.set_major_locator(LogLocator(base=10))
    axis.set_major_formatter(FuncFormatter(_tick))
    axis.set_minor_locator(LogLocator(base=10, subs=(2, 5)))
    axis.set_minor_formatter(NullFormatter())


def latin(text: str, fallback: str = "Chinese-language name") -> str:
    """The Latin part of a name ("明報 Ming Pao" -> "Ming Pao"), because the shipped font has no CJK glyphs;
    `fallback` where nothing Latin is left, so a name never turns into '?' or missing-glyph boxes."""
    import re

    kept = "".join(ch for ch in text if ord(ch) < 0x2E80)
    kept = re.sub(r"\(\s*\)", "", re.sub(r"\s+\)", ")", re.sub(r"\(\s+", "(", kept)))  # "(on.cc 東網)" -> "(on.cc)"
    kept = " ".join(kept.split())
    return kept if any(ch.isalnum() for ch in kept) else fallback


# A claim's value in a label keeps its qualifier, in words true of every wording the parser reads so
# ("more than", "over", 余 and "at least" are all at least N; "nearly", 近 and "less than" up to N).
QUALIFIER_WORDS = {"at_least": "at least ", "at_most": "up to ", "approx": "about "}


def _claim_label(rec: dict, width: int) -> str:
    """Campaign name, then what was counted and the claim's value: sub-tallies of one campaign share a name and a
    metric, and only the value tells them apart."""
    qualifier = QUALIFIER_WORDS.get(rec.get("value_qualifier") or "", "")
    value = (qualifier + human(rec["value"])).replace(" ", "\u00a0")  # never wrapped apart: "at least 7.09 million"
    what = f"{rec['metric_description']}: {value}" if rec.get("value") is not None else rec["metric_description"]
    return _wrap(rec["campaign_name"], width) + "\n" + _wrap(what, width)


# Abbreviations in campaign names that no authority row spells out (those come from the data: authority_name).
OTHER_ABBREVIATIONS = {"SCIO": "State Council Information Office"}


def _abbreviations(drawn: pl.DataFrame, labels: list[str]) -> str:
    """'CAC: Cyberspace Administration of China; MPS: ...' for each abbreviation the labels use, spelled out once."""
    import re

    names = {
        AUTHORITY_LABELS[a]: n
        for a, n in drawn.select("authority_id", "authority_name").unique().iter_rows()
        if a in AUTHORITY_LABELS and AUTHORITY_LABELS[a].isupper() and n
    }
    names |= OTHER_ABBREVIATIONS
    used = {word for label in labels for word in re.findall(r"\b[A-Z]{3,}\b", label)}
    return "; ".join(f"{short}: {names[short]}" for short in sorted(used) if short in names)


def _left_out(n_left: int, what: str) -> str:
    """The sentence a figure carries when it shows only part of the data, so no reader takes it for the whole."""
    return f" Not shown: {n_left} {what}." if n_left else ""


# ---------------------------------------------------------------------------------------------
# 1. Campaign scale over time
# ---------------------------------------------------------------------------------------------


def official(claims: pl.DataFrame) -> pl.DataFrame:
    """Only official figures: not an outlet's own total or misprint (claim_kind 'outlet_figure')."""
    return claims.filter(pl.col("claim_kind") == "official")


def campaign_scale_data(claims: pl.DataFrame) -> pl.DataFrame:
    """Official claims about accounts that have a value and a date: one point per official figure."""
    return (
        official(claims)
        .filter(
            (pl.col("unit") == "accounts")
            & pl.col("value").is_not_null()
            & pl.col("announced_on").is_not_null()
            & (pl.col("value") > 0)
        )
        .with_columns(
            pl.when(pl.col("consensus_high").is_null())
            .then(pl.lit("at_least"))
            .when(pl.col("consensus_low") == 0)
            .then(pl.lit("at_most"))
            .otherwise(pl.lit("bounded"))
            .alias("bound")
        )
        .sort("announced_on", "claim_id")
    )


def campaign_scale(claims: pl.DataFrame, version: str):
    """Each claim about accounts at the day it was public, log scale, by authority, with its consensus interval."""
    data = campaign_scale_data(claims)
    markers = {"bounded": "o", "at_least": "^", "at_most": "v"}
    with matplotlib.rc_context(STYLE):
        fig, ax = _new_figure(STYLE)
        groups, others_note = _authority_colours(data)
        for colour, label, ids in groups:
            part = data.filter(pl.col("authority_id").is_in(ids))
            # Interval bars where both ends are known; an open end is an arrow pointing the way the bound is open,
            # not a bar, so that no end is drawn where the data has none.
            bounded = part.filter(pl.col("bound") == "bounded")
            ax.vlines(
                bounded["announced_on"].to_list(),
                bounded["consensus_low"].to_list(),
                bounded["consensus_high"].to_list(),
                color=colour,
                alpha=0.5,
                linewidth=1.5,
            )
            for rec in part.filter(pl.col("bound") != "bounded").iter_rows(named=True):
                towards = rec["value"] * (3 if rec["bound"] == "at_least" else 1 / 3)
                ax.annotate(
                    "",
                    xy=(rec["announced_on"], towards),
                    xytext=(rec["announced_on"], rec["value"]),
                    arrowprops={
                        "arrowstyle": "-|>",
                        "color": colour,
                        "alpha": 0.7,
                        "linewidth": 1.2,
                        "shrinkA": 0,
                        "shrinkB": 0,
                    },
                )
            for bound, marker in markers.items():
                sub = part.filter(pl.col("bound") == bound)
                if sub.height:
                    ax.scatter(
                        sub["announced_on"].to_list(),
                        sub["value"].to_list(),
                        marker=marker,
                        s=40,
                        color=colour,
                        edgecolors="white",
                        linewidths=0.5,
                        zorder=3,
                    )
            ax.scatter([], [], marker="o", color=colour, label=label)
        for bound, label in (
            ("at_least", "at least: no upper end (arrow: open above)"),
            ("at_most", "at most: no lower end (arrow: open below)"),
        ):
            if (data["bound"] == bound).any():
                ax.scatter([], [], marker=markers[bound], color="grey", label=label)
        _log_axis(ax.yaxis)
        ax.set_ylabel("Accounts closed, deleted, suspended or punished\n(one point per official figure, log scale)")
        ax.set_xlabel(
            "Day the figure was first public (announced_on: its earliest report on an original page, never a repost)"
        )
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(
            handles,
            [_wrap(label, 30) for label in labels],
            loc="center left",
            bbox_to_anchor=(1.01, 0.5),
            frameon=False,
            fontsize=8,
        )
        low, high = data.sort("value").row(0, named=True), data.sort("value").row(-1, named=True)
        # announced_on is a Date column with no nulls here, and `data` has rows (row(0) above)
        first, last = cast(date, data["announced_on"].min()), cast(date, data["announced_on"].max())
        years = f"{first.year}–{last.year}"
        title = f"Account actions announced {years} range from {human(low['value'])} to {human(high['value'])} accounts"
        source = (
            (_wrap(others_note, 150) + "\n" if others_note else "")
            + f"Source: censorstats; {data.height} official figures reconciled from {int(data['n_consensus'].sum())} "
            f"agreeing reports; largest: {high.get('campaign_name') or high['claim_id']}.\nData version {version} "
            "(a hash of the tables drawn: the same version, the same data)."
        )
        _finish(fig, ax, title, source)
    fig.drawn = drawn_ids(data["claim_id"])
    return fig


# ---------------------------------------------------------------------------------------------
# 2. Scale against reach
# ---------------------------------------------------------------------------------------------

# A reader takes in about this many rows; past it, the largest ratios and the claims about one platform.
MAX_ROWS, LARGEST_ROWS = 36, 25


def scale_vs_reach_data(comparisons: pl.DataFrame) -> pl.DataFrame:
    """One row per claim and platform it is set against: its own platform(s) where it names one, else the single
    platform with the most monthly users at the time (the smallest ratio, so the claim is not made to look
    large), sorted by ratio, largest first. The sum over platforms ("all") counts people twice and is left out.

    `shown` marks the rows drawn: all of them up to MAX_ROWS, else the LARGEST_ROWS largest ratios and, in
    what room is left, the largest of the claims that name a platform."""
    single = comparisons.filter(pl.col("platform_id") != "all")
    own = single.filter(pl.col("platform_named_by_claim"))
    largest = (
        single.filter(~pl.col("platform_named_by_claim"))
        .sort("reach_value", "platform_id", descending=[True, False])
        .group_by("claim_id", maintain_order=True)
        .first()
    )
    data = (
        pl.concat([own, largest.select(own.columns)])
        .with_columns(pl.coalesce("per_million_high", "per_million_low").alias("_order"))
        .sort("_order", "claim_id", "platform_id", descending=[True, False, False], nulls_last=True)
        .drop("_order")
        .with_row_index("rank")
    )
    if data.height <= MAX_ROWS:
        return data.with_columns(pl.lit(True).alias("shown"))
    named = data.filter((pl.col("rank") >= LARGEST_ROWS) & pl.col("platform_named_by_claim")).head(
        MAX_ROWS - LARGEST_ROWS
    )["rank"]
    return data.with_columns(((pl.col("rank") < LARGEST_ROWS) | pl.col("rank").is_in(named.implode())).alias("shown"))


def per_million_interval(low: float | None, high: float | None) -> str:
    """An interval of ratios in prose exactly as the CSV gives it (write.rounded_outwards: 4 significant
    digits, low end down, high end up), so the words always hold the exact interval: '9.049 to 9.141'."""
    ends = pl.select(
        rounded_outwards(pl.lit(low, pl.Float64), up=False).alias("low"),
        rounded_outwards(pl.lit(high, pl.Float64), up=True).alias("high"),
    ).row(0)

    def text(x: float | None, missing: str) -> str:
        return missing if x is None else f"{int(x):,}" if x.is_integer() else f"{x:,}"

    return f"{text(ends[0], 'no lower bound')} to {text(ends[1], 'no upper bound')}"


def _per_million(x: float) -> str:
    """A ratio per million to two or three significant digits, with commas: '0.015', '4.4', '1,100', '1,060,000'
    (not '1.06 million': beside 'per million' a word would read as part of the unit)."""
    return f"{x:.2g}" if x < 10 else f"{float(f'{x:.3g}'):,.0f}"


def _interval(ax: Axes, y: float, low, high, colour: str) -> str:
    """One interval on a log axis: a bar with a tick at each end where both ends are known; an open end (no
    bound printed, or a low end of 0, which a log axis cannot place) is an arrow to the axis edge, never a bar
    to an invented end. Returns 'bounded' or 'open'."""
    low = low if low is not None and low > 0 else None
    if low is not None and high is not None:
        ax.plot([low, high], [y, y], color=colour, linewidth=3, solid_capstyle="butt", alpha=0.8)
        ax.plot([low, high], [y, y], linestyle="none", marker="|", markersize=9, markeredgewidth=1.5, color=colour)
        return "bounded"
    start, edge = (high, 0.0) if low is None else (low, 1.0)
    ax.annotate(
        "",
        xy=(edge, y),
        xycoords=("axes fraction", "data"),
        xytext=(start, y),
        textcoords="data",
        arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 1.5, "shrinkA": 0, "shrinkB": 0},
    )
    ax.plot([start], [y], linestyle="none", marker="|", markersize=9, markeredgewidth=1.5, color=colour)
    return "open"


def _reach_label(rec: dict) -> str:
    """The platform and users a row is set against, written beside its bar."""
    named = " (named by the claim)" if rec["platform_named_by_claim"] else ""
    return f"vs {latin(rec['reach_platform'])}{named}: {human(rec['reach_value'])} MAU, {rec['reach_as_of']:%d %b %Y}"


def _log_limits(values: list[float]) -> tuple[float, float]:
    """Whole decades around the values, so that every end (and the arrows to the edges) has room."""
    import math

    low, high = min(values), max(values)
    return 10 ** math.floor(math.log10(low) - 0.3), 10 ** math.ceil(math.log10(high) + 0.3)


def scale_vs_reach(comparisons: pl.DataFrame, version: str):
    """Each official account figure per million monthly users of a platform, as an interval, largest first."""
    import math

    data = scale_vs_reach_data(comparisons)
    shown = data.filter(pl.col("shown"))
    # the height a first guess: _finish sets the one the rows need (_row_pitch)
    style = STYLE | {"figure.figsize": (10, 0.36 * shown.height + 3.6), "font.size": 8.5}
    with matplotlib.rc_context(style):
        fig, ax = _new_figure(style)
        _log_axis(ax.xaxis)
        finite = [
            v
            for v in shown["per_million_low"].to_list() + shown["per_million_high"].to_list()
            if v is not None and v > 0
        ]
        left_x, right_x = _log_limits(finite)
        ax.set_xlim(left_x, right_x)
        groups, others_note = _authority_colours(shown)
        colours = {authority: colour for colour, _, ids in groups for authority in ids}
        ends = []
        for y, r in enumerate(shown.iter_rows(named=True)):
            ends.append(_interval(ax, y, r["per_million_low"], r["per_million_high"], colours[r["authority_id"]]))
            # The platform compared with, beside the bar: right of it, or left where the bar is near the right edge
            end = r["per_million_high"] or r["per_million_low"]
            after = math.log(end / left_x) / math.log(right_x / left_x) < 0.62
            anchor = end if after else (r["per_million_low"] if r["per_million_low"] else r["per_million_high"])
            _beside(ax, _reach_label(r), (anchor, y), after, 8, NOTE_COLOUR)
        labels = [_claim_label(r, ROW_LABEL_WIDTH) for r in shown.iter_rows(named=True)]
        pitch = _row_pitch(fig, _row_labels(ax, list(range(shown.height)), labels))
        ax.set_ylim(shown.height - 0.5, -0.5)  # largest at the top
        ax.set_xlabel("Accounts actioned per million monthly active users (MAU) of the platform, log scale")
        for colour, label, _ in groups:
            ax.plot([], [], color=colour, linewidth=3, label=label)
        ax.plot([], [], color="grey", linewidth=3, marker="|", markersize=9, label="interval, both ends marked (|)")
        if "open" in ends:
            ax.plot(
                [],
                [],
                color="grey",
                marker=">",
                linestyle="-",
                label="open end: no bound printed (arrow to the axis edge)",
            )
        handles, names = ax.get_legend_handles_labels()
        ax.legend(
            handles,
            [_wrap(n, 40) for n in names],
            loc="lower left",
            **_above(fig, ax),
            ncol=2,
            frameon=False,
            fontsize=7.5,
        )
        # polars types a min or max as any Python value. These columns are Float64, and each min or max here is over
        # at least one value; the last, as long as every row has an end (a row with neither cannot be drawn either).
        lows = data["per_million_low"].filter(data["per_million_low"] > 0)
        highs = data["per_million_high"].drop_nulls()
        low_text = _per_million(cast(float, lows.min())) if lows.len() else "an open low end"
        high_text = (
            _per_million(cast(float, highs.max()))
            if data["per_million_high"].null_count() == 0
            else f"more than {_per_million(cast(float, data['per_million_low'].max()))}"
        )
        title = (
            f"{data['claim_id'].n_unique()} official account figures come to between {low_text} and {high_text} "
            "accounts per million monthly users of a platform"
        )
        unnamed = data.filter(~pl.col("platform_named_by_claim"))
        against = ", ".join(sorted(set(latin(p) for p in unnamed["reach_platform"].to_list()))) or "none"
        series = "; ".join(
            f"{latin(p)}: {d}"
            for p, d in shown.select("reach_platform", "reach_definition").unique().sort("reach_platform").iter_rows()
        )
        left = data.filter(~pl.col("shown"))
        left_out = _left_out(
            left.height,
            f"rows with smaller ratios ({_per_million(cast('float | None', left['per_million_low'].min()) or 0)} to "
            f"{_per_million(cast('float | None', left['per_million_high'].max()) or 0)} per million)"
            if left.height
            else "",
        )
        notes = [
            "Reach: the platform's monthly active users (MAU) as of the claim's announced_on, the day the claim was "
            "first public: the latest figure for a period ending on or before that day, "
            f"at most {cast(int, comparisons['reach_tolerance_days'].max())} days older.",
            f"A claim that names no platform is set against the platform with the most users then (here: {against}), "
            "which gives its smallest ratio; against any other platform it would be larger.",
            f"Each platform's series, as the operator defines it: {series}.",
            others_note,
            _abbreviations(shown, labels + [title]),
            f"Source: censorstats; {shown.height} of {data.height} rows shown.{left_out} Data {version}.",
        ]
        source = "\n".join(_wrap(n, 150) for n in notes if n)
        _finish(fig, ax, title, source, frame_height=shown.height * pitch)
    fig.drawn = drawn_ids(shown["claim_id"])
    return fig


# ---------------------------------------------------------------------------------------------
# 3. Platform reach over time
# ---------------------------------------------------------------------------------------------

GAP_DAYS = 400  # consecutive figures further apart than this are not joined by a line: the years between are unknown
MAX_CAMPAIGNS = 20
USERS_HEIGHT = 2.8  # inches: the monthly users' axes, above the campaigns' rows
CAMPAIGN_ROWS_MARGIN = 0.6  # rows: the room above the first campaign and below the last


def _runs(part: pl.DataFrame, gap_days: int = GAP_DAYS) -> list[pl.DataFrame]:
    """A platform's figures cut where consecutive dates are more than `gap_days` apart, so that a line is drawn
    only between figures close enough to stand for the months between them."""
    run = (part["as_of"].diff().dt.total_days().fill_null(0) > gap_days).cum_sum()
    return [p for _, p in part.with_columns(run.alias("_run")).group_by("_run", maintain_order=True)]


def campaign_periods(claims: pl.DataFrame) -> pl.DataFrame:
    """One row per campaign with an official account figure: from the earliest period start of its figures to the
    latest period end (or, where a figure prints no end, the day it was announced). The MAX_CAMPAIGNS latest are
    marked `shown`."""
    spans = (
        official(claims)
        .filter(
            (pl.col("unit") == "accounts") & pl.col("period_start").is_not_null() & pl.col("announced_on").is_not_null()
        )
        .with_columns(pl.coalesce("period_end", "announced_on").alias("until"))
    )
    periods = (
        spans.group_by("campaign_id")
        .agg(
            pl.col("campaign_name").first(),
            pl.col("authority_id").first(),
            pl.col("authority_name").first(),
            pl.col("period_start").min().alias("start"),
            pl.col("until").max(),
            pl.col("period_end").is_null().any().alias("end_is_announcement"),
        )
        .sort("start", "campaign_id", descending=True)
        .with_row_index("rank")
    )
    return periods.with_columns((pl.col("rank") < MAX_CAMPAIGNS).alias("shown")).sort("start", "campaign_id")


def _campaign_rows(ax: Axes, periods: pl.DataFrame, middle: date) -> list[Text]:
    """Each campaign's period as a bar in its own row, labelled with its name beside it (on the side with room).
    Returns the labels, by which the rows are spaced (_row_pitch)."""
    labels: list[Text] = []
    for y, rec in enumerate(periods.iter_rows(named=True)):
        # the ends as ticks too, so that a period of a few days still shows
        ax.plot(
            [rec["start"], rec["until"]],
            [y, y],
            color="#555555",
            linewidth=4,
            solid_capstyle="butt",
            marker="|",
            markersize=8,
            markeredgewidth=1.5,
        )
        right = rec["start"] < middle
        label = _beside(
            ax,
            _wrap(rec["campaign_name"], ROW_LABEL_WIDTH),
            (rec["until"] if right else rec["start"], y),
            right,
            4,
            NOTE_COLOUR,
        )
        labels.append(label)
    ax.set_ylim(periods.height - 1 + CAMPAIGN_ROWS_MARGIN, -CAMPAIGN_ROWS_MARGIN)
    ax.set_yticks([])
    ax.set_ylabel("Campaign periods")
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)
    return labels


def reach_over_time(series: pl.DataFrame, claims: pl.DataFrame, version: str):
    """Each platform's monthly users over time (the reach_series table: one series per platform, broken across
    gaps of years), above the periods of the campaigns whose account figures the other figures draw."""
    periods = campaign_periods(claims)
    shown = periods.filter(pl.col("shown"))
    # the height a first guess: _finish sets the one the users' axes and the campaigns' rows need (_row_pitch)
    style = STYLE | {"figure.figsize": (9.5, 5.2 + 0.2 * shown.height)}
    hspace = 0.08
    with matplotlib.rc_context(style):
        fig = ReportFigure()
        fig.style = style
        FigureCanvasAgg(fig)
        top: Axes
        bottom: Axes
        top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"hspace": hspace})
        platforms = (
            series.group_by("platform_id")
            .agg(pl.col("value_low").max())
            .sort("value_low", "platform_id", descending=[True, False])["platform_id"]
            .to_list()
        )
        for i, platform in enumerate(platforms):
            part = series.filter(pl.col("platform_id") == platform).sort("as_of")
            colour, dashes = OKABE_ITO[i % len(OKABE_ITO)], "-" if i < len(OKABE_ITO) else "--"
            for j, run in enumerate(_runs(part)):
                top.plot(
                    run["as_of"].to_list(),
                    (run["value_low"] / 1e6).to_list(),
                    marker="o",
                    markersize=3,
                    color=colour,
                    linestyle=dashes,
                    label=latin(part["platform"][0]) if j == 0 else None,
                )
        _log_axis(top.yaxis)
        top.set_ylabel("Monthly active users, millions\n(log scale; each operator's own definition)")
        top.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        top.tick_params(axis="x", labelbottom=False)
        dates = series["as_of"].to_list() + shown["start"].to_list() + shown["until"].to_list()
        pitch = _row_pitch(fig, _campaign_rows(bottom, shown, min(dates) + (max(dates) - min(dates)) / 2))
        # The users' axes USERS_HEIGHT, the campaigns' as tall as their rows need, and the gap between the two
        # (hspace, a fraction of their mean height) on top: the frame _finish fits.
        heights = [USERS_HEIGHT, (max(shown.height, 1) - 1 + 2 * CAMPAIGN_ROWS_MARGIN) * pitch]
        cast("GridSpec", top.get_gridspec()).set_height_ratios(heights)
        bottom.set_xlabel(
            "Date (top: end of the quarter or month each user figure counts; "
            "bottom: the period each campaign's figures count)"
        )
        latest = (
            series.sort("as_of")
            .group_by("platform_id", maintain_order=True)
            .last()
            .sort("value_low", descending=True)
            .row(0, named=True)
        )
        title = (
            f"{latin(latest['platform'])} reached {human(latest['value_low'])} monthly users by {latest['as_of']:%B %Y}"
        )
        gaps = sum(len(_runs(series.filter(pl.col("platform_id") == p).sort("as_of"))) - 1 for p in platforms)
        notes = [
            f"Top: {series.height} monthly-user figures (company reports and relays) for {len(platforms)} platforms; "
            f"a line joins figures at most {GAP_DAYS} days apart, and the {gaps} longer gaps are left open "
            "(markers only): nothing is known between them.",
            "Bottom: the period counted by each campaign's official account figures "
            "(to the day it was announced where no end is printed)."
            + _left_out(periods.height - shown.height, "earlier campaigns"),
            _abbreviations(periods, shown["campaign_name"].to_list()),
            f"Source: censorstats; data {version}.",
        ]
        _finish(
            fig,
            [top, bottom],
            title,
            "\n".join(_wrap(n, 140) for n in notes if n),
            frame_height=sum(heights) * (1 + hspace / 2),
        )
    # The campaigns' periods are marked, but no claim's number is drawn: `trace` lists this figure for none.
    fig.drawn = drawn_ids([])
    return fig


# ---------------------------------------------------------------------------------------------
# 4. Discrepancies
# ---------------------------------------------------------------------------------------------

MAX_CLAIMS, MAX_OUTLIER_CLAIMS = 30, 20
UNDATED_HEADING = "Day first public not known"


def discrepancies_data(
    claim_reports: pl.DataFrame, claims: pl.DataFrame, reports: pl.DataFrame, min_reports: int = 4
) -> pl.DataFrame:
    """Each readable report's number over its claim's value, for claims with several reports or an outlier.

    `shown` marks the claims drawn: all up to MAX_CLAIMS; else the claims with an outlier (furthest off first,
    at most MAX_OUTLIER_CLAIMS) and then the claims with the largest values.

    Rows are sorted by the day the claim was first public (announced_on), then claim_id and report_id: the order
    of the figure's rows, earliest at the top, whichever way the claims were chosen. Claims with no announced_on
    (no dated report on an original page) come last, and the figure shows them under a heading of their own."""
    readable = claim_reports.filter(pl.col("role").is_in(["consensus", "outlier"]))
    data = (
        readable.join(
            claims.select(
                "claim_id",
                "value",
                "value_qualifier",
                "campaign_name",
                "metric_description",
                "authority_id",
                "authority_name",
                "announced_on",
            ),
            on="claim_id",
        )
        .join(reports.select("report_id", "outlet"), on="report_id")
        .filter(pl.col("value") > 0)
        .with_columns((pl.col("printed_number") / pl.col("value")).alias("relative"))
    )
    per_claim = (
        data.group_by("claim_id")
        .agg(
            pl.len().alias("n"),
            pl.col("value").first(),
            pl.when(pl.col("role") == "outlier").then(pl.col("relative").log10().abs()).max().alias("off"),
        )
        .filter((pl.col("n") >= min_reports) | pl.col("off").is_not_null())
    )
    if per_claim.height > MAX_CLAIMS:
        outliers = (
            per_claim.filter(pl.col("off").is_not_null())
            .sort("off", "value", "claim_id", descending=[True, True, False])
            .head(MAX_OUTLIER_CLAIMS)
        )
        rest = per_claim.filter(~pl.col("claim_id").is_in(outliers["claim_id"].implode())).sort(
            "value", "claim_id", descending=[True, False]
        )
        chosen = pl.concat([outliers["claim_id"], rest["claim_id"].head(MAX_CLAIMS - outliers.height)])
    else:
        chosen = per_claim["claim_id"]
    return (
        data.join(per_claim.select("claim_id", pl.col("off").is_not_null().alias("has_outlier")), on="claim_id")
        .with_columns(pl.col("claim_id").is_in(chosen.implode()).alias("shown"))
        .sort("announced_on", "claim_id", "report_id", nulls_last=True)
    )


def _label_outlets(ax: Axes, outliers: pl.DataFrame, left: float, right: float) -> None:
    """Name the outlets of the reports outside the consensus beside their points: one label per point, listing
    every outlet that printed it (copies of one text land on one spot), on the side of the point with room."""
    import math

    spots = (
        outliers.with_columns(pl.col("relative").round(6).alias("_x"))
        .group_by("y", "_x", maintain_order=True)
        .agg(pl.col("relative").first(), pl.struct("outlet", "report_id").alias("who"))
    )
    for rec in spots.iter_rows(named=True):
        names = ", ".join(latin(w["outlet"], fallback=f"{w['report_id']}, Chinese-language outlet") for w in rec["who"])
        after = math.log(rec["relative"] / left) / math.log(right / left) < 0.7
        _beside(ax, _wrap(names, 40), (rec["relative"], rec["y"]), after, 7, OUTLIER_COLOUR)


def discrepancies(claim_reports: pl.DataFrame, claims: pl.DataFrame, reports: pl.DataFrame, version: str):
    """Every readable report of a claim against the claim's value: how far what outlets printed strays."""
    data = discrepancies_data(claim_reports, claims, reports)
    shown = data.filter(pl.col("shown"))
    order = shown.select("claim_id").unique(maintain_order=True)["claim_id"].to_list()
    n_dated = shown.filter(pl.col("announced_on").is_not_null())["claim_id"].n_unique()
    # the undated claims (last in `order`) one row further down: their heading takes the row between
    row = {c: i if i < n_dated else i + 1 for i, c in enumerate(order)}
    n_rows = len(order) + (len(order) > n_dated)
    # the height a first guess: _finish sets the one the rows need (_row_pitch)
    style = STYLE | {"figure.figsize": (10, 0.36 * n_rows + 3.0), "font.size": 8.5}
    with matplotlib.rc_context(style):
        fig, ax = _new_figure(style)
        ys = shown.with_columns(pl.col("claim_id").replace_strict(row, return_dtype=pl.Int64).alias("y"))
        consensus = ys.filter(pl.col("role") == "consensus")
        outliers = ys.filter(pl.col("role") == "outlier")
        ax.axvspan(0.9, 1.1, color="#999999", alpha=0.15, linewidth=0)
        ax.axvline(1, color="#999999", linewidth=1)
        ax.scatter(
            consensus["relative"].to_list(),
            consensus["y"].to_list(),
            s=18,
            color=CONSENSUS_COLOUR,
            alpha=0.6,
            label="agrees with the consensus",
        )
        ax.scatter(
            outliers["relative"].to_list(),
            outliers["y"].to_list(),
            s=36,
            color=OUTLIER_COLOUR,
            marker="D",
            label="outside the consensus",
        )
        left_x, right_x = _log_limits(ys["relative"].filter(ys["relative"] > 0).to_list() + [1.0])
        ax.set_xlim(left_x, right_x)
        _label_outlets(ax, outliers, left_x, right_x)
        claims_shown = ys.group_by("claim_id", maintain_order=True).first()
        labels = [_claim_label(r, ROW_LABEL_WIDTH) for r in claims_shown.iter_rows(named=True)]
        row_texts = _row_labels(ax, claims_shown["y"].to_list(), labels)
        if n_rows > len(order):
            row_texts.append(_row_heading(ax, n_dated, UNDATED_HEADING))
        pitch = _row_pitch(fig, row_texts)
        ax.set_ylim(n_rows - 0.5, -0.5)
        _log_axis(ax.xaxis)
        ax.set_xlabel("Printed number ÷ the claim's value (log scale; 10 = ten times too large)")
        ax.legend(loc="lower left", **_above(fig, ax), ncol=2, frameon=False)
        all_outliers = data.filter(pl.col("role") == "outlier")
        tenfold = sum(powers_of_ten(r) != 0 for r in all_outliers["relative"].to_list())
        n_claims = data["claim_id"].n_unique()
        title = (
            f"Of {data.height} readable reports of {n_claims} claims, {all_outliers.height} print a figure outside "
            f"the claim's consensus, {tenfold} of them a power of ten or more away from its value"
        )
        left = data.filter(~pl.col("shown"))
        left_out = _left_out(
            left["claim_id"].n_unique(),
            f"claims ({left.filter(pl.col('has_outlier'))['claim_id'].n_unique()} of them with an outlier), "
            f"{left.height} reports",
        )
        notes = [
            "Rows: by the day each claim was first public (announced_on), earliest at the top"
            + ("; claims with no known day last, under their own heading." if n_rows > len(order) else "."),
            "A power of ten: the ratio's log10 rounds to 1 or more (about 3.16 times or more apart), "
            "as in the discrepancies table's magnitude type.",
            "Shown: claims with 4 or more readable reports or an outlier; "
            f"{len(order)} of {n_claims} claims.{left_out}",
            _abbreviations(claims_shown, labels),
            f"Source: censorstats; data {version}.",
        ]
        _finish(fig, ax, title, "\n".join(_wrap(n, 150) for n in notes if n), frame_height=n_rows * pitch)
    fig.drawn = drawn_ids(shown["claim_id"], shown["report_id"])
    return fig


def save(fig, svg: Path, png: Path) -> None:
    """Save without timestamps or random ids, so the same figure gives the same bytes.

    The PNG's pixels are drawn first and compressed in a second thread while the SVG is drawn:
    Pillow lets go of the interpreter while it compresses, so on two cores the PNG costs only its drawing.
    """
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    from matplotlib.image import imsave

    with matplotlib.rc_context(STYLE), ThreadPoolExecutor(max_workers=1) as writer:
        fig.canvas.draw()
        pixels = np.array(fig.canvas.buffer_rgba())  # a copy: the buffer belongs to the canvas's renderer
        # zlib level 3: as small as the default level 6 on these figures, and a third faster to write
        png_written = writer.submit(
            imsave,
            png,
            pixels,
            format="png",
            dpi=fig.dpi,
            # the stub says dict[str, str], but a None value is how the PNG writer is told to leave a key out
            metadata={"Software": None},  # type: ignore[dict-item]
            pil_kwargs={"compress_level": 3},
        )
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        png_written.result()
