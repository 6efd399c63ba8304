"""Where the project's data lives: one place, so that tests can point a build at a scratch copy."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

RAW_TABLES = ("sources", "authorities", "campaigns", "platforms", "metrics", "reports", "reach")
OPTIONAL_RAW_TABLES = ("corrections",)
PROVENANCE = "provenance.json"  # the sidecar in each output folder: which inputs and code made each file


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
        for candidate in (Path(os.path.abspath(path)), path.resolve()):  # a symlink is named where it is
            try:
                return candidate.relative_to(self.root).as_posix()
            except ValueError:
                continue
        return path.as_posix()
