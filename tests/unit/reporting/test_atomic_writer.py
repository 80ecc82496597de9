"""The one writer of every report command: all files or none, one line when the disk says no.

Failures are real ones from the operating system: a name taken by a directory (the rename
fails after every temporary file is on disk), a path under a regular file (the directory
cannot be made), and — where the test may mount one — a 16 KiB tmpfs that fills up mid-write.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from jutsu.errors import OutputWriteError
from jutsu.reporting.atomic import write_files_atomically


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_writes_every_file_and_keeps_other_files(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    out.mkdir(parents=True)
    (out / "notes.txt").write_text("mine")
    (out / "summary.json").write_text("old")
    paths = write_files_atomically(out, {"summary.json": "{}\n", "equity.csv": "date\n"})
    assert paths == [out / "summary.json", out / "equity.csv"]
    assert (out / "summary.json").read_text() == "{}\n"
    assert _names(out) == ["equity.csv", "notes.txt", "summary.json"]


def test_a_failed_rename_leaves_the_previous_files_and_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("previous run")
    (out / "report.html").mkdir()  # the rename over it fails with IsADirectoryError
    with pytest.raises(OutputWriteError) as info:
        write_files_atomically(out, {"summary.json": "new", "report.html": "<html>"})
    assert str(info.value).startswith(f"cannot write {out / 'report.html'}: ")
    assert "\n" not in str(info.value)
    assert _names(out) == ["report.html", "summary.json"]
    assert (out / "summary.json").read_text() == "previous run"


def test_an_unmakeable_directory_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputWriteError, match=f"^cannot write {blocker}/out: "):
        write_files_atomically(blocker / "out", {"a.csv": "x"})


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    target = tmp_path / "tiny"
    target.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(target)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def test_a_full_disk_leaves_nothing_behind(tiny_disk: Path) -> None:
    (tiny_disk / "keep.txt").write_text("kept")
    out = tiny_disk / "new" / "report"
    contents = {"summary.json": "{}\n", "big.csv": "1234567\n" * 8192, "report.html": "<html>"}
    with pytest.raises(OutputWriteError) as info:
        write_files_atomically(out, contents)
    assert str(info.value) == f"cannot write {out / 'big.csv'}: No space left on device"
    assert _names(tiny_disk) == ["keep.txt"]  # temporary files and the directories it made: gone
    # and the same files fit once there is room
    assert len(write_files_atomically(out, {"summary.json": "{}\n"})) == 1
