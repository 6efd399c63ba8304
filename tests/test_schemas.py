"""Each schema accepts a valid inline frame and rejects an invalid one for the right reason."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl
import pytest

from censorstats import schemas
from censorstats.codebook import codebook_markdown
from conftest import ROOT

VALID_RAW = {
    "sources": {"source_id": ["chinadaily-20190123"], "url": ["http://www.chinadaily.com.cn/a/201901/23/x.html"], "outlet": ["China Daily"],
                "published": ["2019-01"], "language": ["en"], "source_type": ["press"], "note": [None]},
    "authorities": {"authority_id": ["cac"], "name": ["Cyberspace Administration of China"], "name_zh": ["国家互联网信息办公室"]},
    "campaigns": {"campaign_id": ["2018-self-media-clean-up"], "authority_id": ["cac"], "name": ["2018 self-media clean-up"],
                  "start": ["2018-10-20"], "end": [None], "note": [None]},
    "platforms": {"platform_id": ["wechat"], "name": ["WeChat/Weixin"], "name_zh": ["微信"], "operator": ["Tencent"], "note": [None]},
    "metrics": {"metric_id": ["accounts_closed"], "unit": ["accounts"], "description": ["Accounts closed"]},
    "reports": {"report_id": ["r081"], "source_id": ["cnet-undated"], "campaign_id": ["2018-self-media-clean-up"], "metric": ["accounts_closed"],
                "platform_id": [None], "value_text": ["9,800"], "period_text": [None], "period_start": ["2018-10-20"], "period_end": ["2018-11-12"],
                "placement": ["body"], "note": [None]},
    "reach": {"reach_id": ["p023"], "source_id": ["bloombergquint-undated"], "platform_id": ["wechat"], "measure": ["mau"],
              "value_text": ["1.083 billion"], "as_of": ["2018-09-30"], "period_text": ["September quarter"], "note": [None]},
    "corrections": {"report_id": ["r078"], "action": ["override"], "value_text": ["2200余家"], "reason": ["缺 is a garble of 余"],
                    "decided_by": [None], "decided_on": ["2026-11-25"]},
}
# One bad cell per table, and how Pandera names the check that must catch it.
INVALID_RAW = {
    "sources": ("published", "2019-02-30", "is not a real date written YYYY-MM-DD, YYYY-MM or YYYY"),
    "authorities": ("authority_id", "CAC ", "str_matches"),
    "campaigns": ("start", "20/10/2018", "is not a real date written YYYY-MM-DD"),
    "platforms": ("platform_id", "We Chat", "str_matches"),
    "metrics": ("metric_id", "accounts-closed", "str_matches"),
    "reports": ("placement", "sidebar", "isin"),
    "reach": ("measure", "wau", "isin"),
    "corrections": ("action", "fix", "isin"),
}


def _frame(data: dict) -> pl.DataFrame:
    return pl.DataFrame(data, schema={k: pl.String for k in data})


@pytest.mark.parametrize("table", sorted(schemas.RAW_SCHEMAS))
def test_raw_schema_accepts_valid_frame(table):
    schemas.RAW_SCHEMAS[table].validate(_frame(VALID_RAW[table]), lazy=True)


@pytest.mark.parametrize("table", sorted(schemas.RAW_SCHEMAS))
def test_raw_schema_rejects_invalid_frame(table):
    column, value, check = INVALID_RAW[table]
    data = dict(VALID_RAW[table]) | {column: [value]}
    with pytest.raises(pa.errors.SchemaErrors) as err:
        schemas.RAW_SCHEMAS[table].validate(_frame(data), lazy=True)
    cases = err.value.failure_cases
    assert cases["column"].to_list() == [column]
    assert cases["check"][0].startswith(check)


@pytest.mark.parametrize("table", sorted(schemas.RAW_SCHEMAS))
def test_raw_schema_rejects_unknown_column_and_duplicate_id(table):
    model = schemas.RAW_SCHEMAS[table]
    data = VALID_RAW[table]
    with pytest.raises(pa.errors.SchemaErrors):
        model.validate(_frame(data | {"surprise": ["x"]}), lazy=True)
    doubled = {k: v * 2 for k, v in data.items()}
    with pytest.raises(pa.errors.SchemaErrors) as err:
        model.validate(_frame(doubled), lazy=True)
    assert "field_uniqueness" in err.value.failure_cases["check"].to_list()


def test_optional_columns_may_be_left_out_but_required_may_not():
    data = dict(VALID_RAW["reports"])
    for optional in ("platform_id", "period_text", "period_start", "period_end", "placement", "note"):
        data.pop(optional)
    schemas.RAW_SCHEMAS["reports"].validate(_frame(data), lazy=True)
    data.pop("value_text")
    with pytest.raises(pa.errors.SchemaErrors):
        schemas.RAW_SCHEMAS["reports"].validate(_frame(data), lazy=True)


def test_report_period_must_not_end_before_it_starts():
    data = VALID_RAW["reports"] | {"period_start": ["2018-11-13"], "period_end": ["2018-11-12"]}
    with pytest.raises(pa.errors.SchemaErrors) as err:
        schemas.RAW_SCHEMAS["reports"].validate(_frame(data), lazy=True)
    assert "period_start is after period_end" in err.value.failure_cases["check"].to_list()


def _reports_out(**changes) -> pl.DataFrame:
    row = {
        "value_text": "more than 9,800", "value_low": 9800, "value_high": None, "qualifier": "at_least", "parse_status": "ok", "parse_reason": None,
        "report_id": "r083", "source_id": "scroll-undated", "outlet": "Scroll.in", "url": "https://scroll.in/x", "published": None,
        "source_type": "press", "language": "en", "original_outlet": None, "original_type": None, "is_republication": False,
        "original_published": None, "campaign_id": "2018-self-media-clean-up", "authority_id": "cac", "metric": "accounts_closed", "unit": "accounts",
        "campaign_name": "2018 self-media clean-up", "authority_name": "Cyberspace Administration of China",
        "authority_name_zh": "国家互联网信息办公室", "metric_description": "Accounts closed, shut down or deleted",
        "platform_id": None, "period_text": "beginning in late October", "period_start": dt.date(2018, 10, 21), "period_end": None,
        "period_precision": "month", "period_status": "resolved", "period_reason": None, "placement": None, "claim_id": None, "note": None,
    } | changes
    schema = {c: (pl.Boolean if c == "is_republication" else pl.Int64 if c in ("value_low", "value_high") else pl.Date if c in ("period_start", "period_end") else pl.String) for c in row}
    return pl.DataFrame([row], schema=schema).select(list(schemas.PROCESSED_SCHEMAS["reports"].columns))


def test_processed_reports_schema():
    schemas.PROCESSED_SCHEMAS["reports"].validate(_reports_out(), lazy=True)
    for bad in ({"value_low": -1}, {"value_low": 0}, {"value_high": -9_223_372_036_754_771_616}, {"qualifier": "roughly"}, {"value_low": 10, "value_high": 5}, {"period_status": "guessed"}):
        with pytest.raises(pa.errors.SchemaErrors):
            schemas.PROCESSED_SCHEMAS["reports"].validate(_reports_out(**bad), lazy=True)


def test_every_column_is_described():
    for model in list(schemas.RAW_SCHEMAS.values()) + list(schemas.PROCESSED_SCHEMAS.values()):
        for name, col in model.columns.items():
            assert col.description, f"{model.name}.{name} has no description"


def test_codebook_is_generated_from_the_schemas():
    text = codebook_markdown()
    assert (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8") == text, "run `censorstats codebook`"
    for model in list(schemas.RAW_SCHEMAS.values()) + list(schemas.PROCESSED_SCHEMAS.values()):
        for name, col in model.columns.items():
            assert f"| `{name}` |" in text and col.description.replace("|", "\\|") in text
