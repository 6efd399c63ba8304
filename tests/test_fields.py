"""The field registry states each thing once, and what is generated from it agrees with it."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT

from censorstats import fields

SRC = ROOT / "src" / "censorstats"
TABLES = [*fields.RAW.values(), *fields.PROCESSED.values()]


def _registry_sets() -> dict[frozenset[str], str]:
    """Every list of names the registry defines: allowed values, table names, each table's columns."""
    sets = {frozenset(v): k for k, v in vars(fields).items() if k.isupper() and isinstance(v, tuple) and len(v) > 1
            and all(isinstance(x, str) for x in v)}
    sets[frozenset(fields.RAW)] = "RAW table names"
    sets[frozenset(fields.PROCESSED)] = "PROCESSED table names"
    for t in TABLES:
        sets[frozenset(t.column_names)] = f"{t.layer} {t.name} columns"
    return sets


def restated_lists(source: str) -> list[str]:
    """Literal tuples, lists and sets of strings in `source` that repeat a whole list of the registry."""
    known = _registry_sets()
    found = []
    for node in ast.walk(ast.parse(source)):
        # a literal list, or the arguments of a call (`.select("report_id", "claim_id", ...)`)
        elements = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else \
            node.args if isinstance(node, ast.Call) else []
        if len(elements) > 1 and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in elements):
            values = frozenset(e.value for e in elements)  # type: ignore[attr-defined]
            if values in known:
                found.append(f"line {node.lineno}: {known[values]}")
    return found


def test_the_scan_finds_a_restated_list():
    assert restated_lists('TYPES = ["magnitude", "conflict", "loose_bound", "headline_body", "period", "qualifier_added", '
                          '"qualifier_dropped", "qualifier_changed"]\nx = ("ok", "other")') == ["line 1: DISCREPANCY_TYPES"]
    assert restated_lists('RAW = ("sources", "authorities", "campaigns", "platforms", "metrics", "reports", "reach", '
                          '"corrections")') == ["line 1: RAW table names"]
    columns = ", ".join(f'"{c}"' for c in fields.PROCESSED["claim_reports"].column_names)
    assert restated_lists(f"out = lf.select({columns})") == ["line 1: processed claim_reports columns"]


@pytest.mark.parametrize("path", sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py") if p.name != "fields.py"))
def test_no_module_restates_a_list_of_the_registry(path):
    assert restated_lists((SRC / path).read_text(encoding="utf-8")) == []


def _descriptions() -> list[str]:
    stated = [f.description for f in fields.FIELDS.values()]
    stated += [c.description for t in TABLES for c in t.columns if c.description]
    return stated


def test_every_description_is_stated_once():
    repeated = [d for d, n in Counter(_descriptions()).items() if n > 1]
    assert repeated == []


def test_every_field_is_used_and_every_column_is_a_field():
    used = {c.name for t in TABLES for c in t.columns}
    assert used == set(fields.FIELDS)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: f"{t.layer}:{t.name}")
def test_keys_name_columns_that_exist(table):
    names = table.column_names
    assert len(names) == len(set(names)), "a column listed twice"
    assert names[0] == table.primary_key, "the key comes first in every output"
    assert not table.col(table.primary_key).nullable
    layer = fields.RAW if table.layer == "raw" else fields.PROCESSED
    for column, target, target_column in table.foreign_keys:
        assert column in names and target in layer and target_column in layer[target].column_names
        assert layer[target].primary_key == target_column, "a foreign key refers to its target's primary key"


def test_optional_columns_are_raw_and_allowed_values_are_enums():
    assert all(not c.optional for t in fields.PROCESSED.values() for c in t.columns)
    for name, f in fields.FIELDS.items():
        if f.allowed:
            assert len(set(f.allowed)) == len(f.allowed), name
        assert f.dtype in ("string", "int64", "float64", "date", "bool"), name


def test_the_cli_takes_its_choices_from_the_registry(capsys):
    from censorstats.cli import main

    with pytest.raises(SystemExit) as exit:
        main(["discrepancies", "--type", "magnitud"])
    assert exit.value.code == 2
    assert "'" + "', '".join(fields.DISCREPANCY_TYPES) + "'" in capsys.readouterr().err


def test_the_registry_imports_nothing_heavy():
    import subprocess
    import sys

    code = "import sys, censorstats.fields, censorstats.cli; sys.exit(any(m in sys.modules for m in ('polars', 'pandera')))"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_foreign_key_check_names_table_column_and_first_bad_value(tmp_path: Path):
    import polars as pl

    from censorstats.keys import dangling_reference

    (tmp_path / "data/processed").mkdir(parents=True)
    pl.DataFrame({"claim_id": ["a/b", "c/d"]}).write_parquet(tmp_path / "data/processed/claims.parquet")
    pl.DataFrame({"report_id": ["r1", "r2", "r3"], "claim_id": ["a/b", "x/y", "z/z"]}).write_parquet(
        tmp_path / "data/processed/claim_reports.parquet")
    locate = lambda rel: tmp_path / rel  # noqa: E731
    assert dangling_reference(locate) == ("data/processed/claim_reports.parquet: column \"claim_id\": 'x/y' is not in "
                                          "claims.claim_id (and 1 more) [foreign_key]")
    pl.DataFrame({"report_id": ["r1"], "claim_id": ["c/d"]}).write_parquet(tmp_path / "data/processed/claim_reports.parquet")
    assert dangling_reference(locate) is None


def test_a_build_with_a_dangling_reference_publishes_nothing(built, monkeypatch):
    """The engine runs the check on the staged tables: a breach stops the build before publication."""
    import dataclasses

    from censorstats import build, keys
    from censorstats.problems import BuildError

    before = {p.name: p.read_bytes() for p in built.processed.iterdir() if p.is_file()}
    # discrepancies.report_ids holds several ids per cell, so as a foreign key it breaks on the first pair
    bad = fields.PROCESSED | {"discrepancies": dataclasses.replace(fields.PROCESSED["discrepancies"], foreign_keys=(
        ("report_ids", "reports", "report_id"),))}
    monkeypatch.setattr(keys, "PROCESSED", bad)
    with pytest.raises(BuildError) as err:
        build.build(built, force=True)
    message = str(err.value)
    assert message.startswith('data/processed/discrepancies.parquet: column "report_ids": ') and " is not in reports.report_id" in message
    assert message.endswith("; nothing was published [foreign_key]")
    assert {p.name: p.read_bytes() for p in built.processed.iterdir() if p.is_file()} == before
