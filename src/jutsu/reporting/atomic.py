"""Write a set of result files all-or-nothing: the one writer of every report command.

``jutsu backtest``, ``grid``, ``wfo``, ``montecarlo``, ``overfit`` and ``quickstart`` render their
files to text first and hand them here. Writing goes in two phases so a full disk (the
reliability campaign's 64 KiB tmpfs) or a permission problem leaves no partial result behind:

1. every file is written to a hidden temporary name beside its target (``.<name>.<hex>.tmp``);
2. only when all are on disk are they renamed over their targets (a rename needs no new space;
   a target taken by a directory is refused before anything is written).

On any failure every temporary file is removed, a directory this call created is removed again
when it is left empty, and the caller gets one :class:`OutputWriteError` line —
``cannot write <dir>/<name>: No space left on device`` — instead of an ``OSError`` traceback.
Files of earlier runs and other files a user keeps in the directory are never touched.
"""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Mapping
from pathlib import Path

from jutsu.errors import OutputWriteError

__all__ = ["write_files_atomically"]


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _make_dir(out_dir: Path) -> list[Path]:
    """Create ``out_dir`` and missing parents; return the directories created, deepest first."""
    created: list[Path] = []
    probe = out_dir
    while not probe.exists() and probe != probe.parent:
        created.append(probe)
        probe = probe.parent
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _remove_empty(created)
        raise OutputWriteError(f"cannot write {out_dir}: {_reason(exc)}") from None
    return created


def _remove_empty(directories: list[Path]) -> None:
    for directory in directories:  # deepest first
        try:
            directory.rmdir()
        except OSError:
            return  # not empty (or already gone): keep it and everything above


def write_files_atomically(out_dir: Path, contents: Mapping[str, str]) -> list[Path]:
    """Write each ``name → text`` of ``contents`` into ``out_dir`` (created if needed).

    Returns the target paths in ``contents`` order.

    Raises:
        OutputWriteError: a file or the directory cannot be written; nothing of this call is
            left on disk (the previous files of the same names are still in place).
    """
    created = _make_dir(out_dir)
    staged: list[tuple[Path, Path]] = []
    current = out_dir
    try:
        for name, text in contents.items():
            current = out_dir / name
            if current.is_dir():  # the one rename failure that can be seen before writing
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            tmp = out_dir / f".{name}.{uuid.uuid4().hex[:12]}.tmp"
            staged.append((tmp, current))
            with tmp.open("x", encoding="utf-8", newline="") as fh:
                fh.write(text)  # a full disk surfaces here or when the file is closed
        for tmp, target in staged:
            current = target
            tmp.replace(target)
    except OSError as exc:
        _discard(staged, created)
        raise OutputWriteError(f"cannot write {current}: {_reason(exc)}") from None
    except BaseException:
        _discard(staged, created)
        raise
    return [target for _, target in staged]


def _discard(staged: list[tuple[Path, Path]], created: list[Path]) -> None:
    for tmp, _ in staged:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            continue
    _remove_empty(created)
