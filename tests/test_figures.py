"""The report figures, checked by what they draw (artists and labels), not only by the files they write."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_hex
from matplotlib.text import Annotation

from censorstats import figures


@pytest.fixture(scope="module")
def processed(frozen_tables):
    """The processed tables of the frozen fixture data (conftest.frozen_tables)."""
    return frozen_tables


@pytest.fixture(scope="module")
def claims(processed):
    return processed("claims")


def _open_two(df: pl.DataFrame, drawn: pl.DataFrame, low: str, high: str, zero) -> tuple[pl.DataFrame, str, str]:
    """The first claim a figure draws with no high end, the second with a low end of 0 (which a log axis cannot
    place): the changed table and the two claim ids."""
    first, second = drawn["claim_id"].head(2).to_list()
    opened = df.with_columns(
        pl.when(pl.col("claim_id") == first).then(None).otherwise(pl.col(high)).alias(high),
        pl.when(pl.col("claim_id") == second).then(zero).otherwise(pl.col(low)).alias(low),
    )
    return opened, first, second


def _drawn(fig):
    ax = fig.axes[0]
    bars = sum(len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection))
    arrows = [child for child in ax.get_children() if isinstance(child, Annotation) and child.arrow_patch is not None]
    return ax, bars, arrows


def test_campaign_scale_draws_open_ends_as_arrows_and_no_fake_end(claims):
    # Every shipped consensus is bounded (claims.py reads what the printed precision implies); a claim
    # can still be open where an analyst's override reads it so, so open one end of two claims here.
    claims, _, _ = _open_two(claims, figures.campaign_scale_data(claims), "consensus_low", "consensus_high", 0)
    data = figures.campaign_scale_data(claims)
    fig = figures.campaign_scale(claims, "test")
    ax, bars, arrows = _drawn(fig)
    bounded = data.filter(pl.col("bound") == "bounded").height
    assert bars == bounded  # a bar only where both ends are known
    assert len(arrows) == data.height - bounded > 0
    for arrow in arrows:  # each arrow starts at its claim's value and points the way the bound is open
        (_, start), (_, end) = arrow.xyann, arrow.xy
        assert start in set(data["value"].to_list()) and end != start
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(label.startswith("Cyberspace Administration") and "(CAC)" in label for label in labels)
    assert not any("/" in label or "…" in label for label in labels)  # names, not ids
    assert sorted(fig.drawn["claim_id"]) == sorted(data["claim_id"])


def test_only_official_claims_are_drawn_when_claims_say_which_they_are(claims):
    largest = figures.campaign_scale_data(claims).sort("value")["claim_id"][-1]
    kinds = claims.with_columns(pl.when(pl.col("claim_id") == largest).then(pl.lit("outlet_figure")).otherwise(pl.lit("official")).alias("claim_kind"))
    fig = figures.campaign_scale(kinds, "test")
    assert largest not in fig.drawn["claim_id"].to_list()
    assert fig.drawn.height == figures.campaign_scale_data(claims).height - 1
    assert "1.34 billion" not in fig._suptitle.get_text()  # the title's range follows what is drawn


def test_ratios_in_prose_are_what_the_csv_prints(processed):
    """The notebook states a ratio interval with per_million_interval: the same digits as the CSV."""
    from censorstats.write import csv_text

    comparisons = processed("scale_vs_reach").select("per_million_low", "per_million_high")
    printed = csv_text(comparisons).splitlines()[1:]
    for (low, high), line in zip(comparisons.iter_rows(), printed, strict=True):
        csv_ends = [float(x) if x else None for x in line.split(",")]
        words = figures.per_million_interval(low, high)
        word_ends = [None if "bound" in w else float(w.replace(",", "")) for w in words.split(" to ")]
        assert word_ends == csv_ends, (low, high, words, line)
    assert figures.per_million_interval(9.049861495844876, 9.140350877192983) == "9.049 to 9.141"
    assert figures.per_million_interval(1234567.0, None) == "1,234,000 to no upper bound"


def test_a_figure_shows_itself_as_png_in_a_notebook(claims):
    fig = figures.campaign_scale(claims, "test")
    png, metadata = fig._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 50_000
    assert metadata["alt"] == " ".join(fig.get_suptitle().split()) and "accounts" in metadata["alt"]  # the report's alt text


@pytest.mark.integration  # builds the whole project
def test_the_build_draws_figures_without_pyplot_or_a_display(tmp_path):
    import shutil

    from conftest import FIXTURE_RAW

    shutil.copytree(FIXTURE_RAW, tmp_path / "data" / "raw")
    code = ("import sys; from censorstats import build; from censorstats.paths import Project; "
            f"from pathlib import Path; build.build(Project(Path({str(tmp_path)!r}))); print('matplotlib.pyplot' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.split() == ["False"]
    assert (tmp_path / "reports" / "figures" / "campaign_scale.png").stat().st_size > 50_000


# --- helpers for the three figures below ------------------------------------------------------


def _ticks(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def _footnote(fig) -> str:
    return fig.texts[-1].get_text()


def _no_ids(texts: list[str], ids: set[str]) -> None:
    """Names, not ids: no id appears in any text, nothing is cut ('…') and no glyph became '?'."""
    for text in texts:
        assert not any(i in text for i in ids), text
        assert "…" not in text and "?" not in text, text


def _bars(ax):
    """The interval bars: two-point solid lines (ticks at the ends are drawn without a line)."""
    return [line for line in ax.get_lines() if len(line.get_xdata()) == 2 and line.get_linestyle() == "-"]


def _copies(df: pl.DataFrame, n: int, *columns: str) -> pl.DataFrame:
    """`df` n times over, with distinct values in `columns` (ids, and names where a figure groups by them)."""
    return pl.concat([df.with_columns(*(pl.col(c) + f" #{i}" for c in columns)) for i in range(n)])


# --- more authorities than colours ------------------------------------------------------------

# Authorities an analyst could add to data/raw/authorities.csv: with the fixture's four that have figures, ten in all,
# more than the palette's colours.
EXTRA_AUTHORITIES = {
    "miit": "Ministry of Industry and Information Technology",
    "samr": "State Administration for Market Regulation",
    "nrta": "National Radio and Television Administration",
    "mct": "Ministry of Culture and Tourism",
    "spp": "Supreme People's Procuratorate",
    "mss": "Ministry of State Security",
}


def _more_authorities(rows: pl.DataFrame, n: int, claim_ids: list[str], *id_columns: str) -> pl.DataFrame:
    """`rows` and, for the i-th of the first `n` EXTRA_AUTHORITIES, copies of the rows of the first i+1 of
    `claim_ids` as its own claims (new ids in `id_columns`, a month later each, so that the points do not hide each
    other): the extra authorities have 1 to n claims each."""
    copies = [
        rows.filter(pl.col("claim_id").is_in(claim_ids[: i + 1])).with_columns(
            *(pl.col(c) + f" {authority}" for c in id_columns),
            pl.col("announced_on") + pl.duration(days=30 * (i + 1)),
            pl.lit(authority).alias("authority_id"),
            pl.lit(name).alias("authority_name"),
        )
        for i, (authority, name) in enumerate(list(EXTRA_AUTHORITIES.items())[:n])
    ]
    return pl.concat([rows, *copies])


def _legend_colours(ax) -> dict[str, str]:
    """Each legend entry's text (unwrapped) and colour."""
    legend = ax.get_legend()
    colour = lambda h: h.get_facecolor()[0] if isinstance(h, PathCollection) else h.get_color()
    return {t.get_text().replace("\n", " "): to_hex(colour(h)) for t, h in zip(legend.get_texts(), legend.legend_handles)}


