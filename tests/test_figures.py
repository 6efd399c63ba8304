"""The report figures, checked by what they draw (artists and labels), not only by the files they write."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl
import pytest
from matplotlib.collections import LineCollection
from matplotlib.text import Annotation

from censorstats import build, figures


@pytest.fixture(scope="module")
def claims(tmp_path_factory):
    import shutil

    from censorstats.paths import Project
    from conftest import FIXTURE_RAW

    project = Project(tmp_path_factory.mktemp("figures"))
    shutil.copytree(FIXTURE_RAW, project.raw)
    build.build(project, ["reconcile"])
    return pl.read_parquet(project.processed / "claims.parquet")


def _drawn(fig):
    ax = fig.axes[0]
    bars = sum(len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection))
    arrows = [child for child in ax.get_children() if isinstance(child, Annotation) and child.arrow_patch is not None]
    return ax, bars, arrows


def test_campaign_scale_draws_open_ends_as_arrows_and_no_fake_end(claims):
    # Every shipped consensus is bounded (claims.py reads what the printed precision implies); a claim
    # can still be open where an analyst's override reads it so, so open one end of two claims here.
    first, second = figures.campaign_scale_data(claims)["claim_id"].head(2).to_list()
    claims = claims.with_columns(
        pl.when(pl.col("claim_id") == first).then(None).otherwise(pl.col("consensus_high")).alias("consensus_high"),
        pl.when(pl.col("claim_id") == second).then(0).otherwise(pl.col("consensus_low")).alias("consensus_low"),
    )
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


def test_a_figure_shows_itself_as_png_in_a_notebook(claims):
    png = figures.campaign_scale(claims, "test")._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 50_000


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
