"""Putting a build's outputs in place so that readers only ever see a complete version.

A build writes its new files into a staging folder. Publication then, for each output folder
(data/processed/, reports/figures/):

1. completes the staged folder: every file of the live folder that was not rebuilt is
   hard-linked in (copied where links are not possible), and the provenance sidecar is added;
2. exchanges the staged and the live folder in one atomic step (renameat2 RENAME_EXCHANGE on
   Linux, renamex_np RENAME_SWAP on macOS), so the live path always names a complete folder:
   the old one or the new one, never a mix.

Where the system has no atomic exchange the live folder is renamed aside and the new one renamed
in; a build killed between the two renames leaves the live folder missing for a moment, and the
next build puts the old one back (`recover`).
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
from pathlib import Path

from censorstats.paths import PROVENANCE, write_json_atomically

ASIDE = "aside"


def _libc():
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically; False where the system or file system cannot."""
    libc = _libc()
    if libc is None:
        return False
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        at_fdcwd, rename_exchange = -100, 2
        result = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        rename_swap = 2
        result = libc.renamex_np(os.fsencode(a), os.fsencode(b), rename_swap)
    else:
        return False
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _link_or_copy(src: str, dst: str) -> None:
    if os.path.lexists(dst):  # rebuilt in this run: the staged file wins
        return
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def complete(staged: Path, live: Path) -> None:
    """Fill the staged folder with every live file that this build did not replace."""
    staged.mkdir(parents=True, exist_ok=True)
    if live.is_dir():
        shutil.copytree(live, staged, copy_function=_link_or_copy, dirs_exist_ok=True, symlinks=True)


def write_provenance(folder: Path, records: dict[str, dict]) -> None:
    """The sidecar that travels with the folder: for each file, the inputs and code it came from."""
    # Written as a new file, never in place: the staged name may be a hard link to the live file.
    write_json_atomically(folder / PROVENANCE, {"files": records})


def swap_in(staged: Path, live: Path) -> None:
    """Make `staged` the live folder at once; the previous live folder ends up at `staged`."""
    live.parent.mkdir(parents=True, exist_ok=True)
    if not live.exists():
        os.rename(staged, live)
        return
    if _exchange(staged, live):
        return
    aside = staged.parent / f"{ASIDE}-{live.name}"
    os.rename(live, aside)
    os.rename(staged, live)
    os.rename(aside, staged)


def recover(staging_root: Path, live_folders: dict[str, Path]) -> list[str]:
    """Undo what a killed build left behind in the folders; return what was done.

    Called with the build lock held, so every staging folder belongs to a build that is gone.
    `live_folders` maps a folder's path relative to the project (as staged) to its live path.
    """
    done = []
    for staging in sorted(staging_root.glob("staging-*")):
        for rel, live in live_folders.items():
            aside = (staging / rel).parent / f"{ASIDE}-{live.name}"
            if aside.is_dir() and not live.exists():
                os.rename(aside, live)
                done.append(f"restored {rel} from an interrupted build")
        remove_tree(staging)
    return done


def remove_tree(folder: Path) -> None:
    """Remove a staging folder entirely, also when a folder in it was made read-only.

    A staging folder that cannot be removed would make every later build think a killed one
    needs repair; if it still cannot be removed, that is an error naming it.
    """

    def writable_then_retry(function, path, _exc):
        os.chmod(os.path.dirname(path), 0o700)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, 0o700)
        function(path)

    if os.path.lexists(folder):
        shutil.rmtree(folder, onerror=writable_then_retry)
