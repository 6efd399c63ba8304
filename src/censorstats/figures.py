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
from pathlib import Path

import matplotlib
import polars as pl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from censorstats.compare import reach_series
from censorstats.readings import powers_of_ten

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"]
STYLE = {
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
    "text.hinting": "no_hinting",  # FreeType's auto-hinter was a tenth of the build; at 150 dpi unhinted text reads as well
    "path.simplify": False,
}
AUTHORITY_LABELS = {"cac": "CAC", "mps": "MPS", "npcsc": "NPCSC", "napip": "NAPIP", "weibo-corp": "Weibo (platform)",
                    "mps-and-cac": "MPS+CAC (combined by an outlet)"}
NOTE_COLOUR = "#444444"
CONSENSUS_COLOUR, OUTLIER_COLOUR = "#0072B2", "#D55E00"


class ReportFigure(Figure):
    """A figure that carries its style, so that it draws the same in the build and in a notebook,
    and what it drew: `drawn` lists the claims (and, for per-report figures, the reports) whose
    numbers are on it, which the build saves beside it for `censorstats trace`."""

    style: dict = STYLE
    drawn: pl.DataFrame | None = None

    def _repr_png_(self) -> bytes:
        """What Jupyter shows for a figure cell: the PNG the build would write."""
        buffer = io.BytesIO()
        with matplotlib.rc_context(self.style):
            self.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()


def _new_figure(style: dict) -> tuple[ReportFigure, object]:
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
    """The authority's name spelled out, with the abbreviation the other labels use: 'Ministry of Public Security (MPS)'."""
    short = AUTHORITY_LABELS.get(claim["authority_id"], claim["authority_id"])
    name = claim.get("authority_name")
    if not name:
        return short
    return f"{name} ({short})" if short.isupper() else name


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


def _finish(fig, ax, title: str, source: str) -> None:
    """Title (the finding) across the top left of the figure, source line at the bottom."""
    import textwrap

    wrapped = textwrap.fill(title, 80)
    fig.suptitle(wrapped, x=0.01, y=0.995, ha="left", va="top", fontsize=13, fontweight="bold")
    fig.text(0.01, 0.005, source, fontsize=8, color=NOTE_COLOUR, va="bottom")
    inch = 1 / fig.get_figheight()
    _fit_axes(fig, ax, bottom=(0.3 + 0.15 * source.count("\n")) * inch, top=1 - (0.3 + 0.22 * wrapped.count("\n")) * inch)


def _fit_axes(fig, ax, bottom: float, top: float) -> None:
    """Place the axes so that it and everything hanging off it (tick labels, axis labels, an outside legend)
    fit between `bottom` and `top` (figure fractions), with tight_layout's padding on every side.

    What tight_layout does, in one measuring pass instead of its two: measuring every text is most of
    the time a figure takes to draw. The overhang of labels beyond the axes does not depend on where
    the axes sits, so one measurement is enough.
    """
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    outer = ax.get_tightbbox(renderer)
    pad = 1.08 * matplotlib.rcParams["font.size"] * fig.dpi / 72
    width, height = fig.bbox.width, fig.bbox.height
    fig.subplots_adjust(
        left=(frame.x0 - outer.x0 + pad) / width,
        right=1 - (outer.x1 - frame.x1 + pad) / width,
        bottom=bottom + (frame.y0 - outer.y0 + pad) / height,
        top=top - (outer.y1 - frame.y1 + pad) / height,
    )


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


def latin(text: str) -> str:
    """Text without the characters the shipped font cannot draw (CJK outlet names), so no glyph goes missing."""
    kept = "".join(ch for ch in text if ord(ch) < 0x2E80)
    return " ".join(kept.split()) or "?"


def _short(claim_id: str, width: int = 44) -> str:
    """A claim id that fits a tick label, keeping the metric (after the slash) whole."""
    if len(claim_id) <= width:
        return claim_id
    campaign, slash, rest = claim_id.partition("/")
    keep = max(12, width - len(rest) - 2)
    return f"{campaign[:keep]}…{slash}{rest}" if slash else claim_id[: width - 1] + "…"


# ---------------------------------------------------------------------------------------------
# 1. Campaign scale over time
# ---------------------------------------------------------------------------------------------


