"""Rebuilding only what is stale, safely, and saying why.

A step is stale when the SHA-256 of one of its inputs or of its code changed, when the versions
of polars/pandera/matplotlib changed, or when one of its outputs is missing or differs from what
the last build wrote (edited by hand). Clock times are never consulted: checkout, copy and touch
cause no rebuild. The record of the last build (inputs, code, versions and outputs of every step,
and the time) is data/.build/manifest.json.

Safety: raw tables are validated before anything runs; steps write into a staging folder;
finished files are moved into place with atomic renames; the manifest is written last. A build
that dies leaves complete files, and the next build redoes whatever does not match the manifest.
A lock file stops two builds from running at once.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from censorstats import pipeline
from censorstats.paths import PROVENANCE, Project
from censorstats.stepcode import PackageCode

MANIFEST = "data/.build/manifest.json"  # beside the outputs, so data/processed/ stays byte-identical
LIBRARIES = ("polars", "pandera", "matplotlib")
LOCK_WAIT_SECONDS = 10.0


class BuildError(Exception):
    """A build that stopped on purpose (invalid input, busy lock): the message says why."""


def sha256_file(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except (FileNotFoundError, IsADirectoryError):
        return None


def fingerprint(path: Path) -> str | None:
    """What an input is: its content hash, and where it leads if it is a symbolic link."""
    if path.is_symlink():
        return f"symlink to {os.readlink(path)}: {sha256_file(path)}"
    if path.is_dir():
        return "directory"
    return sha256_file(path)


def library_versions() -> dict[str, str]:
    """Installed versions, read from the *.dist-info folder names on sys.path.

    importlib.metadata would cost 20 ms of a 90 ms no-op build; the folder names say the same.
    """
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                dist, _, version = name[: -len(".dist-info")].partition("-")
                found.setdefault(dist.lower().replace("_", "-"), version)
    return {lib: found.get(lib, "missing") for lib in LIBRARIES}


def read_manifest(project: Project) -> dict:
    try:
        return json.loads((project.root / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {"steps": {}}


@dataclass
class Verdict:
    step: pipeline.Step
    reasons: list[str]

    @property
    def stale(self) -> bool:
        return bool(self.reasons)


def _short(h: str | None) -> str:
    return h[:8] + "…" if h else "none"


def judge(project: Project, step: pipeline.Step, record: dict | None, input_hashes: dict[str, str | None], versions: dict,
          code: PackageCode) -> Verdict:
    """Why `step` must be rebuilt, given the manifest record of its last build (empty list: it need not)."""
    if record is None:
        return Verdict(step, ["never built"])
    reasons = []
    for path, h in input_hashes.items():
        old = record["inputs"].get(path)
        if h != old:
            what = "appeared" if old is None else "disappeared" if h is None else "changed"
            reasons.append(f"input {path} {what} (sha256 {_short(old)} → {_short(h)})")
    if record.get("code") != code.hash(step):
        reasons.append("code of the step changed")
    if record.get("versions") != versions:
        reasons.append(f"library versions changed ({record.get('versions')} → {versions})")
    for folder in _output_folders([step]):
        if not (project.root / folder / PROVENANCE).is_file():
            reasons.append(f"provenance record {folder}/{PROVENANCE} is missing")
    for path in step.outputs:
        h = sha256_file(project.root / path)
        if h is None:
            reasons.append(f"output {path} is missing")
        elif h != record["outputs"].get(path):
            reasons.append(f"output {path} differs from the last build (edited by hand?)")
    return Verdict(step, reasons)


def _select(targets: list[str] | None) -> list[pipeline.Step]:
    if not targets:
        return list(pipeline.STEPS)
    wanted: set[str] = set()

    def add(step: pipeline.Step) -> None:
        wanted.add(step.name)
        for path in step.inputs:
            upstream = pipeline.producer_of(path)
            if upstream:
                add(upstream)

    for t in targets:
        try:
            add(pipeline.step_named(t))
        except KeyError:
            raise BuildError(f"unknown target {t!r}; targets are: " + ", ".join(s.name for s in pipeline.STEPS)) from None
    return [s for s in pipeline.STEPS if s.name in wanted]


def status(project: Project, targets: list[str] | None = None) -> list[Verdict]:
    """The verdict on every step as things stand, without running anything.

    An output of a stale upstream step will change, so its consumers are stale too.
    """
    manifest = read_manifest(project)
    versions = library_versions()
    code = PackageCode(project.build_state)
    verdicts = []
    rebuilt: set[str] = set()
    for step in _select(targets):
        hashes = {p: fingerprint(project.root / p) for p in step.inputs}
        verdict = judge(project, step, manifest["steps"].get(step.name), hashes, versions, code)
        upstream = [p for p in step.inputs if p in rebuilt]
        if upstream and not verdict.stale:
            verdict.reasons.append("upstream output " + ", ".join(upstream) + " will be rebuilt")
        if verdict.stale:
            rebuilt.update(step.outputs)
        verdicts.append(verdict)
    return verdicts


# ---------------------------------------------------------------------------------------------
# The lock
# ---------------------------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BuildLock:
    """One build at a time. A lock whose process is gone is taken over."""

    def __init__(self, project: Project, wait: float = LOCK_WAIT_SECONDS):
        self.path = project.build_state / "lock"
        self.wait = wait

    def _holder(self) -> dict | None:
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def __enter__(self) -> BuildLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.wait
        me = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%dT%H:%M:%S")})
        while not self._claim(me):
            holder = self._holder()
            if holder is None or (holder.get("host") == socket.gethostname() and not _pid_alive(int(holder.get("pid", 0)))):
                self.path.unlink(missing_ok=True)  # left by a build that died
                continue
            if time.monotonic() > deadline:
                raise BuildError(
                    f"another build is running (pid {holder.get('pid')} on {holder.get('host')}, since {holder.get('since')}); "
                    f"try again when it has finished, or remove {self.path} if that process is gone"
                )
            time.sleep(0.1)
        return self

    def _claim(self, me: str) -> bool:
        """Create the lock with its content in one step: a hard link to a file already written.

        Created empty and written after, a lock could be read in between by another build, found
        unreadable, and removed as abandoned while its holder goes on building.
        """
        written = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        written.write_text(me)
        try:
            os.link(written, self.path)
            return True
        except FileExistsError:
            return False
        finally:
            written.unlink(missing_ok=True)

    def __exit__(self, *exc) -> None:
        self.path.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    rebuilt: list[str]
    up_to_date: list[str]
    seconds: float
    problems: list  # warnings from validation and parsing

    def summary(self) -> str:
        if not self.rebuilt:
            return f"nothing to do: {len(self.up_to_date)} step(s) up to date ({self.seconds:.2f} s)"
        return (f"rebuilt {len(self.rebuilt)} step(s): {', '.join(self.rebuilt)}; "
                f"{len(self.up_to_date)} up to date ({self.seconds:.2f} s)")


def _run(step: pipeline.Step, ctx) -> None:
    module, function = step.run.split(":")
    ctx.step = step
    getattr(importlib.import_module(module), function)(ctx)


def _in_memory_engine():
    """Run the build's queries on polars' in-memory engine.

    Polars 2 defaults to its streaming engine, made for data larger than memory; on tables of a
    few hundred rows with long expressions (the parsers) the in-memory engine runs them two to
    four times faster. Both engines give the same rows: the outputs are byte-identical.
    """
    import polars as pl

    return pl.Config(engine_affinity="in-memory")


def _validated_tables(project: Project):
    """Validate every raw table; stop the build on any error, before anything is written."""
    from censorstats.problems import has_errors
    from censorstats.validate import validate_raw

    result = validate_raw(project)
    if has_errors(result.problems):
        raise InvalidInput(result.problems)
    return result


class InvalidInput(BuildError):
    def __init__(self, problems):
        self.problems = problems
        super().__init__("raw data has errors; nothing was built")


def _output_folders(steps) -> list[str]:
    return sorted({Path(o).parent.as_posix() for step in steps for o in step.outputs})


def _provenance(manifest: dict, folder: str) -> dict[str, dict]:
    """For each output file in `folder`: the step, input hashes and code it was built from."""
    records = {}
    for name, record in manifest["steps"].items():
        for path, digest in record["outputs"].items():
            if Path(path).parent.as_posix() == folder:
                records[Path(path).name] = {
                    "sha256": digest,
                    "step": name,
                    "inputs": record["inputs"],
                    "code_sha256": record["code"],
                    "censorstats": record.get("package_version"),
                    "libraries": record["versions"],
                }
    return records


def _pending(project: Project) -> Path:
    return project.root / (MANIFEST + ".pending")


def _publish(project: Project, staging: Path, manifest: dict, rebuilt: list[pipeline.Step]) -> None:
    """Swap in complete new versions of the output folders this build touched, then record them."""
    from censorstats import publish

    folders = _output_folders(rebuilt)
    for folder in folders:
        publish.complete(staging / folder, project.root / folder)
        publish.write_provenance(staging / folder, _provenance(manifest, folder))
    publish.write_json_atomically(_pending(project), manifest)
    for folder in folders:
        publish.swap_in(staging / folder, project.root / folder)
    os.replace(_pending(project), project.root / MANIFEST)


def raw_fingerprints(project: Project) -> dict[str, str | None]:
    return {p: fingerprint(project.root / p) for p in pipeline.ALL_RAW}


def unvalidated_raw(project: Project, manifest: dict | None = None) -> list[str]:
    """Raw tables changed since the last successful validation (also those no step reads)."""
    validated = (manifest or read_manifest(project)).get("validated_raw", {})
    return [p for p, h in raw_fingerprints(project).items() if validated.get(p, "never") != h]


def _write_manifest(project: Project, manifest: dict) -> None:
    from censorstats.publish import write_json_atomically

    write_json_atomically(project.root / MANIFEST, manifest)


def _leftovers(project: Project) -> bool:
    return _pending(project).exists() or any(project.build_state.glob("staging-*"))


def _recover(project: Project) -> list[str]:
    """Repair what a killed build left: folders renamed aside, staging folders, a pending record.

    A step's record in the pending manifest is adopted when all its outputs are live as recorded
    there (its folder was swapped in before the build died); otherwise the step stays stale.
    """
    from censorstats import publish

    folders = {f: project.root / f for f in _output_folders(pipeline.STEPS)}
    done = publish.recover(project.build_state, folders)
    pending = _pending(project)
    if pending.exists():
        try:
            record = json.loads(pending.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            record = {"steps": {}}
        manifest = read_manifest(project)
        adopted = [
            name for name, step_record in record.get("steps", {}).items()
            if step_record != manifest["steps"].get(name)
            and all(sha256_file(project.root / p) == h for p, h in step_record.get("outputs", {}).items())
        ]
        for name in adopted:
            manifest["steps"][name] = record["steps"][name]
        if adopted:
            _write_manifest(project, manifest)
            done.append("recorded the outputs of an interrupted build: " + ", ".join(adopted))
        pending.unlink()
    return done


def build(project: Project, targets: list[str] | None = None, force: bool = False, dry_run: bool = False, progress=None) -> Outcome:
    started = time.perf_counter()
    verdicts = status(project, targets)
    if force:
        for v in verdicts:
            v.reasons = v.reasons or ["forced"]
    stale = [v for v in verdicts if v.stale]
    up_to_date = [v.step.name for v in verdicts if not v.stale]
    if dry_run or not (stale or _leftovers(project) or unvalidated_raw(project)):
        return Outcome([v.step.name for v in stale] if dry_run else [], up_to_date, time.perf_counter() - started, [])
    with BuildLock(project), _in_memory_engine():
        for message in _recover(project):
            if progress:
                progress(message)
        raw_prints = raw_fingerprints(project)
        validated = _validated_tables(project)
        problems = list(validated.problems)
        if not stale:  # only tables that no step reads changed: record that they are valid
            manifest = read_manifest(project)
            manifest["validated_raw"] = raw_prints
            _write_manifest(project, manifest)
            return Outcome([], up_to_date, time.perf_counter() - started, problems)
        from censorstats.steps import Context

        staging = project.build_state / f"staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        ctx = Context(project, staging, validated.tables)
        manifest = read_manifest(project)
        versions = library_versions()
        code = PackageCode(project.build_state)
        rebuilt = []
        try:
            for i, verdict in enumerate(verdicts, start=1):
                step = verdict.step
                hashes = {p: fingerprint(ctx.input(p)) for p in step.inputs}
                again = judge(project, step, manifest["steps"].get(step.name), hashes, versions, code)
                if not (again.stale or force):
                    continue
                t0 = time.perf_counter()
                _run(step, ctx)
                rebuilt.append(step.name)
                manifest["steps"][step.name] = {
                    "inputs": hashes,
                    "code": code.hash(step),
                    "versions": versions,
                    "outputs": {p: sha256_file(staging / p) for p in step.outputs},
                    "package_version": _package_version(),
                }
                if progress:
                    progress(f"[{i}/{len(verdicts)}] {step.name}: {'; '.join(again.reasons or ['forced'])} ({time.perf_counter() - t0:.2f} s)")
            manifest["validated_raw"] = raw_prints
            if not rebuilt:
                _write_manifest(project, manifest)
            else:
                manifest["built"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                _publish(project, staging, manifest, [pipeline.step_named(name) for name in rebuilt])
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    up_to_date = [v.step.name for v in verdicts if v.step.name not in rebuilt]
    return Outcome(rebuilt, up_to_date, time.perf_counter() - started, problems)


def _package_version() -> str:
    from censorstats import __version__

    return __version__
