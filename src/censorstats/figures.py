"""Report figures, drawn from processed tables by functions the notebooks call too.

One shared style (colour-blind-safe Okabe-Ito palette, legible sizes) and one way of saving, so
that the same data always gives byte-identical SVG and PNG files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
STYLE = {
    "figure.figsize": (9, 5.5),
    "figure.dpi": 100,
    "savefig.dpi": 150,
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
    "svg.fonttype": "path",
    "path.simplify": False,
}
ACCOUNT_METRICS = ("accounts_closed", "accounts_deleted", "accounts_punished", "accounts_suspended", "accounts_muted")
QUALIFIER_MARKERS = {"exact": "o", "approx": "o", "range": "s", "at_least": "^", "at_most": "v"}
AUTHORITY_LABELS = {"cac": "CAC", "mps": "MPS", "npcsc": "NPCSC", "napip": "NAPIP", "weibo-corp": "Weibo (platform)", "mps-and-cac": "MPS+CAC (combined by an outlet)"}


def _point_date() -> pl.Expr:
    """Where on the time axis a figure goes: its period's end, else its page's publication."""
    published = pl.col("published").str.slice(0, 10)
    padded = pl.when(published.str.len_chars() == 4).then(published + "-12-31").when(published.str.len_chars() == 7).then(published + "-28").otherwise(published)
    return pl.coalesce(pl.col("period_end"), padded.str.to_date("%Y-%m-%d", strict=False))


def campaign_scale_data(reports: pl.DataFrame) -> pl.DataFrame:
    """Readable account figures with a date: one point per printed figure."""
    return (
        reports.filter(pl.col("metric").is_in(ACCOUNT_METRICS) & (pl.col("parse_status") == "ok"))
        .with_columns(_point_date().alias("date"), pl.coalesce("value_low", "value_high").alias("value"))
        .filter(pl.col("date").is_not_null())
        .sort("date", "report_id")
    )


def campaign_scale(reports: pl.DataFrame):
    """Accounts actioned per printed figure over time, log scale, by authority and qualifier."""
    data = campaign_scale_data(reports)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        authorities = sorted(data["authority_id"].unique().to_list())
        for colour, authority in zip(OKABE_ITO, authorities):
            for qualifier, marker in QUALIFIER_MARKERS.items():
                part = data.filter((pl.col("authority_id") == authority) & (pl.col("qualifier") == qualifier))
                if part.height == 0:
                    continue
                ax.scatter(part["date"].to_list(), part["value"].to_list(), marker=marker, s=36, color=colour, alpha=0.8,
                           edgecolors="white", linewidths=0.5)
            ax.scatter([], [], marker="o", color=colour, label=AUTHORITY_LABELS.get(authority, authority))
        for qualifier, label in (("at_least", "'more than' (lower bound)"), ("at_most", "'nearly' (upper bound)")):
            ax.scatter([], [], marker=QUALIFIER_MARKERS[qualifier], color="grey", label=label)
        ax.set_yscale("log")
        ax.set_ylabel("Accounts closed, deleted or punished (log scale)")
        ax.set_xlabel("End of the period the figure covers (else the page's publication date)")
        largest = data.sort("value", descending=True).row(0, named=True) if data.height else None
        title = "Announced account crackdowns range from dozens to over a billion accounts"
        ax.set_title(title, loc="left")
        ax.legend(loc="upper left", frameon=False, ncols=2)
        n_outlets = data["outlet"].n_unique()
        fig.text(0.01, 0.01, f"Source: censorstats, {data.height} printed figures from {n_outlets} outlets"
                 + (f"; largest: {largest['value_text']!r} ({largest['outlet']})" if largest else ""), fontsize=8, color="#444444")
        fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def save(fig, svg: Path, png: Path) -> None:
    """Save without timestamps or random ids, so the same figure gives the same bytes."""
    with plt.rc_context(STYLE):
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        fig.savefig(png, format="png", metadata={"Software": None})
    plt.close(fig)