def _check_authority_key(fig, data: pl.DataFrame, drawn_colours: set[str]) -> None:
    """No two legend entries share a colour and every colour drawn is in the legend; each authority in `data` is
    named, in the legend or the footnote; the palette's colours go to the authorities with the most claims and
    one grey to the rest, under "Other authorities" where they are several."""
    entries = _legend_colours(fig.axes[0])
    assert len(set(entries.values())) == len(entries), entries
    assert drawn_colours <= set(entries.values())
    note = _footnote(fig).replace("\n", " ")
    others = [colour for label, colour in entries.items() if label.startswith("Other authorities")]
    colour_of = {}
    for authority, name in data.select("authority_id", "authority_name").unique().iter_rows():
        own = [colour for label, colour in entries.items() if name in label]
        assert own or (others and name in note), name  # named in the legend, or in the note under "Other"
        colour_of[authority] = (own or others)[0]
    palette = {a for a, c in colour_of.items() if c in {to_hex(c) for c in figures.OKABE_ITO}}
    assert len(palette) == len(figures.OKABE_ITO) < len(colour_of)
    assert len(set(colour_of.values()) - {to_hex(c) for c in figures.OKABE_ITO}) == 1  # the rest: one grey
    assert bool(others) == (len(colour_of) > len(figures.OKABE_ITO) + 1)  # one left over is named in the legend
    claims = data.group_by("authority_id").agg(pl.col("claim_id").n_unique())
    count = lambda ids: claims.filter(pl.col("authority_id").is_in(list(ids)))["claim_id"]
    assert count(set(colour_of) - palette).max() <= count(palette).min()


