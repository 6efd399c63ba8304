"""Period phrases resolved against the publication date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from conftest import BATCHES, batches
from hypothesis import given
from hypothesis import strategies as st

from censorstats.parse.periods import resolve_periods

D = dt.date
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _in_memory_engine():
    """As the build does: these small frames run several times faster on polars' in-memory engine."""
    with pl.Config(engine_affinity="in-memory"):
        yield


def _resolve(text, published, campaign_start=None, campaign_end=None) -> dict:
    df = pl.DataFrame({"t": [text], "p": [published], "cs": [campaign_start], "ce": [campaign_end]},
                      schema={"t": pl.String, "p": pl.String, "cs": pl.String, "ce": pl.String})
    return resolve_periods(df, "t", "p", "cs", "ce").collect().row(0, named=True)


@pytest.mark.parametrize(
    "text, published, start, end, precision",
    [
        ("since the start of the year", "2018-12-09", D(2018, 1, 1), D(2018, 12, 9), "day"),
        ("今年以來", "2018-12-09", D(2018, 1, 1), D(2018, 12, 9), "day"),
        ("since October 20", "2018-11-12", D(2018, 10, 20), D(2018, 11, 12), "day"),
        ("since October", "2019-01-10", D(2018, 10, 1), D(2019, 1, 10), "month"),
        ("since late October", "2018-11-12", D(2018, 10, 21), D(2018, 11, 12), "month"),
        ("10月下旬以来", "2018-11-12", D(2018, 10, 21), D(2018, 11, 12), "month"),
        ("in the second quarter", "2017-07-23", D(2017, 4, 1), D(2017, 6, 30), "quarter"),
        ("一季度", "2020-05-09", D(2020, 1, 1), D(2020, 3, 31), "quarter"),
        ("from April to June", "2017-07-23", D(2017, 4, 1), D(2017, 6, 30), "month"),
        ("between 10 March and 22 May", "2023-05-28", D(2023, 3, 10), D(2023, 5, 22), "day"),
        ("over the past three years", "2018-11-12", D(2015, 11, 12), D(2018, 11, 12), "year"),
        ("in the past three weeks", "2018-11-13", D(2018, 10, 23), D(2018, 11, 13), "day"),
        ("last year", "2025-02-26", D(2024, 1, 1), D(2024, 12, 31), "year"),
        ("2023年", "2024-02-01", D(2023, 1, 1), D(2023, 12, 31), "year"),
        ("2024年", "2024-11-24", D(2024, 1, 1), D(2024, 11, 24), "year"),
        ("since 2015", "2017-12-24", D(2015, 1, 1), D(2017, 12, 24), "day"),
        ("as of Jan. 21", "2019-01-23", None, D(2019, 1, 21), "day"),
        ("since the start of the year", "2018-12", D(2018, 1, 1), D(2018, 12, 31), "month"),
        ("October 20-November 12", "2018-12-01", D(2018, 10, 20), D(2018, 11, 12), "day"),
        ("Oct. 20 – Nov. 12", "2018-12-01", D(2018, 10, 20), D(2018, 11, 12), "day"),
        ("10月20日至11月12日", "2018-12-01", D(2018, 10, 20), D(2018, 11, 12), "day"),
        ("10月20日—11月12日", "2019-03-01", D(2018, 10, 20), D(2018, 11, 12), "day"),
        ("2018年10月20日至11月12日", "2020-01-01", D(2018, 10, 20), D(2018, 11, 12), "day"),
        ("from October 20 to November 12, 2018", "2019-06-01", D(2018, 10, 20), D(2018, 11, 12), "day"),
        ("March 10-22", "2023-05-01", D(2023, 3, 10), D(2023, 3, 22), "day"),
        ("10月20日至25日", "2018-11-01", D(2018, 10, 20), D(2018, 10, 25), "day"),
        # a span across the new year, with the year printed at either end or not at all
        ("December 20 to January 10", "2019-02-01", D(2018, 12, 20), D(2019, 1, 10), "day"),
        ("from December 20 to January 10, 2019", "2019-02-01", D(2018, 12, 20), D(2019, 1, 10), "day"),
        ("2018年12月20日至1月10日", "2019-02-01", D(2018, 12, 20), D(2019, 1, 10), "day"),
        ("November 2018 to January 2019", "2019-06-01", D(2018, 11, 1), D(2019, 1, 31), "month"),
        ("2018年10月至12月", "2019-06-01", D(2018, 10, 1), D(2018, 12, 31), "month"),
        ("since October 20, 2018", "2019-05-01", D(2018, 10, 20), D(2019, 5, 1), "day"),
        ("自2018年10月20日以来", "2019-05-01", D(2018, 10, 20), D(2019, 5, 1), "day"),
        # on an undated page a printed year still gives the start; the end is not known
        ("since October 20, 2018", None, D(2018, 10, 20), None, "day"),
        ("since the start of a crackdown campaign in December 2023", None, D(2023, 12, 1), None, "month"),
        ("截至目前", "2023-07-05", None, D(2023, 7, 5), "day"),
        ("So far", "2023-12-22", None, D(2023, 12, 22), "day"),
        ("to date", "2023-12", None, D(2023, 12, 31), "month"),
        ("as of May 22, 2023", "2023-12-22", None, D(2023, 5, 22), "day"),
        ("as of 22 May", "2023-12-22", None, D(2023, 5, 22), "day"),
        ("截至2023年5月22日", "2023-12-22", None, D(2023, 5, 22), "day"),
        ("this month", "2019-01-23", D(2019, 1, 1), D(2019, 1, 23), "day"),
        ("本月以来", "2019-01-23", D(2019, 1, 1), D(2019, 1, 23), "day"),
        # 2018-11-13 was a Tuesday
        ("on Monday", "2018-11-13", D(2018, 11, 12), D(2018, 11, 12), "day"),
        ("Monday", "2018-11-12", D(2018, 11, 12), D(2018, 11, 12), "day"),
        ("周日", "2018-11-13", D(2018, 11, 11), D(2018, 11, 11), "day"),
        ("星期三", "2018-11-13", D(2018, 11, 7), D(2018, 11, 7), "day"),
        ("14日下午", "2018-11-10", D(2018, 10, 14), D(2018, 10, 14), "day"),
        ("全年", "2024-01-31", D(2023, 1, 1), D(2023, 12, 31), "year"),
        ("In the whole year", "2022-03", D(2021, 1, 1), D(2021, 12, 31), "year"),
        ("近3年来", "2020-05-01", D(2017, 5, 1), D(2020, 5, 1), "year"),
        ("三年以来", "2020-05-01", D(2017, 5, 1), D(2020, 5, 1), "year"),
    ],
)
def test_resolved(text, published, start, end, precision):
    r = _resolve(text, published)
    assert (r["period_start"], r["period_end"], r["period_precision"], r["period_status"]) == (start, end, precision, "resolved")


