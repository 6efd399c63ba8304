"""Where the project's data lives: one place, so that tests can point a build at a scratch copy."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

PROVENANCE = "provenance.json"  # the sidecar in each output folder: which inputs and code made each file


# What must stay inside the project when it exists, as a whole: a link pointing out is an error.
LAYOUT = (
    "data",
    "data/raw",
    "data/processed",
    "data/.build",
    "reports",
    "reports/figures",
    "reports/html",
    "docs",
    "docs/codebook.md",
)
OUTPUT_FOLDERS = ("data/processed", "reports/figures", "reports/html")


class UnsafePath(Exception):
    """A path the project must not use (a link out of it, a FIFO, a loop): one line, path first."""

    def __init__(self, shown: str, message: str, code: str):
        self.shown, self.message, self.code = shown, message, code
        super().__init__(f"{shown}: {message} [{code}]")


def _default_root() -> Path:
    env = os.environ.get("CENSORSTATS_ROOT")
    if env:
        return Path(env).resolve()
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "data" / "raw").is_dir():
        return checkout
    return Path.cwd().resolve()


@dataclass(frozen=True)
class Project:
    """The folders of one censorstats project (a checkout, or a scratch copy in tests)."""

    root: Path

    @classmethod
    def default(cls) -> Project:
        return cls(_default_root())

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def figures(self) -> Path:
        return self.root / "reports" / "figures"

    @property
    def build_state(self) -> Path:
        """Lock, staging area and manifest live beside the outputs, never inside a published folder."""
        return self.root / "data" / ".build"

    def raw_file(self, table: str) -> Path:
        return self.raw / f"{table}.csv"

    def relative(self, path: Path) -> str:
        if not path.is_absolute():
            return path.as_posix()
        for candidate in (Path(os.path.abspath(path)), Path(os.path.realpath(path))):  # a symlink is named where it is
            try:
                return candidate.relative_to(self.root).as_posix()
            except ValueError:
                continue
        return path.as_posix()

    def outside(self, path: Path) -> str | None:
        """Where `path` really leads when that is outside the project (None when it stays inside).

        Raises UnsafePath for a link that cannot be resolved (a loop).
        """
        try:
            real = os.path.realpath(path, strict=False)
        except OSError as exc:
            raise UnsafePath(self.relative(path), f"cannot be resolved ({exc.strerror})", "bad_link") from None
        root = os.path.realpath(self.root)
        return None if real == root or real.startswith(root + os.sep) else real

    def check_inside(self, path: Path) -> None:
        """Refuse a path that leads out of the project (through a link of its own or of a folder on the way)."""
        try:
            os.stat(path)
        except FileNotFoundError:
            pass
        except OSError as exc:  # ELOOP: a link that leads to itself
            raise UnsafePath(self.relative(path), f"cannot be resolved ({exc.strerror})", "bad_link") from None
        target = self.outside(path)
        if target is not None:
            raise UnsafePath(
                self.relative(path),
                f"leads to {target}, outside the project; use a real folder or file here",
                "path_outside",
            )

    def check_layout(self) -> None:
        """Every folder a command reads or writes, and each entry of the output folders, stays inside the project."""
        for rel in LAYOUT:
            self.check_inside(self.root / rel)
        for rel in OUTPUT_FOLDERS:
            try:
                entries = list(os.scandir(self.root / rel))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in entries:
                if entry.is_symlink():
                    self.check_inside(Path(entry.path))

    def read_regular(self, path: Path) -> bytes:
        """The bytes of a regular file inside the project, read once.

        Checked before anything is read: a link out of the project, a FIFO (which would block),
        a socket or device, a folder, or a loop of links is refused with an UnsafePath.
        """
        shown = self.relative(path)
        self.check_inside(path)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            raise UnsafePath(shown, "file is missing", "missing_file") from None
        except PermissionError:
            raise UnsafePath(shown, "cannot be read (permission denied)", "unreadable") from None
        except OSError as exc:
            raise UnsafePath(shown, f"cannot be opened ({exc.strerror})", "unreadable") from None
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                raise UnsafePath(shown, "is a directory, not a file", "not_a_file")
            if not stat.S_ISREG(mode):
                raise UnsafePath(
                    shown, "is not a regular file (a FIFO, socket or device); nothing was read from it", "not_a_file"
                )
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        except OSError as exc:
            raise UnsafePath(shown, f"cannot be read ({exc.strerror})", "unreadable") from None
        finally:
            os.close(fd)


TEMP_SUFFIX = ".tmp"


def temp_name(path: Path) -> Path:
    """A new name beside `path` for a file still being written: hidden, with this process's id."""
    return path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}{TEMP_SUFFIX}")


def replace_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all, never through a name that already exists.

    The temporary file is created with O_EXCL (and O_NOFOLLOW) in the target folder, so a link
    planted at any name is never followed; the rename then replaces `path` itself (a link there
    is replaced, not written through). On any failure the temporary file is removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and not exc.filename:  # say which file could not be written
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise


def write_json_atomically(path: Path, data, sort_keys: bool = True) -> None:
    """The project's one JSON writer (provenance, manifest, problems): UTF-8, indented, whole or not at all."""
    import json

    replace_atomically(
        path, (json.dumps(data, indent=1, sort_keys=sort_keys, ensure_ascii=False) + "\n").encode("utf-8")
    )


def dead_temp_files(folder: Path) -> list[Path]:
    """Temporary files (temp_name) in `folder` whose writer process is gone: left by a killed command."""
    found = []
    for path in folder.glob(f".*{TEMP_SUFFIX}"):
        parts = path.name.rsplit(".", 3)
        if len(parts) == 4 and parts[1].isdigit() and not pid_alive(int(parts[1])):
            found.append(path)
    return found


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