def official(claims: pl.DataFrame) -> pl.DataFrame:
    """Only official figures: not an outlet's own total or misprint (claim_kind 'outlet_figure')."""
    return claims.filter(pl.col("claim_kind") == "official")


def campaign_scale_data(claims: pl.DataFrame) -> pl.DataFrame:
    """Official claims about accounts that have a value and a date: one point per official figure."""
    return (
        official(claims).filter((pl.col("unit") == "accounts") & pl.col("value").is_not_null() & pl.col("announced_on").is_not_null()
                      & (pl.col("value") > 0))
        .with_columns(
            pl.when(pl.col("consensus_high").is_null()).then(pl.lit("at_least"))
            .when(pl.col("consensus_low") == 0).then(pl.lit("at_most")).otherwise(pl.lit("bounded")).alias("bound"))
        .sort("announced_on", "claim_id")
    )


def campaign_scale(claims: pl.DataFrame, version: str):
    """Each claim about accounts at the day it was public, log scale, by authority, with its consensus interval."""
    data = campaign_scale_data(claims)
    markers = {"bounded": "o", "at_least": "^", "at_most": "v"}
    with matplotlib.rc_context(STYLE):
        fig, ax = _new_figure(STYLE)
        authorities = sorted(data["authority_id"].unique().to_list())
        for colour, authority in zip(OKABE_ITO, authorities):
            part = data.filter(pl.col("authority_id") == authority)
            # Interval bars where both ends are known; an open end is an arrow pointing the way the bound is open,
            # not a bar, so that no end is drawn where the data has none.
            bounded = part.filter(pl.col("bound") == "bounded")
            ax.vlines(bounded["announced_on"].to_list(), bounded["consensus_low"].to_list(), bounded["consensus_high"].to_list(),
                      color=colour, alpha=0.5, linewidth=1.5)
            for rec in part.filter(pl.col("bound") != "bounded").iter_rows(named=True):
                towards = rec["value"] * (3 if rec["bound"] == "at_least" else 1 / 3)
                ax.annotate("", xy=(rec["announced_on"], towards), xytext=(rec["announced_on"], rec["value"]),
                            arrowprops={"arrowstyle": "-|>", "color": colour, "alpha": 0.7, "linewidth": 1.2, "shrinkA": 0, "shrinkB": 0})
            for bound, marker in markers.items():
                sub = part.filter(pl.col("bound") == bound)
                if sub.height:
                    ax.scatter(sub["announced_on"].to_list(), sub["value"].to_list(), marker=marker, s=40, color=colour,
                               edgecolors="white", linewidths=0.5, zorder=3)
            ax.scatter([], [], marker="o", color=colour, label=_authority_label(part.row(0, named=True)))
        for bound, label in (("at_least", "at least: no upper end (arrow: open above)"), ("at_most", "at most: no lower end (arrow: open below)")):
            if (data["bound"] == bound).any():
                ax.scatter([], [], marker=markers[bound], color="grey", label=label)
        _log_axis(ax.yaxis)
        ax.set_ylabel("Accounts closed, deleted, suspended or punished\n(one point per official figure, log scale)")
        ax.set_xlabel("Day the figure was public (earliest period end or publication among its reports)")
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, [_wrap(label, 30) for label in labels], loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)
        low, high = data.sort("value").row(0, named=True), data.sort("value").row(-1, named=True)
        years = f"{data['announced_on'].min().year}–{data['announced_on'].max().year}"
        title = f"Account actions announced {years} range from {human(low['value'])} to {human(high['value'])} accounts"
        source = (f"Source: censorstats; {data.height} official figures reconciled from {int(data['n_consensus'].sum())} agreeing "
                  f"reports; largest: {high.get('campaign_name') or high['claim_id']}.\nData version {version} "
                  "(a hash of the tables drawn: the same version, the same data).")
        _finish(fig, ax, title, source)
    fig.drawn = drawn_ids(data["claim_id"])
    return fig


# ---------------------------------------------------------------------------------------------
# 2. Scale against reach
# ---------------------------------------------------------------------------------------------


def scale_vs_reach_data(comparisons: pl.DataFrame, default_platform: str = "wechat") -> pl.DataFrame:
    """One row per claim: against its own platform, else against `default_platform` (the largest, so the smallest ratio)."""
    own = comparisons.filter(pl.col("platform_named_by_claim"))
    other = comparisons.filter(~pl.col("platform_named_by_claim") & (pl.col("platform_id") == default_platform))
    return pl.concat([own, other]).sort("per_million_at_values", "claim_id")