@pytest.mark.parametrize(
    "text, published, reason",
    [
        ("since the start of the year", None, "publication date is unknown"),
        ("during the campaign", "2020-09-04", "campaign dates not known"),
        ("全年", "2024-07-31", "which year is not clear"),
        ("a lo largo de 2024", "2025-09-10", "not understood"),
        ("during the same period", "2017-12-24", "named elsewhere"),
        ("同期", "2017-12-24", "named elsewhere"),
        ("six months", "2020-02-29", "no start or end"),
        ("20天", "2019-08-05", "no start or end"),
        ("累计", "2024-01-01", "running total"),
        ("近期", "2018-11-16", "'recently'"),
        ("В 2024 году", "2025-01-01", "script the reader does not read"),
        ("दुसऱ्या तिमाहीत", "2017-07-23", "script the reader does not read"),
        ("on Monday", "2018-11", "needs the day the page was published"),
        ("14日下午", None, "publication date is unknown"),
        ("全年", "2024", "which year is not clear"),
        ("since the campaign started", None, "campaign dates not known"),
        ("2018年11月12日至2018年10月20日", "2019-01-01", "end before it starts"),
        ("from April to July this year", None, "publication date is unknown"),
        ("as of February 30", "2020-05-01", "does not exist"),
        # "19年以来" may be "since 2019"; a count of years in digits needs 近 or 过去
        ("19年以来", "2020-05-01", "not understood"),
        # not "since October": the words around "since" name another span
        ("in the six months since the launch in October", "2019-03-15", "not understood"),
        ("since the end of October", "2019-03-15", "not understood"),
        ("since February 30", "2020-05-01", "does not exist"),
        ("in 2026", "2025-05-01", "after the page was published"),
    ],
)
def test_unresolved_phrases_are_reported_not_guessed(text, published, reason):
    r = _resolve(text, published)
    assert r["period_status"] == "unresolved" and r["period_start"] is None and r["period_end"] is None
    assert reason in r["period_reason"]


