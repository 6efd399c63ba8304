"""Rebuilding only what is stale, safely, and saying why.

A step is stale when the SHA-256 of one of its inputs or of its code changed, when the versions
of polars/pandera/matplotlib changed (and of the libraries the step names for itself: the report's
nbconvert, nbclient and ipykernel), or when one of its outputs is missing or differs from what
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
import socket
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from censorstats import pipeline
from censorstats.load import RawBytes
from censorstats.paths import PROVENANCE, Project, dead_temp_files, write_json_atomically
from censorstats.problems import BuildError
from censorstats.stepcode import PackageCode

MANIFEST = "data/.build/manifest.json"  # beside the outputs, so data/processed/ stays byte-identical
LIBRARIES = ("polars", "pandera", "matplotlib")
LOCK_WAIT_SECONDS = 10.0


def sha256_file(path: Path) -> str | None:
    """The content hash of a regular file; None for anything else (missing, a folder, a FIFO: never blocks)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return hashlib.file_digest(f, "sha256").hexdigest()


def raw_snapshot(project: Project) -> dict[str, RawBytes]:
    """Every raw table's bytes, read once at the start: what is validated, built from and recorded."""
    from censorstats.fields import OPTIONAL_RAW, REQUIRED_RAW
    from censorstats.load import snapshot

    return snapshot(project, REQUIRED_RAW + OPTIONAL_RAW)


def _input_hashes(project: Project, paths, files: dict[str, RawBytes], where=None) -> dict[str, str | None]:
    """Raw inputs by the hash of the bytes read at the start; upstream outputs by their file (`where` finds it)."""
    where = where or (lambda p: project.root / p)
    return {p: files[p].fingerprint if p in files else sha256_file(where(p)) for p in paths}