@pytest.mark.parametrize("extra", [5, 6])  # 9 authorities (one left in grey) and 10 (two: "Other authorities")
def test_campaign_scale_draws_every_authority_when_there_are_more_than_colours(claims, extra):
    grown = _more_authorities(claims, extra, figures.campaign_scale_data(claims)["claim_id"].gather_every(3).to_list(), "claim_id")
    data = figures.campaign_scale_data(grown)
    assert data["authority_id"].n_unique() == 4 + extra
    fig = figures.campaign_scale(grown, "test")
    ax, bars, _ = _drawn(fig)
    points = [c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_offsets())]
    assert sum(len(c.get_offsets()) for c in points) == data.height  # a point for every claim
    assert bars == data.filter(pl.col("bound") == "bounded").height
    assert sorted(fig.drawn["claim_id"]) == sorted(data["claim_id"])
    _check_authority_key(fig, data, {to_hex(c.get_facecolor()[0]) for c in points})


@pytest.mark.parametrize("extra", [5, 6])
def test_scale_vs_reach_draws_every_authority_when_there_are_more_than_colours(processed, extra):
    comparisons = processed("scale_vs_reach")
    top = figures.scale_vs_reach_data(comparisons)["claim_id"].to_list()
    grown = _more_authorities(comparisons, extra, top, "claim_id", "comparison_id")
    data = figures.scale_vs_reach_data(grown).filter(pl.col("shown"))
    assert data["authority_id"].n_unique() == 4 + extra
    fig = figures.scale_vs_reach(grown, "test")
    ax = fig.axes[0]
    assert len(_ticks(ax)) == data.height
    bars = _bars(ax)
    assert len(bars) == data.filter(pl.col("per_million_high").is_not_null() & (pl.col("per_million_low") > 0)).height
    assert sorted(fig.drawn["claim_id"]) == sorted(data["claim_id"].unique())
    _check_authority_key(fig, data, {to_hex(b.get_color()) for b in bars})


# --- scale_vs_reach ----------------------------------------------------------------------------


