"""The build on a scratch copy: outputs, no-op rebuilds, staleness by content, determinism, safe CSV."""

from __future__ import annotations

import os
import shutil

import polars as pl
import pytest

from censorstats import build, pipeline
from censorstats.cli import main
from conftest import set_cell

OUTPUT_DIRS = ("data/processed", "reports/figures")


def _snapshot(project) -> dict[str, bytes]:
    out = {}
    for d in OUTPUT_DIRS:
        for path in sorted((project.root / d).glob("*")):
            out[f"{d}/{path.name}"] = path.read_bytes()
    return out


def test_build_writes_tables_and_figure(built):
    reports = pl.read_parquet(built.processed / "reports.parquet")
    assert reports.height == 373 and reports["report_id"].is_sorted()
    row = reports.filter(pl.col("report_id") == "s001").row(0, named=True)
    assert (row["value_text"], row["value_low"], row["value_high"], row["qualifier"]) == ("over 11.000", 11000, None, "at_least")
    assert row["outlet"].startswith("The 21st Century") and row["url"].startswith("https://www.21cir.com/")
    reach = pl.read_parquet(built.processed / "reach.parquet")
    assert reach.height == pl.read_csv(built.raw_file("reach"), infer_schema=False).height
    assert reach.filter(pl.col("reach_id") == "p153")["is_estimate"].to_list() == [True]
    assert pl.read_csv(built.processed / "reports.csv", infer_schema=False).height == 373
    assert (built.figures / "campaign_scale.svg").stat().st_size > 10_000
    assert (built.figures / "campaign_scale.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_second_build_and_touch_rebuild_nothing(built):
    assert build.build(built).rebuilt == []
    for path in built.raw.glob("*.csv"):
        os.utime(path, (1, 1))
    assert build.build(built).rebuilt == []
    assert all(not v.stale for v in build.status(built))


def test_changing_reach_rebuilds_only_what_depends_on_it(built, monkeypatch, capsys):
    set_cell(built.raw_file("reach"), "p023", "value_text", "1.084 billion")
    monkeypatch.setenv("CENSORSTATS_ROOT", str(built.root))
    assert main(["status", "--why"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "data/processed/reach.parquet: stale" in lines and "data/processed/reports.parquet: up to date" in lines
    assert "  data/processed/reach.parquet: input data/raw/reach.csv changed (sha256 " in out
    assert "data/processed/claims.parquet: up to date" in lines and "data/processed/scale_vs_reach.parquet: stale" in lines
    assert "reports/figures/discrepancies.png: up to date" in lines
    # every file by its path in the project, so a raw table and the processed table of the same name differ
    listed = [line.split(": ", 1)[0] for line in lines if not line.startswith(" ")]
    assert listed == ["data/raw/reach.csv"] + [o for step in pipeline.STEPS for o in step.outputs]
    assert build.build(built).rebuilt == ["reach", "compare", "fig_scale_vs_reach", "fig_reach_over_time", "datapackage"]


def test_a_manifest_without_library_versions_is_said_so(built, monkeypatch, capsys):
    import json

    manifest = json.loads((built.root / build.MANIFEST).read_text())
    del manifest["steps"]["sources"]["versions"]
    (built.root / build.MANIFEST).write_text(json.dumps(manifest))
    monkeypatch.setenv("CENSORSTATS_ROOT", str(built.root))
    assert main(["status", "--why"]) == 0
    out = capsys.readouterr().out
    assert "library versions changed (not recorded → {" in out and "None" not in out


def test_status_of_a_project_never_built_says_so_instead_of_calling_every_file_changed(project, monkeypatch, capsys):
    """A fresh clone, or a project after `make clean`: there is no record to compare with, so nothing "changed"."""
    assert not project.build_state.exists()
    monkeypatch.setenv("CENSORSTATS_ROOT", str(project.root))
    assert main(["status", "--why"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "never built here (no record in data/.build/): run `censorstats build`"
    assert "changed since the last validation" not in out and "  data/processed/reports.parquet: never built" in out


def test_make_clean_removes_everything_the_build_wrote_and_nothing_else(built, monkeypatch, capsys):
    import subprocess

    from conftest import ROOT

    shutil.copy(ROOT / "Makefile", built.root / "Makefile")
    (built.root / "reports" / "html").mkdir()
    (built.root / "reports" / "html" / "index.html").write_text("what `make report` writes")
    (built.root / "notebooks").mkdir()
    (built.root / "notebooks" / "campaign_scale.ipynb").write_text("{}")
    for folder in ("data/processed", "reports/figures"):
        (built.root / folder / ".gitkeep").write_bytes(b"")
    kept = {p for p in built.root.rglob("*") if p.is_file() and p.parts[-3:-1] == ("data", "raw")}
    kept |= {built.root / name for name in ("Makefile", "notebooks/campaign_scale.ipynb", "data/processed/.gitkeep",
                                            "reports/figures/.gitkeep")}
    folders = {os.path.dirname(o) for step in pipeline.STEPS for o in step.outputs}
    assert all(any((built.root / f).glob("[!.]*")) for f in folders)  # every output folder holds something to remove

    subprocess.run(["make", "--no-print-directory", "-C", str(built.root), "clean"], check=True, capture_output=True)

    assert {p for p in built.root.rglob("*") if p.is_file()} == kept
    assert not (built.root / "reports" / "html").exists() and not built.build_state.exists()
    monkeypatch.setenv("CENSORSTATS_ROOT", str(built.root))
    assert main(["status"]) == 0
    assert "changed since the last validation" not in capsys.readouterr().out


def test_hand_edited_or_missing_output_is_rebuilt(built):
    (built.processed / "reports.csv").write_text("edited\n")
    (built.figures / "campaign_scale.png").unlink()
    reasons = {v.step.name: v.reasons for v in build.status(built) if v.stale}
    assert "edited by hand" in reasons["reports"][0] and "missing" in reasons["fig_campaign_scale"][0]
    assert build.build(built).rebuilt == ["reports", "fig_campaign_scale"]


def test_two_clean_builds_are_byte_identical(built):
    first = _snapshot(built)
    for d in OUTPUT_DIRS:
        shutil.rmtree(built.root / d)
    shutil.rmtree(built.build_state)
    build.build(built)
    assert _snapshot(built) == first


def test_invalid_input_stops_the_build_and_leaves_outputs_untouched(built, monkeypatch, capsys):
    before = _snapshot(built)
    set_cell(built.raw_file("reports"), "r214", "source_id", "gt-2018-1127")
    monkeypatch.setenv("CENSORSTATS_ROOT", str(built.root))
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert '"gt-2018-1127" is not in sources.csv' in err
    # the figures were not read, so their 109 warnings were not counted: no "0 warning(s)"
    assert "1 error(s); figures and periods are read, and their warnings counted, once the errors are fixed" in err
    assert "warning(s)" not in err
    assert _snapshot(built) == before


def test_formula_like_text_is_neutralised_in_exported_csv(project):
    set_cell(project.raw_file("reports"), "r081", "note", '=HYPERLINK("http://x","y")')
    set_cell(project.raw_file("reports"), "r082", "note", "+41% y/y, @home")
    build.build(project, ["reports"])
    text = (project.processed / "reports.csv").read_text(encoding="utf-8")
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in text
    assert "\"'+41% y/y, @home\"" in text
    df = pl.read_csv(project.processed / "reports.csv", infer_schema=False)
    assert df.filter(pl.col("report_id") == "r081")["note"].to_list() == ['\'=HYPERLINK("http://x","y")']
    parquet = pl.read_parquet(project.processed / "reports.parquet")  # Parquet keeps the text exactly
    assert parquet.filter(pl.col("report_id") == "r081")["note"].to_list() == ['=HYPERLINK("http://x","y")']


def test_lock_held_by_a_live_process_stops_a_second_build(project):
    import subprocess
    import sys

    holder = subprocess.Popen([sys.executable, "-c", "import sys; from censorstats import build; from censorstats.paths import Project\n"
                               "from pathlib import Path\n"
                               "with build.BuildLock(Project(Path(sys.argv[1]))): print('held', flush=True); sys.stdin.read()",
                               str(project.root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(build.BuildError, match=f"data/.build/lock: another build is running \\(pid {holder.pid}"):
            with build.BuildLock(project, wait=0.2):
                pass
    finally:
        holder.communicate("")
    assert not (project.build_state / "lock").exists()


def test_a_lock_whose_holder_has_not_written_says_so_without_none(project):
    """The holder writes who it is just after taking the lock: a build arriving in between reads an empty file."""
    import fcntl

    project.build_state.mkdir(parents=True)
    fd = os.open(project.build_state / "lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a second open file description: the lock below conflicts with it
    try:
        with pytest.raises(build.BuildError) as refused:
            with build.BuildLock(project, wait=0.2):
                pass
    finally:
        os.close(fd)
    assert "None" not in str(refused.value)
    assert "another build is running (its holder has not recorded who it is)" in str(refused.value)


def test_lock_left_by_a_dead_process_is_taken_over(project):
    import json
    import socket
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()
    project.build_state.mkdir(parents=True)
    (project.build_state / "lock").write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(), "since": "then"}))
    assert build.build(project, ["sources"]).rebuilt == ["sources"]
    assert not (project.build_state / "lock").exists()


def test_status_and_help_do_not_import_heavy_libraries(built):
    import subprocess
    import sys

    code = ("import sys; from censorstats.cli import main; main(['status']); main(['build']);"
            "print(sorted(m for m in ('polars','pandera','matplotlib','jupyter') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ | {"CENSORSTATS_ROOT": str(built.root)}, check=True)
    assert out.stdout.strip().endswith("[]")


def test_output_cut_short_by_a_closed_pipe_ends_without_a_traceback(built):
    """`censorstats status --why | head`: the reader may leave before the command has written."""
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now fails with EPIPE, as after `head` has exited
    try:
        out = subprocess.run([sys.executable, "-c", "from censorstats.cli import run; run()", "status", "--why"],
                             stdout=write_end, stderr=subprocess.PIPE, text=True, env=os.environ | {"CENSORSTATS_ROOT": str(built.root)})
    finally:
        os.close(write_end)
    assert out.stderr == "" and out.returncode == 1


def test_library_versions_match_installed_metadata():
    from importlib import metadata

    assert build.library_versions() == {lib: metadata.version(lib) for lib in build.LIBRARIES}
    every = build.all_library_versions()  # also the libraries a step names for itself (the report's)
    assert {"nbconvert", "nbclient", "ipykernel"} <= set(every)
    assert every == {lib: metadata.version(lib) for lib in every}


def test_without_atomic_exchange_a_build_killed_between_renames_is_put_back(built, monkeypatch):
    """Systems without renameat2/renamex_np swap folders with two renames; dying between them is repaired."""
    from censorstats import publish

    before = _snapshot(built)
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    real_rename = os.rename

    def dies_on_second_rename(src, dst, calls=[]):
        calls.append(src)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")
        real_rename(src, dst)

    set_cell(built.raw_file("reports"), "s002", "value_text", "1,200")
    monkeypatch.setattr(os, "rename", dies_on_second_rename)
    monkeypatch.setattr(shutil, "rmtree", lambda *a, **k: None)  # a killed process cleans nothing up
    with pytest.raises(KeyboardInterrupt):
        build.build(built)
    assert not built.processed.exists()
    monkeypatch.undo()
    (built.build_state / "lock").unlink(missing_ok=True)
    rebuilt = build.build(built).rebuilt
    assert rebuilt[:2] == ["reports", "reconcile"] and "reach" not in rebuilt and "sources" not in rebuilt
    after = _snapshot(built)
    assert after["data/processed/reports.csv"] != before["data/processed/reports.csv"]
    assert after["data/processed/sources.csv"] == before["data/processed/sources.csv"]
    assert not list(built.build_state.glob("staging-*"))


def test_a_changed_authority_name_rebuilds_the_tables_that_show_it(built, monkeypatch, capsys):
    """authorities.csv was once read by no step; now its names stand beside the ids in the processed tables."""
    set_cell(built.raw_file("authorities"), "cac", "name", "Cyberspace Administration of China (CAC)")
    monkeypatch.setenv("CENSORSTATS_ROOT", str(built.root))
    assert main(["status"]) == 0
    assert "data/raw/authorities.csv: changed since the last validation" in capsys.readouterr().out
    outcome = build.build(built)
    assert "reports" in outcome.rebuilt and "reconcile" in outcome.rebuilt and "compare" in outcome.rebuilt
    names = pl.read_parquet(built.processed / "claims.parquet").filter(pl.col("authority_id") == "cac")["authority_name"]
    assert set(names) == {"Cyberspace Administration of China (CAC)"}
    assert build.unvalidated_raw(built) == []
    set_cell(built.raw_file("authorities"), "cac", "authority_id", "CAC")
    with pytest.raises(build.InvalidInput):
        build.build(built)


def _append_rows(path, rows: list[list[str]]) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    with path.open("a", encoding="utf-8") as f:
        f.write(out.getvalue())


def test_added_rows_and_corrections_build_and_the_last_line_names_the_new_warning(built, monkeypatch, capsys):
    """The add-data loop: ten more report rows (relays of figures already in the table, under new ids) and two
    corrections. The build succeeds, and its last line names the one new warning by the row's id."""
    import csv

    with built.raw_file("reports").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, originals = rows[0], {row[0]: row for row in rows[1:]}
    added = []
    for n, original in enumerate(["r273", "r274", "r275", "r276", "r277", "r278", "r280", "r214", "r215", "r216"], start=901):
        row = list(originals[original])
        row[0] = f"r{n}"
        added.append(row)
    added[4][header.index("period_text")] = "in the fortnight before"  # r905: a phrase the parser cannot resolve
    _append_rows(built.raw_file("reports"), added)
    _append_rows(built.raw_file("corrections"), [
        ["r901", "exclude", "", "the same relay entered twice", "test", "2026-11-30"],
        ["r902", "override", "928,000", "checked against the page", "test", "2026-11-30"],
    ])
    monkeypatch.setenv("CENSORSTATS_ROOT", str(built.root))

    assert main(["build"]) == 0

    out, err = capsys.readouterr()
    last = out.splitlines()[-1]
    assert last.startswith("110 warning(s), 1 new since the last build: reports.csv r905 unresolved_period"), last
    assert '(r905): column "period_text": warning: "in the fortnight before" was not resolved' in err
    reports = pl.read_parquet(built.processed / "reports.parquet")
    assert reports.filter(pl.col("report_id").is_in([r[0] for r in added])).height == 10
    roles = dict(pl.read_parquet(built.processed / "claim_reports.parquet").select("report_id", "role").iter_rows())
    assert roles["r901"] == "excluded"
    assert main(["build"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "110 warning(s), none new since the last build"


def test_processed_tables_carry_names_beside_ids_and_csvs_open_in_excel(built):
    """Names from the raw tables beside every id; a BOM for Excel; ratios at 4 significant digits in CSV only."""
    claims = pl.read_parquet(built.processed / "claims.parquet")
    cac = claims.filter(pl.col("claim_id") == "2018-self-media-clean-up/accounts_closed").row(0, named=True)
    assert (cac["authority_name"], cac["authority_name_zh"]) == ("Cyberspace Administration of China", "国家互联网信息办公室")
    assert cac["metric_description"] == "Accounts closed, shut down or deleted" and cac["campaign_name"]
    for table in ("reports", "claims", "discrepancies", "scale_vs_reach"):
        df = pl.read_parquet(built.processed / f"{table}.parquet")
        assert df["campaign_name"].null_count() == 0 and df["metric_description"].null_count() == 0, table
    raw = built.processed / "scale_vs_reach.csv"
    assert raw.read_bytes().startswith("\ufeffcomparison_id,".encode())
    csv = pl.read_csv(raw, infer_schema=False)
    exact = pl.read_parquet(built.processed / "scale_vs_reach.parquet")
    for column in ("per_million_low", "per_million_high", "per_million_at_values"):
        printed, full = csv[column].cast(pl.Float64), exact[column]
        assert csv[column].str.len_chars().max() <= 10, column
        assert (printed.round_sig_figs(4) == printed).all(), column  # 4 significant digits at most
        assert (printed.is_null() == full.is_null()).all(), column
        assert ((printed - full).abs() <= full.abs() * 1e-3).all(), column  # within the 4th digit
        assert (full != full.round_sig_figs(4)).any(), column  # Parquet keeps the full precision
    # An interval's ends are rounded outwards: the CSV's interval holds the exact one.
    assert (csv["per_million_low"].cast(pl.Float64) <= exact["per_million_low"]).all()
    assert (csv["per_million_high"].cast(pl.Float64) >= exact["per_million_high"]).all()
    printed_low, exact_low = csv["per_million_low"].cast(pl.Float64), exact["per_million_low"]
    assert (printed_low < exact_low.round_sig_figs(4)).any()  # some were rounded down, not to the nearest
