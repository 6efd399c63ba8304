"""Create .venv from the hash-pinned locks in a few seconds: pip installs only uv, then uv the rest.

Why: pip installs the ~60 pinned wheels of requirements.lock one at a time (25-63 s on a 2-core
machine); uv downloads and installs them in parallel. uv itself is installed by pip from
requirements-bootstrap.lock, hash-checked like everything else, so nothing but Python 3.11+ is
needed beforehand.

uv does not read pip's configuration (pip.conf, PIP_* variables). A machine whose pip is set up
with a local mirror, extra indexes or a company certificate would have uv ask only pypi.org, so
the settings pip would use are read from `pip config list` and handed to uv as options.

Standard library only: this runs before anything is installed. Run by `make`
(`python3 tools/setup_venv.py [VENV]`) and `make lock` (`python3 tools/setup_venv.py --lock VENV`).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOTSTRAP_LOCK = ROOT / "requirements-bootstrap.lock"
LOCK = ROOT / "requirements.lock"

# pip reads "global", then the command's own section, then PIP_* variables; later wins.
SECTIONS_BY_PRECEDENCE = ("global", "install", ":env:")


def pip_settings(config_list: str) -> dict[str, str]:
    """The settings `pip install` would use, from the text `pip config list` prints.

    Each line reads `section.key='value'` (the value as a Python literal); PIP_* variables show
    as section `:env:`.
    """
    by_section: dict[str, dict[str, str]] = {}
    for line in config_list.splitlines():
        name, sep, literal = line.partition("=")
        if not sep or "." not in name:
            continue
        section, key = name.rsplit(".", 1)
        by_section.setdefault(section, {})[key] = str(ast.literal_eval(literal))
    settings: dict[str, str] = {}
    for section in SECTIONS_BY_PRECEDENCE:
        settings.update(by_section.get(section, {}))
    return settings


def uv_index_options(settings: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """uv's command-line options and environment for the same indexes, links and certificate.

    With extra indexes or find-links, uv by default takes each package from the first index
    that lists it (a guard against dependency confusion) and so misses a pinned version that a
    later index has; pip picks the best match across all of them. Every file is hash-checked
    against the lock, so pip's behaviour is safe here and is the one asked for.
    """
    options: list[str] = []
    env: dict[str, str] = {}
    if settings.get("no-index", "").lower() in ("1", "true", "yes", "on"):
        options.append("--no-index")
    if "index-url" in settings:
        options += ["--index-url", settings["index-url"]]
    for url in settings.get("extra-index-url", "").split():
        options += ["--extra-index-url", url]
    for link in settings.get("find-links", "").split():
        options += ["--find-links", link]
    for host in settings.get("trusted-host", "").split():
        options += ["--allow-insecure-host", host]
    if "extra-index-url" in settings or "find-links" in settings:
        options += ["--index-strategy", "unsafe-best-match"]
    if "cert" in settings:
        env["SSL_CERT_FILE"] = settings["cert"]
    if "client-cert" in settings:
        env["SSL_CLIENT_CERT"] = settings["client-cert"]
    return options, env


def run(*cmd: str | Path, env: dict[str, str] | None = None, capture: bool = False) -> str:
    """Run a command, failing the set-up with its own message when it fails."""
    done = subprocess.run(
        [str(c) for c in cmd], check=True, text=True, capture_output=capture, env={**os.environ, **(env or {})}
    )
    return done.stdout or ""


def pip_of_this_python() -> tuple[str, ...] | None:
    """`python -m pip` of the interpreter running this script, if it can install into another one.

    pip 22.3 and newer take `--python`, so the new venv needs no pip of its own: creating a venv
    with pip (ensurepip) took 2.7-5.2 s of a set-up of 10-20 s here.
    """
    found = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, text=True)
    version = found.stdout.split()[1] if found.returncode == 0 and found.stdout.startswith("pip ") else "0"
    major_minor = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
    return (sys.executable, "-m", "pip") if major_minor >= (22, 3) else None


def uv_settings(pip: tuple[str | Path, ...]) -> tuple[list[str], dict[str, str]]:
    """uv's options and environment for the index settings this pip would use."""
    return uv_index_options(pip_settings(run(*pip, "config", "list", capture=True)))


def _compile(lock_file: Path, command: tuple[str | Path, ...], env: dict[str, str]) -> None:
    """uv pip compile into a copy of `lock_file`, which is replaced only if its content changed.

    uv rewrites its output even when nothing changed; a lock whose content is the same keeps its
    time, so that make does not set up .venv again for nothing.
    """
    new = lock_file.with_name(lock_file.name + ".new")
    if lock_file.exists():
        shutil.copyfile(lock_file, new)  # uv keeps the pins it finds in its output file
    run(*command, "-o", new, env=env)
    if lock_file.exists() and new.read_bytes() == lock_file.read_bytes():
        new.unlink()
    else:
        os.replace(new, lock_file)


def lock(uv: Path, upgrade: bool = False) -> None:
    """Re-pin both locks with uv (`make lock`): keep every pin that still fits, or with `make lock
    UPGRADE=1`, move every pin to its newest release. Run after changing the dependencies in
    pyproject.toml or requirements-bootstrap.in.
    """
    pip = pip_of_this_python()
    if pip is None:
        sys.exit("make lock needs pip 22.3 or newer in the Python that runs it (PYTHON=...)")
    options, env = uv_settings(pip)
    compile_: tuple[str | Path, ...] = (
        uv,
        "pip",
        "compile",
        "--quiet",
        "--generate-hashes",
        "--custom-compile-command",
        "make lock",
        *options,
        *(["--upgrade"] if upgrade else []),
    )
    _compile(LOCK, (*compile_, "--extra", "dev", "--python-version", "3.11", ROOT / "pyproject.toml"), env)
    _compile(BOOTSTRAP_LOCK, (*compile_, "--universal", ROOT / "requirements-bootstrap.in"), env)


def main(venv: Path) -> None:
    """A fresh venv every time, so the environment is exactly the lock (nothing left from before).

    Bytecode is compiled at install time, as pip does: otherwise each import compiles it again
    wherever PYTHONDONTWRITEBYTECODE is set (importing polars, pandera and matplotlib took
    1.4 s instead of 0.5 s here).
    """
    python, uv = venv / "bin" / "python", venv / "bin" / "uv"
    pip: tuple[str | Path, ...] | None = pip_of_this_python()
    if pip is not None:
        run(sys.executable, "-m", "venv", "--clear", "--without-pip", venv)
        pip = (*pip, "--python", python)
    else:  # no usable pip here: the venv gets its own
        run(sys.executable, "-m", "venv", "--clear", venv)
        pip = (python, "-m", "pip")
    quiet_pip = ("--quiet", "--disable-pip-version-check")
    run(*pip, "install", *quiet_pip, "--require-hashes", "--no-deps", "-r", BOOTSTRAP_LOCK)
    options, env = uv_settings(pip)
    uv_pip: tuple[str | Path, ...] = (uv, "pip", "install", "--quiet", "--python", python, *options)
    run(*uv_pip, "--require-hashes", "--no-deps", "--compile-bytecode", "-r", LOCK, env=env)
    run(*uv_pip, "--no-deps", "--editable", ROOT, env=env)


if __name__ == "__main__":
    try:
        if sys.argv[1:2] == ["--lock"]:
            lock(Path(sys.argv[2]) / "bin" / "uv", upgrade="--upgrade" in sys.argv[3:])
        else:
            main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".venv")
    except subprocess.CalledProcessError as failed:
        sys.exit(f"set-up failed: {' '.join(failed.cmd)} exited with {failed.returncode}")