def test_scale_vs_reach_labels_are_names_and_open_ends_are_arrows_to_the_edge(processed):
    comparisons = processed("scale_vs_reach")
    # Every shipped consensus is bounded; open one end of two claims, as an analyst's override could.
    comparisons, first, second = _open_two(
        comparisons, figures.scale_vs_reach_data(comparisons), "per_million_low", "per_million_high", 0.0
    )
    data = figures.scale_vs_reach_data(comparisons)
    fig = figures.scale_vs_reach(comparisons, "test")
    ax, _, arrows = _drawn(fig)
    labels = _ticks(ax)
    assert len(labels) == data.height
    for label, rec in zip(labels, data.iter_rows(named=True)):
        assert rec["campaign_name"].split()[0] in label and rec["metric_description"].split()[0] in label
    _no_ids(labels + [fig._suptitle.get_text()], set(comparisons["claim_id"]) | set(comparisons["campaign_id"]))
    # a bar only where both ends are known, from exactly one end to the other
    bounded = data.filter(pl.col("per_million_high").is_not_null() & (pl.col("per_million_low") > 0))
    bars = _bars(ax)
    assert len(bars) == bounded.height
    assert {tuple(b.get_xdata()) for b in bars} <= set(zip(bounded["per_million_low"], bounded["per_million_high"]))
    # an open end is an arrow from the known end to the axis edge, never to a made-up value
    assert len(arrows) == 2
    heads = sorted(a.xy[0] for a in arrows)
    assert heads == [0.0, 1.0] and all(a.xycoords == ("axes fraction", "data") for a in arrows)
    known = {data.filter(pl.col("claim_id") == first)["per_million_low"][0], data.filter(pl.col("claim_id") == second)["per_million_high"][0]}
    assert {a.xyann[0] for a in arrows} == known
    assert any("open end" in t.get_text() for t in ax.get_legend().get_texts())
    assert sorted(fig.drawn["claim_id"].unique()) == sorted(data["claim_id"].unique())


def test_scale_vs_reach_says_what_it_joins_on_and_against_which_platform(processed):
    comparisons = processed("scale_vs_reach")
    fig = figures.scale_vs_reach(comparisons, "test")
    note, title = _footnote(fig).replace("\n", " "), fig._suptitle.get_text().replace("\n", " ")
    assert "announced_on" in note and "first public" in note
    data = figures.scale_vs_reach_data(comparisons)
    for platform, definition in data.select("reach_platform", "reach_definition").unique().iter_rows():
        assert f"{platform}: {definition}" in note  # each series' definition, named
    unnamed = data.filter(~pl.col("platform_named_by_claim"))
    assert f"names no platform is set against the platform with the most users then (here: {unnamed['reach_platform'][0]})" in note
    # that platform really is the largest one each such claim could be set against
    single = comparisons.filter(~pl.col("platform_named_by_claim") & (pl.col("platform_id") != "all"))
    most = single.group_by("claim_id").agg(pl.col("reach_value").max())
    assert unnamed.join(most, on="claim_id").filter(pl.col("reach_value") != pl.col("reach_value_right")).height == 0
    # the title states a range of the intervals' ends, not a statistic of point values
    assert "median" not in title.lower() and "half" not in title.lower()
    assert f"{data['per_million_low'].min():.2g}" in title
    for abbreviation, name in (("CAC", "Cyberspace Administration of China"), ("MPS", "Ministry of Public Security")):
        assert f"{abbreviation}: {name}" in note or f"{name} ({abbreviation})" in [t.get_text().replace("\n", " ") for t in fig.axes[0].get_legend().get_texts()]


def test_scale_vs_reach_stays_bounded_when_the_collection_grows(processed):
    comparisons = processed("scale_vs_reach")
    grown = _copies(comparisons, 100, "claim_id", "comparison_id")
    fig = figures.scale_vs_reach(grown, "test")
    assert len(_ticks(fig.axes[0])) == fig.drawn.height == figures.MAX_ROWS
    left_out = figures.scale_vs_reach_data(grown).filter(~pl.col("shown")).height
    assert left_out > 0 and f"Not shown: {left_out} rows with smaller ratios" in _footnote(fig).replace("\n", " ")


# --- reach_over_time ---------------------------------------------------------------------------


