"""data/processed/datapackage.json: a Frictionless Data Package the frictionless validator accepts."""

from __future__ import annotations

import json

from censorstats import schemas
from censorstats.fields import PROCESSED


def _errors(report) -> list[tuple[str, str, str | None]]:
    return [(task.name, error.type, getattr(error, "field_name", None)) for task in report.tasks for error in task.errors]


def test_the_built_tables_are_a_valid_data_package(built):
    import frictionless

    path = built.processed / "datapackage.json"
    report = frictionless.validate(str(path))
    assert report.valid, _errors(report)[:5]
    package = json.loads(path.read_text(encoding="utf-8"))
    described = {r["name"].replace("-", "_"): [f["name"] for f in r["schema"]["fields"]] for r in package["resources"]}
    assert described == {name: table.column_names for name, table in PROCESSED.items()}  # every column, in the CSV's order
    assert set(PROCESSED) == set(schemas.PROCESSED_SCHEMAS)


def test_the_validator_catches_a_cell_that_breaks_its_column(built):
    import frictionless

    claims = built.processed / "claims.csv"
    lines = claims.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("n_reports")] = "many"  # an integer column
    claims.write_text("\ufeff" + "\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    report = frictionless.validate(str(built.processed / "datapackage.json"))
    errors = _errors(report)
    assert ("claims", "type-error", "n_reports") in errors
    assert {e[1] for e in errors if e[0] == "claims"} >= {"type-error", "hash-count"}  # and the file is not the one described