@pytest.mark.parametrize(
    "text, published, campaign_start, campaign_end, start, end, precision",
    [
        ("during the campaign", "2020-09-04", "2020-06-01", "2020-08-31", D(2020, 6, 1), D(2020, 8, 31), "day"),
        ("行动期间", "2023-07-25", "2023-04-15", "2023-07-23", D(2023, 4, 15), D(2023, 7, 23), "day"),
        ("during this action", None, "2016-05", "2016-11", D(2016, 5, 1), D(2016, 11, 30), "month"),
        ("during a 100-day campaign", "2023-07-21", "2023-04-15", "2023-07-23", D(2023, 4, 15), D(2023, 7, 21), "day"),
        ("since the campaign started", "2024-04-30", "2023-12-01", None, D(2023, 12, 1), D(2024, 4, 30), "day"),
        ("专项整治以来", "2021-09-09", "2021-05", None, D(2021, 5, 1), D(2021, 9, 9), "month"),
        ("in the six months since the launch", None, "2018-07-01", None, D(2018, 7, 1), D(2018, 12, 31), "month"),
    ],
)
def test_campaign_phrases_take_the_campaign_dates(text, published, campaign_start, campaign_end, start, end, precision):
    """A campaign still running at publication is counted up to the page's date (the 100-day case)."""
    r = _resolve(text, published, campaign_start, campaign_end)
    assert (r["period_start"], r["period_end"], r["period_precision"], r["period_status"]) == (start, end, precision, "resolved")


def test_campaign_dates_as_date_columns_or_absent():
    df = pl.DataFrame({"t": ["行动期间", "during the campaign"], "p": ["2023-07-25", "2020-09-04"],
                       "cs": [D(2023, 4, 15), None], "ce": [D(2023, 7, 23), D(2020, 8, 31)]})
    out = resolve_periods(df, "t", "p", "cs", "ce").collect()
    assert out["period_start"].to_list() == [D(2023, 4, 15), None]
    assert out["period_reason"].to_list() == [None, "campaign dates not known"]
    absent = resolve_periods(df.drop("cs", "ce"), "t", "p", "cs", "ce").collect()
    assert absent["period_reason"].to_list() == ["campaign dates not known"] * 2
    assert resolve_periods(df, "t", "p").collect()["period_status"].to_list() == ["unresolved"] * 2


def _day_or_none(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def test_hand_checked_sample_of_shipped_phrases():
    """40 phrases as the shipped reports print them, each dated by hand (tests/data/period_sample.csv)."""
    sample = pl.read_csv(ROOT / "tests" / "data" / "period_sample.csv", infer_schema=False)
    assert sample.height == 40 and sample.select("period_text", "published").n_unique() == 40
    shipped = pl.read_csv(ROOT / "data" / "raw" / "reports.csv", infer_schema=False).select("report_id", "period_text")
    assert sample.join(shipped, on=["report_id", "period_text"], how="anti").height == 0, "a sample phrase is not in reports.csv"
    got = resolve_periods(sample, "period_text", "published").collect()
    for want, have in zip(sample.iter_rows(named=True), got.iter_rows(named=True)):
        expected = (_day_or_none(want["start"]), _day_or_none(want["end"]), want["precision"], "resolved")
        assert (have["period_start"], have["period_end"], have["period_precision"], have["period_status"]) == expected, want["report_id"]


PHRASE_PARTS = ["since", "from", "to", "-", "–", "and", "as of", "October", "Oct.", "February", "20", "29", "31", "3", "2018",
                "2024", "年", "月", "日", "至", "截至", "目前", "以来", "so far", "this month", "this year", "Monday", "周一", "全年",
                "the whole year", "during the campaign", "行动期间", "since the campaign started", "in the six months since the launch",
                "past", "three", "weeks", "late", "quarter", "second", "Q1", "一季度", "下午", ",", "12", "1"]


@st.composite
def phrase_like(draw) -> str:
    return draw(st.sampled_from(["", " "])).join(draw(st.lists(st.sampled_from(PHRASE_PARTS), min_size=1, max_size=6)))


@st.composite
def printed_date(draw) -> str | None:
    day = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)))
    return draw(st.sampled_from([None, day.isoformat(), day.isoformat()[:7], day.isoformat()[:4], "2019-02-30", "soon"]))