def test_reach_over_time_draws_no_line_across_a_gap_of_years_and_names_each_campaign(processed, claims):
    series = processed("reach_series")
    fig = figures.reach_over_time(series, claims, "test")
    top, bottom = fig.axes
    lines = [line for line in top.get_lines() if len(line.get_xdata()) > 1]
    for line in lines:
        days = [(b - a).days for a, b in zip(line.get_xdata(), line.get_xdata()[1:])]
        assert max(days) <= figures.GAP_DAYS
    # the fixture has gaps of more than 400 days (Weibo, WeChat): the lines are broken there, the points all drawn
    assert sum(len(line.get_xdata()) for line in top.get_lines()) == series.height
    gaps = series.sort("platform_id", "as_of").with_columns(pl.col("as_of").diff().over("platform_id").dt.total_days().alias("gap"))
    assert (gaps["gap"] > figures.GAP_DAYS).sum() > 0
    assert f"the {(gaps['gap'] > figures.GAP_DAYS).sum()} longer gaps are left open" in _footnote(fig).replace("\n", " ")
    names = [t.get_text() for t in top.get_legend().get_texts()]
    assert sorted(names) == sorted(set(series["platform"]))  # one legend entry per platform, by name
    periods = figures.campaign_periods(claims)
    texts = [child.get_text().replace("\n", " ") for child in bottom.texts]
    assert sorted(texts) == sorted(periods["campaign_name"])  # every marked period is named
    assert len(_bars(bottom)) == periods.height
    _no_ids(texts + names, set(claims["campaign_id"]))
    assert fig.drawn.height == 0  # it marks periods, but draws no claim's number: `trace` lists it for none


def test_reach_over_time_stays_bounded_when_the_collection_grows(processed, claims):
    grown = _copies(claims, 100, "claim_id", "campaign_id", "campaign_name")
    fig = figures.reach_over_time(processed("reach_series"), grown, "test")
    assert len(_bars(fig.axes[1])) == figures.MAX_CAMPAIGNS
    left_out = figures.campaign_periods(grown).height - figures.MAX_CAMPAIGNS
    assert f"Not shown: {left_out} earlier campaigns" in _footnote(fig).replace("\n", " ")


# --- discrepancies -----------------------------------------------------------------------------


def test_latin_keeps_the_latin_part_of_an_outlet_name_or_says_it_is_chinese():
    assert figures.latin("明報 Ming Pao") == "Ming Pao"
    assert figures.latin("Yahoo News HK (on.cc 東網)") == "Yahoo News HK (on.cc)"
    assert figures.latin("衡阳融媒", fallback="r001, Chinese-language outlet") == "r001, Chinese-language outlet"
    assert figures.latin("（中国）") == "Chinese-language name"


def test_discrepancies_labels_are_names_and_outlets_never_question_marks(processed, claims):
    claim_reports, reports = processed("claim_reports"), processed("reports")
    outlier = claim_reports.filter(pl.col("role") == "outlier")["report_id"][0]
    reports = reports.with_columns(pl.when(pl.col("report_id") == outlier).then(pl.lit("网信中国")).otherwise("outlet").alias("outlet"))
    fig = figures.discrepancies(claim_reports, claims, reports, "test")
    ax = fig.axes[0]
    labels = _ticks(ax)
    data = figures.discrepancies_data(claim_reports, claims, reports)
    assert len(labels) == data["claim_id"].n_unique()
    _no_ids(labels + [fig._suptitle.get_text()], set(claims["claim_id"]) | set(claims["campaign_id"]))
    assert all(any(name in label for name in claims["campaign_name"]) for label in labels)
    outlets = [t.get_text().replace("\n", " ") for t in ax.texts]
    assert any(f"{outlier}, Chinese-language outlet" in text for text in outlets)
    assert not any("?" in text for text in outlets)
    assert set(fig.drawn["report_id"]) == set(data["report_id"])