def library_versions(libraries: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
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
    return {lib: found.get(lib, "missing") for lib in libraries}


def all_library_versions() -> dict[str, str]:
    """The versions of every library any step's outputs depend on (one scan of sys.path)."""
    return library_versions(tuple(dict.fromkeys(LIBRARIES + tuple(lib for s in pipeline.STEPS for lib in s.libraries))))


def step_versions(versions: dict[str, str], step: pipeline.Step) -> dict[str, str]:
    """The versions a step's record keeps and its staleness compares: every step's libraries and its own."""
    return {lib: versions[lib] for lib in (*LIBRARIES, *step.libraries)}


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


def judge(
    project: Project,
    step: pipeline.Step,
    record: dict | None,
    input_hashes: dict[str, str | None],
    versions: dict,
    code: PackageCode,
) -> Verdict:
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
    versions = step_versions(versions, step)
    if record.get("versions") != versions:
        reasons.append(f"library versions changed ({record.get('versions') or 'not recorded'} → {versions})")
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


def _select(targets: list[str] | None, on_request: bool = False) -> list[pipeline.Step]:
    """The steps named (with everything upstream of them); with no names, every step a plain build runs,
    and also the on-request ones (the report) when `on_request` is set, for `status` to show them."""
    if not targets:
        return [s for s in pipeline.STEPS if on_request or not s.on_request]
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
            raise BuildError(f"unknown target {t!r}; targets are: {pipeline.target_names()}") from None
    return [s for s in pipeline.STEPS if s.name in wanted]


def status(
    project: Project,
    targets: list[str] | None = None,
    files: dict[str, RawBytes] | None = None,
    on_request: bool = False,
) -> list[Verdict]:
    """The verdict on every step as things stand, without running anything.

    An output of a stale upstream step will change, so its consumers are stale too. Steps built
    only on request are judged only when named or when `on_request` is set.
    """
    project.check_layout()
    files = files or raw_snapshot(project)
    manifest = read_manifest(project)
    versions = all_library_versions()
    code = PackageCode(project.build_state)
    verdicts = []
    rebuilt: set[str] = set()
    for step in _select(targets, on_request):
        hashes = _input_hashes(project, step.inputs, files)
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


class BuildLock:
    """One build at a time: an exclusive flock on data/.build/lock, which records who holds it.

    The kernel releases the flock when its holder dies, however it dies, so a lock left by a
    killed build is taken over atomically: there is no moment when two builds can both think a
    stale holder's lock is theirs to remove. The file is removed on a normal exit (while still
    held); a build that locked a file already removed that way tries again on the new one.
    """

    def __init__(self, project: Project, wait: float = LOCK_WAIT_SECONDS):
        self.path = project.build_state / "lock"
        self.shown = project.relative(self.path)
        self.wait = wait
        self.fd: int | None = None

    def _holder(self) -> str:
        """Who holds the lock, as the holder recorded it; a holder that has not written yet is said to be unknown."""
        try:
            holder = json.loads(self.path.read_text())
            return f"pid {holder['pid']} on {holder['host']}, since {holder['since']}"
        except (OSError, ValueError, KeyError, TypeError):
            return "its holder has not recorded who it is"

    def __enter__(self) -> BuildLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.wait
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() > deadline:
                    raise BuildError(
                        f"{self.shown}: another build is running ({self._holder()}); "
                        "try again when it has finished [locked]"
                    ) from None
                time.sleep(0.1)
                continue
            if self._same_file(fd):
                break
            os.close(fd)  # the holder removed it as we opened it: lock the new one
        self.fd = fd
        me = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%dT%H:%M:%S")})
        try:
            os.ftruncate(fd, 0)
            os.write(fd, me.encode())
        except OSError as exc:  # a full disk: give the lock back, and say where
            self.__exit__()
            raise OSError(exc.errno, exc.strerror, str(self.path)) from None
        return self

    def _same_file(self, fd: int) -> bool:
        try:
            return os.stat(self.path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self.fd)
            self.fd = None


# ---------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    rebuilt: list[str]
    up_to_date: list[str]
    seconds: float
    problems: list  # warnings from validation (for data/.build/problems.json)
    diagnostics: list | None = None  # warnings from validation and parsing, named by row (None: nothing was checked)
    new: list | None = None  # those not there at the end of the previous build (None: no build recorded any)

    def summary(self) -> str:
        if not self.rebuilt:
            return f"nothing to do: {len(self.up_to_date)} step(s) up to date ({self.seconds:.2f} s)"
        return (
            f"rebuilt {len(self.rebuilt)} step(s): {', '.join(self.rebuilt)}; "
            f"{len(self.up_to_date)} up to date ({self.seconds:.2f} s)"
        )


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


def _validated_tables(project: Project, files: dict[str, RawBytes]):
    """Validate the raw tables as read at the start; stop the build on any error, before anything is written."""
    from censorstats.problems import has_errors
    from censorstats.validate import validate_raw

    result = validate_raw(project, files)
    if has_errors(result.problems):
        from censorstats.diagnostics import named_by_row

        raise InvalidInput(named_by_row(result.problems, result.tables, project))
    return result


def _diagnose(project: Project, validated) -> tuple[list, list | None]:
    """Every warning of the data as built (validation and parsing), and which are new since the last build."""
    from censorstats import diagnostics
    from censorstats.problems import sort_problems

    found = list(validated.problems)
    built = all((project.processed / f"{t}.parquet").exists() for t in ("reports", "reach"))
    if built and {"reports", "reach"} <= validated.tables.keys():  # a build of some targets only may lack one
        found += diagnostics.parse_warnings_from_processed(project, validated.tables)
    found = sort_problems(diagnostics.finished(found, validated.tables, project))
    new = diagnostics.new_since_last_build(found, project)
    diagnostics.record_at_build(found, project)
    return found, new


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
    write_json_atomically(_pending(project), manifest)
    for folder in folders:
        publish.swap_in(staging / folder, project.root / folder)
    os.replace(_pending(project), project.root / MANIFEST)


def raw_fingerprints(files: dict[str, RawBytes]) -> dict[str, str | None]:
    from censorstats.fields import RAW

    # Every raw table is validated before any step runs, so a change to any of them is worth a look.
    return {p: files[p].fingerprint for p in pipeline.raw(*RAW)}


def unvalidated_raw(
    project: Project, manifest: dict | None = None, files: dict[str, RawBytes] | None = None
) -> list[str]:
    """Raw tables changed since the last successful validation (also those no step reads)."""
    validated = (manifest or read_manifest(project)).get("validated_raw", {})
    return [p for p, h in raw_fingerprints(files or raw_snapshot(project)).items() if validated.get(p, "never") != h]


def _write_manifest(project: Project, manifest: dict) -> None:
    write_json_atomically(project.root / MANIFEST, manifest)


def _leftovers(project: Project) -> bool:
    state = project.build_state
    return (
        _pending(project).exists()
        or any(state.glob("staging-*"))
        or any(state.glob("*.tmp"))
        or bool(dead_temp_files(state))
    )


def _recover(project: Project) -> list[str]:
    """Repair what a killed build left: folders renamed aside, staging folders, a pending record.

    A step's record in the pending manifest is adopted when all its outputs are live as recorded
    there (its folder was swapped in before the build died); otherwise the step stays stale.
    """
    from censorstats import publish

    folders = {f: project.root / f for f in _output_folders(pipeline.STEPS)}
    done = publish.recover(project.build_state, folders)
    # Files a killed command was still writing (and the older visible *.tmp names).
    for tmp in dead_temp_files(project.build_state) + list(project.build_state.glob("*.tmp")):
        tmp.unlink(missing_ok=True)
    pending = _pending(project)
    if pending.exists():
        try:
            record = json.loads(pending.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            record = {"steps": {}}
        manifest = read_manifest(project)
        adopted = [
            name
            for name, step_record in record.get("steps", {}).items()
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


def build(
    project: Project, targets: list[str] | None = None, force: bool = False, dry_run: bool = False, progress=None
) -> Outcome:
    started = time.perf_counter()
    files = raw_snapshot(project)  # read once: validated, built from and recorded, whatever happens to them meanwhile
    verdicts = status(project, targets, files)
    if force:
        for v in verdicts:
            v.reasons = v.reasons or ["forced"]
    stale = [v for v in verdicts if v.stale]
    up_to_date = [v.step.name for v in verdicts if not v.stale]
    if dry_run or not (stale or _leftovers(project) or unvalidated_raw(project, files=files)):
        return Outcome([v.step.name for v in stale] if dry_run else [], up_to_date, time.perf_counter() - started, [])
    with BuildLock(project), _in_memory_engine():
        for message in _recover(project):
            if progress:
                progress(message)
        raw_prints = raw_fingerprints(files)
        validated = _validated_tables(project, files)
        problems = list(validated.problems)
        if not stale:  # only tables that no step reads changed: record that they are valid
            manifest = read_manifest(project)
            manifest["validated_raw"] = raw_prints
            _write_manifest(project, manifest)
            return Outcome([], up_to_date, time.perf_counter() - started, problems, *_diagnose(project, validated))
        from censorstats import publish
        from censorstats.keys import check_foreign_keys
        from censorstats.steps import Context

        staging = project.build_state / f"staging-{os.getpid()}"
        publish.remove_tree(staging)
        staging.mkdir(parents=True)
        ctx = Context(project, staging, validated.tables)
        manifest = read_manifest(project)
        versions = all_library_versions()
        code = PackageCode(project.build_state)
        rebuilt = []
        try:
            for i, verdict in enumerate(verdicts, start=1):
                step = verdict.step
                hashes = _input_hashes(project, step.inputs, files, ctx.input)
                again = judge(project, step, manifest["steps"].get(step.name), hashes, versions, code)
                if not (again.stale or force):
                    continue
                t0 = time.perf_counter()
                _run(step, ctx)
                rebuilt.append(step.name)
                manifest["steps"][step.name] = {
                    "inputs": hashes,
                    "code": code.hash(step),
                    "versions": step_versions(versions, step),
                    "outputs": {p: sha256_file(staging / p) for p in step.outputs},
                    "package_version": _package_version(),
                }
                if progress:
                    progress(
                        f"[{i}/{len(verdicts)}] {step.name}: {'; '.join(again.reasons or ['forced'])} "
                        f"({time.perf_counter() - t0:.2f} s)"
                    )
            manifest["validated_raw"] = raw_prints
            if not rebuilt:
                _write_manifest(project, manifest)
            else:
                check_foreign_keys(ctx.input)  # references across steps' tables, before anyone can read them
                manifest["built"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                _publish(project, staging, manifest, [pipeline.step_named(name) for name in rebuilt])
        finally:
            try:
                publish.remove_tree(staging)
            except OSError:
                pass  # the next build removes it, or says why it cannot
        found, new = _diagnose(project, validated)
    up_to_date = [v.step.name for v in verdicts if v.step.name not in rebuilt]
    return Outcome(rebuilt, up_to_date, time.perf_counter() - started, problems, found, new)


def _package_version() -> str:
    from censorstats import __version__

    return __version__