def _last_day(published: str | None) -> dt.date | None:
    """The last day a publication date can stand for, computed here without polars."""
    try:
        if published and len(published) == 4:
            return dt.date(int(published), 12, 31)
        if published and len(published) == 7:
            y, m = int(published[:4]), int(published[5:])
            return dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date.fromisoformat(published) if published else None
    except ValueError:
        return None


@BATCHES
@given(batches(st.tuples(st.one_of(phrase_like(), st.text(max_size=30)), printed_date(), printed_date(), printed_date())))
def test_no_text_makes_a_period_that_ends_before_it_starts_or_after_its_page(rows):
    """Whatever the text and dates: no exception; a resolved period never ends before it starts, and
    never starts or ends after the page's publication; anything else is unresolved with a reason."""
    df = pl.DataFrame(rows, schema={"t": pl.String, "p": pl.String, "cs": pl.String, "ce": pl.String}, orient="row")
    out = resolve_periods(df, "t", "p", "cs", "ce").collect()
    assert out.height == len(rows)
    for (text, published, _, _), r in zip(rows, out.iter_rows(named=True)):
        start, end, last = r["period_start"], r["period_end"], _last_day(published)
        if r["period_status"] == "resolved":
            assert start is not None or end is not None
            assert start is None or end is None or start <= end, (text, published, r)
            assert last is None or ((start is None or start <= last) and (end is None or end <= last)), (text, published, r)
            assert r["period_precision"] in {"day", "month", "quarter", "year"} and r["period_reason"] is None
        else:
            assert start is None and end is None and r["period_precision"] is None
            assert (r["period_status"] == "none") == (r["period_reason"] is None), (text, r)


def test_cli_prints_start_end_precision_and_status(capsys):
    from censorstats.cli import main

    assert main(["parse", "--period", "October 20-November 12", "so far", "during the campaign", "--published", "2018-11-13"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "October 20-November 12\t[2018-10-20, 2018-11-12]\tday\tresolved",
        "so far\t[, 2018-11-13]\tday\tresolved",
        "during the campaign\tunresolved: campaign dates not known",
    ]


def test_cli_reads_phrases_from_stdin_as_json(capsys, monkeypatch):
    import io
    import json

    from censorstats.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("行动期间\n截至目前\n近期\n"))
    assert main(["parse", "--period", "--json", "--published", "2023-07-25",
                 "--campaign-start", "2023-04-15", "--campaign-end", "2023-07-23"]) == 0
    got = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert got == [
        {"text": "行动期间", "published": "2023-07-25", "start": "2023-04-15", "end": "2023-07-23", "precision": "day",
         "status": "resolved", "reason": None},
        {"text": "截至目前", "published": "2023-07-25", "start": None, "end": "2023-07-25", "precision": "day",
         "status": "resolved", "reason": None},
        {"text": "近期", "published": "2023-07-25", "start": None, "end": None, "precision": None,
         "status": "unresolved", "reason": "'recently' names no dates"},
    ]


def test_cli_without_a_publication_date_leaves_relative_phrases_unresolved(capsys):
    from censorstats.cli import main

    assert main(["parse", "--period", "since April 6", "in 2021"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "since April 6\tunresolved: relative phrase, but the page's publication date is unknown",
        "in 2021\t[2021-01-01, 2021-12-31]\tyear\tresolved",
    ]


@pytest.mark.parametrize("published", ["2019-02-30", "23 May 2019", "2019-5-1"])
def test_cli_refuses_a_publication_date_it_cannot_read(published, capsys):
    from censorstats.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["parse", "--period", "so far", "--published", published])
    assert exc.value.code == 2 and "--published" in capsys.readouterr().err