def test_discrepancies_counts_powers_of_ten_by_the_rounding_rule(processed, claims):
    """Four times the claim's value is a power of ten off by readings.powers_of_ten (log10 rounds to 1), not a factor of ten."""
    import re

    claim_reports, reports = processed("claim_reports"), processed("reports")
    count = lambda cr: int(re.search(r"(\d+) of them a power of ten", figures.discrepancies(cr, claims, reports, "t")._suptitle.get_text().replace("\n", " ")).group(1))
    before = count(claim_reports)
    target = claim_reports.join(claims.select("claim_id", "value"), on="claim_id").filter((pl.col("role") == "consensus") & (pl.col("value") > 100)).row(0, named=True)
    fourfold = claim_reports.with_columns(
        pl.when(pl.col("report_id") == target["report_id"]).then(pl.lit(target["value"] * 4)).otherwise("printed_number").alias("printed_number"),
        pl.when(pl.col("report_id") == target["report_id"]).then(pl.lit("outlier")).otherwise("role").alias("role"),
    )
    assert count(fourfold) == before + 1


def test_discrepancies_stays_bounded_when_the_collection_grows(processed, claims):
    claim_reports, reports = processed("claim_reports"), processed("reports")
    grown = (_copies(claim_reports, 100, "claim_id", "report_id"), _copies(claims, 100, "claim_id"), _copies(reports, 100, "report_id"))
    fig = figures.discrepancies(*grown, "test")
    assert len(_ticks(fig.axes[0])) == fig.drawn["claim_id"].n_unique() == figures.MAX_CLAIMS
    data = figures.discrepancies_data(*grown)
    shown_outliers = data.filter(pl.col("shown") & pl.col("has_outlier"))["claim_id"].n_unique()
    assert shown_outliers == figures.MAX_OUTLIER_CLAIMS  # the claims with an outlier come first
    left = data.filter(~pl.col("shown"))["claim_id"].n_unique()
    assert f"Not shown: {left} claims" in _footnote(fig).replace("\n", " ")


# --- rows and their labels (all figures) ----------------------------------------------------------


def _extents(fig, texts):
    """The rendered boxes (pixels) of `texts`, measured as the build draws: under the figure's style (text hinting
    changes text heights), at its size and after a full draw (the layout is final)."""
    import matplotlib

    with matplotlib.rc_context(fig.style):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        return [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]


def _assert_apart(fig, texts, min_gap_pt: float) -> None:
    """No two of `texts` overlap, and any two stacked one above the other (their horizontal extents overlap) have at
    least `min_gap_pt` points of space between them: each line of a label reads as part of its own row."""
    boxes = _extents(fig, texts)
    assert len(boxes) >= 2
    min_gap = min_gap_pt * fig.dpi / 72 - 0.01  # pixels; the rows are spaced in floats, the boxes are measured alike
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a.x1 <= b.x0 or b.x1 <= a.x0:
                continue  # side by side (reach_over_time names a campaign on whichever side of its bar has room)
            gap = max(a.y0 - b.y1, b.y0 - a.y1)
            assert gap >= min_gap, (gap, min_gap, a, b)


def _row_texts(fig, name: str):
    """The texts that label a figure's rows: claims' labels (y tick labels) and headings, or campaigns' names."""
    if name == "reach_over_time":
        return list(fig.axes[1].texts)
    ax = fig.axes[0]
    return list(ax.get_yticklabels()) + [t for t in ax.texts if t.get_gid() == "row-heading"]


def _min_row_gap_pt(texts) -> float:
    return figures.ROW_GAP * max(t.get_fontproperties().get_size_in_points() for t in texts)


def _make(name: str, processed, claims):
    """Draw figure `name` from the given tables (processed: name -> table; claims: the claims table)."""
    if name == "campaign_scale":
        return figures.campaign_scale(claims, "test")
    if name == "scale_vs_reach":
        return figures.scale_vs_reach(processed("scale_vs_reach"), "test")
    if name == "reach_over_time":
        return figures.reach_over_time(processed("reach_series"), claims, "test")
    return figures.discrepancies(processed("claim_reports"), claims, processed("reports"), "test")


ROW_FIGURES = ("scale_vs_reach", "discrepancies", "reach_over_time")


