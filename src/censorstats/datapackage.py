"""data/processed/datapackage.json: the processed CSVs described as a Frictionless Data Package.

So that any Frictionless tool (or a person) can load and check the tables without censorstats:
each resource names its CSV, its size and SHA-256, and its schema — every column's type,
description and constraints (required, unique, allowed values, minimum) and the table's primary
key — generated from the field registry (fields.py) through the processed schemas (schemas.py), never
written by hand. The CSVs begin
with a UTF-8 byte-order mark (for Excel), hence the encoding utf-8-sig.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

FRICTIONLESS_TYPES = {"String": "string", "Int64": "integer", "Float64": "number", "Date": "date", "Boolean": "boolean"}


def _constraints(column) -> dict:
    """The checks a Frictionless validator can repeat: required, unique, allowed values, lower bounds."""
    out: dict = {}
    if not column.nullable:
        out["required"] = True
    if column.unique:
        out["unique"] = True
    for check in column.checks:
        stats = check.statistics or {}
        if "allowed_values" in stats:
            out["enum"] = sorted(stats["allowed_values"])
        elif check.name in ("greater_than_or_equal_to", "ge") and "min_value" in stats:
            out["minimum"] = stats["min_value"]
    return out


def table_schema(schema, key: str) -> dict:
    """A Frictionless Table Schema from a processed table's Pandera schema, in the column order of the CSV."""
    fields = []
    for name, column in schema.columns.items():
        field = {
            "name": name,
            "type": FRICTIONLESS_TYPES.get(str(column.dtype), "string"),
            "description": column.description or "",
        }
        constraints = _constraints(column)
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    fields.sort(key=lambda f: f["name"] != key)  # the key first, as the build writes it
    return {"fields": fields, "primaryKey": [key], "missingValues": [""]}


def descriptor(csvs: dict[str, Path], keys: dict[str, str]) -> dict:
    """The package descriptor for the processed tables' CSVs (table name -> path; table name -> primary key)."""
    from censorstats import schemas
    from censorstats.fields import PROCESSED

    resources = []
    for name, key in keys.items():
        csv = csvs[name]
        data = csv.read_bytes()
        resources.append(
            {
                "name": name.replace("_", "-"),
                "path": f"{name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "bytes": len(data),
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "description": PROCESSED[name].description,
                "schema": table_schema(schemas.PROCESSED_SCHEMAS[name], key),
            }
        )
    return {
        "name": "censorstats",
        "title": "censorstats: China's campaigns against online accounts, traceable tables",
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0",
            }
        ],
        "resources": resources,
    }


def write_descriptor(csvs: dict[str, Path], keys: dict[str, str], out: Path) -> None:
    out.write_text(json.dumps(descriptor(csvs, keys), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