def scale_vs_reach(comparisons: pl.DataFrame, version: str):
    data = scale_vs_reach_data(comparisons)
    style = STYLE | {"figure.figsize": (10, max(5.5, 0.42 * data.height + 2.2)), "font.size": 9}
    with matplotlib.rc_context(style):
        fig, ax = _new_figure(style)
        # A bar starts at the low end, or at the value where the low end is 0 (no place on a log axis);
        # an interval open above is drawn to three times its start, with a ▶ marker.
        bar_from = pl.when(pl.col("per_million_low") > 0).then("per_million_low").otherwise("per_million_at_values")
        rows = data.with_row_index("y").with_columns(
            pl.when(pl.col("platform_named_by_claim")).then(pl.lit(OKABE_ITO[2])).otherwise(pl.lit(OKABE_ITO[0])).alias("colour"),
            bar_from.alias("bar_from"),
            pl.coalesce("per_million_high", bar_from * 3).alias("bar_to"),
        )
        ax.hlines(rows["y"].to_list(), rows["bar_from"].to_list(), rows["bar_to"].to_list(), colors=rows["colour"].to_list(),
                  linewidth=2.5, alpha=0.6)
        for open_above, marker in ((False, "o"), (True, ">")):
            points = rows.filter(pl.col("per_million_high").is_null() == open_above)
            if points.height:
                ax.scatter(points["per_million_at_values"].to_list(), points["y"].to_list(), c=points["colour"].to_list(),
                           marker=marker, s=25, zorder=3)
        labels = [f"{_short(r['claim_id'])}\nvs {latin(r['reach_platform'])} {human(r['reach_value'])} MAU, {r['reach_as_of']}"
                  for r in data.iter_rows(named=True)]
        ax.set_yticks(range(data.height), labels)
        _log_axis(ax.xaxis)
        ax.set_xlabel("Accounts actioned per million monthly active users (log scale)")
        ax.set_ylim(-0.8, data.height - 0.2)
        ax.scatter([], [], color=OKABE_ITO[2], label="claim about that platform")
        ax.scatter([], [], color=OKABE_ITO[0], label="claim naming no platform: against WeChat, the largest")
        ax.scatter([], [], color="grey", marker=">", label="bar: consensus ÷ reach; ▶ open above")
        ax.legend(loc="upper left", frameon=True, framealpha=0.9)
        median = data["per_million_at_values"].median()
        title = f"Half of the account actions touch fewer than {median:,.0f} accounts per million monthly users"
        source = (f"Source: censorstats; {data.height} claims, reach = latest company-reported MAU at most "
                  f"{int(comparisons['reach_tolerance_days'].max())} days before the claim; data {version}")
        _finish(fig, ax, title, source)
    fig.drawn = drawn_ids(data["claim_id"])
    return fig


# ---------------------------------------------------------------------------------------------
# 3. Platform reach over time
# ---------------------------------------------------------------------------------------------


def reach_over_time(reach: pl.DataFrame, claims: pl.DataFrame, version: str):
    series = reach_series(reach.lazy()).collect()
    spans = official(claims).filter((pl.col("unit") == "accounts") & pl.col("period_start").is_not_null() & pl.col("announced_on").is_not_null()
                          & (pl.col("period_start") < pl.col("announced_on"))).sort("period_start")
    with matplotlib.rc_context(STYLE):
        fig, ax = _new_figure(STYLE)
        for rec in spans.iter_rows(named=True):
            ax.axvspan(rec["period_start"], rec["announced_on"], color="#999999", alpha=0.12, linewidth=0)
        platforms = series.group_by("platform_id").agg(pl.col("value_low").max()).sort("value_low", descending=True)["platform_id"].to_list()
        for colour, platform in zip(OKABE_ITO * 2, platforms):
            part = series.filter(pl.col("platform_id") == platform).sort("as_of")
            name = part["platform"][0]
            ax.plot(part["as_of"].to_list(), (part["value_low"] / 1e6).to_list(), marker="o", markersize=3, color=colour,
                    linestyle="-" if platforms.index(platform) < len(OKABE_ITO) else "--", label=name)
        ax.fill([], [], color="#999999", alpha=0.25, label="a campaign's period (account figures)")
        _log_axis(ax.yaxis)
        ax.set_ylabel("Monthly active users, millions (log scale;\neach operator's own definition)")
        ax.set_xlabel("End of the period the figure counts")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        latest = series.sort("as_of").group_by("platform_id", maintain_order=True).last().sort("value_low", descending=True).row(0, named=True)
        title = f"{latest['platform']} reached {human(latest['value_low'])} monthly users by {latest['as_of']:%B %Y}"
        source = (f"Source: censorstats; {series.height} MAU figures (company reports and relays) for {len(platforms)} platforms; "
                  f"{spans.height} campaign periods shaded; data {version}")
        _finish(fig, ax, title, source)
    fig.drawn = drawn_ids(spans["claim_id"])  # the claims whose periods are marked
    return fig