@pytest.mark.parametrize("name", ROW_FIGURES)
def test_row_labels_stand_apart_on_the_fixture(processed, claims, name):
    """The figures as built: no row's label touches the next one's, by at least ROW_GAP of the label's size."""
    fig = _make(name, processed, claims)
    texts = _row_texts(fig, name)
    _assert_apart(fig, texts, _min_row_gap_pt(texts))


def test_campaign_scale_tick_labels_and_legend_entries_stand_apart(claims):
    """The one figure without labelled rows: its axis labels and legend entries (two or three lines) do not touch."""
    fig = figures.campaign_scale(claims, "test")
    ax = fig.axes[0]
    inside = lambda t: ax.get_ylim()[0] <= t.get_position()[1] <= ax.get_ylim()[1]
    _assert_apart(fig, [t for t in ax.get_yticklabels() if inside(t)], 2)
    _assert_apart(fig, ax.get_legend().get_texts(), 2)


LONG = " (with the longer name an analyst could give a campaign, which wraps to a second line)"


def _lengthen(df: pl.DataFrame, every: int, column: str) -> pl.DataFrame:
    """LONG added to `column` in every `every`-th copy made by _copies (by the copy's number at the end of its
    claim_id), so that labels of different heights stand side by side among the rows a figure shows."""
    pick = pl.col("claim_id").str.extract(r"#(\d+)$").cast(pl.Int64) % every == 0
    return df.with_columns(pl.when(pick).then(pl.col(column) + LONG).otherwise(pl.col(column)).alias(column))


@pytest.mark.parametrize("name", ROW_FIGURES)
def test_row_labels_stand_apart_with_many_rows_of_different_heights(processed, claims, name):
    """The general case: as many rows as a figure draws, labels of one to five lines next to each other (long
    campaign names; in discrepancies, undated claims under their heading too), and still a gap between every two."""
    grown_claims = _lengthen(_copies(claims, 100, "claim_id", "campaign_id", "campaign_name"), 2, "campaign_name")
    tables = {
        "scale_vs_reach": _lengthen(_copies(processed("scale_vs_reach"), 100, "claim_id", "comparison_id"), 2, "campaign_name"),
        "claim_reports": _copies(processed("claim_reports"), 100, "claim_id", "report_id"),
        "reports": _copies(processed("reports"), 100, "report_id"),
        "reach_series": processed("reach_series"),
    }
    if name == "discrepancies":  # a third of the claims undated, the rest with some long names
        grown_claims = _lengthen(_copies(claims, 100, "claim_id"), 2, "campaign_name").with_columns(
            pl.when(pl.int_range(pl.len()) % 3 == 0).then(None).otherwise(pl.col("announced_on")).alias("announced_on")
        )
    fig = _make(name, tables.__getitem__, grown_claims)
    texts = _row_texts(fig, name)
    lines = {t.get_text().count("\n") + 1 for t in texts}
    assert max(lines) >= 3 and len(lines) >= 2, lines  # labels of different heights, the tallest of 3 lines or more
    assert min(lines) <= 2, lines
    assert len(texts) >= 20
    if name == "discrepancies":
        assert any(t.get_gid() == "row-heading" for t in texts)
    _assert_apart(fig, texts, _min_row_gap_pt(texts))


# --- discrepancies: the order of the rows -------------------------------------------------------


def _rows(fig) -> list[tuple[float, str]]:
    """(y, text) of each row label and heading of the discrepancies figure, from the top (y grows downwards)."""
    y = lambda t: t.xy[1] if isinstance(t, Annotation) else t.get_position()[1]  # an annotation's position is its offset
    return sorted((y(t), t.get_text()) for t in _row_texts(fig, "discrepancies"))


def _expected_order(claim_reports, claims, reports) -> tuple[list[str], list[str]]:
    """The labels of the dated claims shown, by announced_on then claim_id, and of the undated ones, by claim_id."""
    shown = figures.discrepancies_data(claim_reports, claims, reports).filter(pl.col("shown"))
    per_claim = shown.group_by("claim_id").first()
    label = lambda df: [figures._claim_label(r, figures.ROW_LABEL_WIDTH) for r in df.iter_rows(named=True)]
    dated = per_claim.filter(pl.col("announced_on").is_not_null()).sort("announced_on", "claim_id")
    undated = per_claim.filter(pl.col("announced_on").is_null()).sort("claim_id")
    return label(dated), label(undated)


