"""The conventions a newcomer expects: --version, full help, validated options, licences, citation, make help."""

from __future__ import annotations

import subprocess

import pytest

from censorstats import __version__, build
from censorstats.cli import HELP, main, parser
from conftest import ROOT


def test_version(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0 and capsys.readouterr().out == f"censorstats {__version__}\n"


def test_discrepancy_type_is_checked_against_the_registry(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["discrepancies", "--type", "magnitud"])
    err = capsys.readouterr().err
    assert exit.value.code == 2 and "invalid choice: 'magnitud'" in err and "'qualifier_dropped'" in err


USAGE_ERRORS = [
    (["validate", "--nwe"], "unrecognized arguments: --nwe"),
    (["codebook", "--chek"], "unrecognized arguments: --chek"),
    (["status", "--wy"], "unrecognized arguments: --wy"),
    (["build", "nosuchstep"], "argument TARGET: unknown target 'nosuchstep'; targets are: sources, "),
    (["status", "nosuch"], "argument TARGET: unknown target 'nosuch'; targets are: sources, "),
    (["parse", "--published", "2018-11-13", "9800"], "--published applies only with --period"),
    (["parse", "--campaign-start", "2018", "--campaign-end", "2019", "9800"],
     "--campaign-start and --campaign-end apply only with --period"),
    (["discrepancies", "--type", "magnitud"], "argument --type: invalid choice: 'magnitud'"),
]


@pytest.mark.parametrize("argv,message", USAGE_ERRORS, ids=[" ".join(argv) for argv, _ in USAGE_ERRORS])
def test_every_usage_error_is_the_subcommands_usage_then_one_error_line_with_status_2(argv, message, project, monkeypatch,
                                                                                      capsys):
    """argparse's own errors and those found after parsing (an unknown target, options that need --period) alike."""
    monkeypatch.setenv("CENSORSTATS_ROOT", str(project.root))
    with pytest.raises(SystemExit) as exit:
        main(argv)
    err = capsys.readouterr().err.splitlines()
    assert exit.value.code == 2 and err[0].startswith(f"usage: censorstats {argv[0]} "), err
    assert err[-1].startswith(f"censorstats {argv[0]}: error: {message}"), err


@pytest.mark.parametrize("command", ["build", "status"])
def test_targets_in_the_help_are_exactly_those_accepted(command, capsys):
    """The help lists every step of pipeline.STEPS (datapackage too), and each one it lists is accepted."""
    from censorstats import pipeline

    with pytest.raises(SystemExit):
        main([command, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    listed = help_text.split("targets: ", 1)[1].split(", or an output file name", 1)[0].split(", ")
    assert listed == [step.name for step in pipeline.STEPS]
    assert parser().parse_args([command, *listed]).targets == listed


@pytest.mark.parametrize("command", sorted(HELP))
def test_every_subcommand_has_full_help(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert HELP[command][1].splitlines()[0] in out and len(out.splitlines()) >= 6


def test_every_subcommand_is_documented():
    commands = parser()._subparsers._group_actions[0].choices
    assert set(commands) == set(HELP)


def test_the_report_ids_in_the_readme_and_the_help_exist():
    """Examples a reader copies must work: an id they name is in data/raw/reports.csv (rNNN stands for a new row)."""
    import csv
    import re

    with (ROOT / "data" / "raw" / "reports.csv").open(encoding="utf-8", newline="") as f:
        ids = {row["report_id"] for row in csv.DictReader(f)}
    text = (ROOT / "README.md").read_text(encoding="utf-8") + "".join(long for _, long in HELP.values())
    named = set(re.findall(r"\br[0-9]+\b", text))
    assert named and named <= ids, sorted(named - ids)


def test_licences_and_citation_agree_with_the_package():
    import tomllib

    import yaml

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == {"text": "MIT"}
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert "CC BY 4.0" in (ROOT / "DATA-LICENSE.md").read_text(encoding="utf-8")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0" and citation["version"] == project["version"] == __version__
    assert citation["license"] == ["MIT", "CC-BY-4.0"] and citation["authors"]


def test_make_help_lists_the_front_door_targets():
    out = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), "help"], capture_output=True, text=True, check=True).stdout
    targets = {line.split()[1] for line in out.splitlines()}
    assert {"all", "build", "test", "lab", "report", "strip", "help", "validate", "status", "codebook", "lock", "clean"} <= targets


@pytest.mark.integration  # builds the whole project
def test_a_build_keeps_the_placeholder_files_git_tracks(project):
    """data/processed/.gitkeep and reports/figures/.gitkeep are tracked: the folder exchange must carry them over."""
    for folder in (project.processed, project.figures):
        folder.mkdir(parents=True)
        (folder / ".gitkeep").write_bytes(b"")
    build.build(project)  # a fresh clone's first build
    # a rebuild exchanges both folders again: one figure and the tables it is drawn from are enough for that
    assert "fig_campaign_scale" in build.build(project, ["fig_campaign_scale"], force=True).rebuilt
    assert (project.processed / ".gitkeep").is_file() and (project.figures / ".gitkeep").is_file()
