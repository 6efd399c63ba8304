"""How often the claims stage gets a claim right, and how well its discrepancies find the reports that changed a figure.

Scores the reconciliation of the frozen dataset in tests/fixtures/raw against two hand-labelled files, made
from the notes of the verified facts the dataset was transcribed from:
- tests/data/claims_expected.csv: each claim's official value, its kind, and every printed wording of it
  that counts as right ("more than 9,800" or 9800多个 for the CAC's 2018 figure, never "9,800");
- tests/data/claims_evaluation.csv: each report labelled faithful, rounding, qualifier_change, misprint,
  conflict, period_error, outlet_figure, sub_tally, unread or corrected, and whether a careful reader
  would flag it.

Usage: python benchmarks/evaluate_claims.py        (prints the scores and every miss)
The test suite (tests/test_claims_evaluation.py) asserts the same scores do not fall.
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@dataclass
class Scores:
    claims: int = 0
    claims_right: int = 0
    flagged: int = 0
    should_flag: int = 0
    true_flags: int = 0
    wrong_claims: list[str] = field(default_factory=list)
    false_flags: list[str] = field(default_factory=list)
    missed_flags: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_flags / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_flags / self.should_flag if self.should_flag else 1.0


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def reconciled(raw: Path = ROOT / "tests" / "fixtures" / "raw") -> tuple[pl.DataFrame, pl.DataFrame]:
    """(claims, discrepancies) built from a copy of `raw` in a scratch project."""
    from censorstats import build
    from censorstats.paths import Project

    with tempfile.TemporaryDirectory() as scratch:
        project = Project(Path(scratch))
        shutil.copytree(raw, project.raw)
        build.build(project, ["reconcile"])
        return (pl.read_parquet(project.processed / "claims.parquet"), pl.read_parquet(project.processed / "discrepancies.parquet"))


def score(claims: pl.DataFrame, found: pl.DataFrame) -> Scores:
    s = Scores()
    actual = {c["claim_id"]: c for c in claims.iter_rows(named=True)}
    for want in _read(DATA / "claims_expected.csv"):
        s.claims += 1
        got = actual.get(want["claim_id"])
        value = int(want["value"]) if want["value"] else None
        wordings = set(want["wordings"].split("|")) if want["wordings"] else {None}
        if got and got["value"] == value and got["value_text"] in wordings and got["claim_kind"] == want["claim_kind"]:
            s.claims_right += 1
        else:
            shown = f'{got["value_text"]!r} ({got["claim_kind"]})' if got else "missing"
            s.wrong_claims.append(f'{want["claim_id"]}: {shown}, expected one of {sorted(w for w in wordings if w)} ({want["claim_kind"]})')
    flagged = {ids.split()[0]: kind for ids, kind in zip(found["report_ids"], found["type"])}
    for label in _read(DATA / "claims_evaluation.csv"):
        should, did = label["should_be_flagged"] == "yes", label["report_id"] in flagged
        s.should_flag += should
        s.flagged += did
        s.true_flags += should and did
        if did and not should:
            s.false_flags.append(f'{label["report_id"]} flagged {flagged[label["report_id"]]} but is {label["label"]}: {label["why"]}')
        if should and not did:
            s.missed_flags.append(f'{label["report_id"]} ({label["label"]}) not flagged: {label["why"]}')
    return s


def main() -> int:
    s = score(*reconciled())
    print(f"claims with the right value, wording and kind: {s.claims_right} of {s.claims}")
    print(f"discrepancy precision: {s.precision:.3f} ({s.true_flags} of {s.flagged} flagged reports should be)")
    print(f"discrepancy recall:    {s.recall:.3f} ({s.true_flags} of {s.should_flag} reports that should be flagged are)")
    for title, lines in (("wrong claims", s.wrong_claims), ("flagged but faithful", s.false_flags), ("missed", s.missed_flags)):
        if lines:
            print(f"\n{title}:")
            print("\n".join(f"  {line}" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