def _check_order(fig, dated: list[str], undated: list[str]) -> None:
    texts = [text for _, text in _rows(fig)]
    note = _footnote(fig).replace("\n", " ")
    assert "Rows: by the day each claim was first public (announced_on), earliest at the top" in note
    if undated:
        assert texts == dated + [figures.UNDATED_HEADING] + undated
        assert "claims with no known day last, under their own heading" in note
    else:
        assert texts == dated
        assert "no known day" not in note


def test_discrepancies_rows_are_by_the_day_first_public_and_undated_claims_are_headed(processed, claims):
    """Rows by announced_on, earliest at the top; a claim with none (the fixture's 187,500 of the 2023 Qinglang
    campaign) last, under a heading that says why, never among the dated rows as if it were of a later year."""
    claim_reports, reports = processed("claim_reports"), processed("reports")
    dated, undated = _expected_order(claim_reports, claims, reports)
    assert any("187,500" in label for label in undated) and not any("187,500" in label for label in dated)
    _check_order(figures.discrepancies(claim_reports, claims, reports, "test"), dated, undated)
    # the earliest claim undated: it moves under the heading, and the rest keep their order
    first = figures.discrepancies_data(claim_reports, claims, reports)["claim_id"][0]
    moved = claims.with_columns(pl.when(pl.col("claim_id") == first).then(None).otherwise(pl.col("announced_on")).alias("announced_on"))
    dated2, undated2 = _expected_order(claim_reports, moved, reports)
    assert dated2 == dated[1:] and len(undated2) == len(undated) + 1
    _check_order(figures.discrepancies(claim_reports, moved, reports, "test"), dated2, undated2)
    # every claim dated: no heading and no rule
    all_dated = claims.with_columns(pl.col("announced_on").fill_null(pl.date(2025, 12, 31)))
    dated3, undated3 = _expected_order(claim_reports, all_dated, reports)
    assert not undated3
    fig = figures.discrepancies(claim_reports, all_dated, reports, "test")
    _check_order(fig, dated3, [])
    assert not [line for line in fig.axes[0].get_lines() if line.get_linestyle() == "--"]


def test_discrepancies_rows_stay_in_date_order_when_outlier_claims_are_chosen_first(processed, claims):
    """Past MAX_CLAIMS the claims with an outlier are chosen first, but drawn in the same order as any others."""
    grown = (_copies(processed("claim_reports"), 100, "claim_id", "report_id"), _copies(claims, 100, "claim_id"), _copies(processed("reports"), 100, "report_id"))
    dated, undated = _expected_order(*grown)
    assert len(dated) + len(undated) == figures.MAX_CLAIMS
    _check_order(figures.discrepancies(*grown, "test"), dated, undated)


@pytest.mark.parametrize("name", ("campaign_scale", *ROW_FIGURES))
def test_title_axes_and_footnote_do_not_touch(processed, claims, name):
    """The figure's height set from its rows leaves the title, the axes with all that hangs off them (tick and axis
    labels, legends) and the footnote apart: an axis label centred on a short axes must not reach the title."""
    from matplotlib.transforms import Bbox

    import matplotlib

    fig = _make(name, processed, claims)
    title, note = _extents(fig, [fig._suptitle])[0], _extents(fig, [fig.texts[-1]])[0]
    with matplotlib.rc_context(fig.style):
        renderer = fig.canvas.get_renderer()
        axes = Bbox.union([ax.get_tightbbox(renderer) for ax in fig.axes])
    gap = 6 * fig.dpi / 72  # points: _fit_axes pads by 1.08 font sizes (9 points or more)
    assert title.y0 - axes.y1 >= gap and axes.y0 - note.y1 >= gap, (title, axes, note)