# ---------------------------------------------------------------------------------------------
# 4. Discrepancies
# ---------------------------------------------------------------------------------------------


def discrepancies_data(claim_reports: pl.DataFrame, claims: pl.DataFrame, reports: pl.DataFrame, min_reports: int = 4) -> pl.DataFrame:
    """Each readable report's number over its claim's value, for claims with several reports or an outlier."""
    readable = claim_reports.filter(pl.col("role").is_in(["consensus", "outlier"]))
    shown = (readable.group_by("claim_id").agg(pl.len().alias("n"), (pl.col("role") == "outlier").any().alias("has_outlier"))
             .filter((pl.col("n") >= min_reports) | pl.col("has_outlier")))
    return (
        readable.join(shown.select("claim_id"), on="claim_id")
        .join(claims.select("claim_id", "value"), on="claim_id")
        .join(reports.select("report_id", "outlet"), on="report_id")
        .filter(pl.col("value") > 0)
        .with_columns((pl.col("printed_number") / pl.col("value")).alias("relative"))
        .sort("claim_id", "report_id")
    )


def discrepancies(claim_reports: pl.DataFrame, claims: pl.DataFrame, reports: pl.DataFrame, version: str):
    data = discrepancies_data(claim_reports, claims, reports)
    order = data.select("claim_id").unique().sort("claim_id")["claim_id"].to_list()
    style = STYLE | {"figure.figsize": (10, max(5.5, 0.3 * len(order) + 2.2)), "font.size": 9}
    with matplotlib.rc_context(style):
        fig, ax = _new_figure(style)
        ys = data.with_columns(pl.col("claim_id").replace_strict({c: i for i, c in enumerate(order)}, return_dtype=pl.Int64).alias("y"))
        consensus = ys.filter(pl.col("role") == "consensus")
        outliers = ys.filter(pl.col("role") == "outlier")
        ax.axvspan(0.9, 1.1, color="#999999", alpha=0.15, linewidth=0)
        ax.axvline(1, color="#999999", linewidth=1)
        ax.scatter(consensus["relative"].to_list(), consensus["y"].to_list(), s=18, color=CONSENSUS_COLOUR, alpha=0.6, label="agrees with the consensus")
        ax.scatter(outliers["relative"].to_list(), outliers["y"].to_list(), s=36, color=OUTLIER_COLOUR, marker="D", label="outside the consensus")
        for rec in outliers.iter_rows(named=True):
            ax.annotate(latin(rec["outlet"])[:28], (rec["relative"], rec["y"]), xytext=(5, 3), textcoords="offset points", fontsize=8, color=OUTLIER_COLOUR)
        ax.set_yticks(range(len(order)), [_short(c, 52) for c in order])
        _log_axis(ax.xaxis)
        ax.set_xlabel("Printed number ÷ the claim's value (log scale; 10 = ten times too large)")
        ax.legend(loc="lower right", frameon=False)
        tenfold = sum(powers_of_ten(r) != 0 for r in outliers["relative"].to_list())
        title = f"{tenfold} printed figures are off from their claim by a factor of ten or more"
        source = (f"Source: censorstats; {data.height} readable reports of {len(order)} claims with {4}+ reports or an outlier; "
                  f"data {version}")
        _finish(fig, ax, title, source)
    fig.drawn = drawn_ids(data["claim_id"], data["report_id"])
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
        png_written = writer.submit(imsave, png, pixels, format="png", dpi=fig.dpi, metadata={"Software": None},
                                    pil_kwargs={"compress_level": 3})
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        png_written.result()
