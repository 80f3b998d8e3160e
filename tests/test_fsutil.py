"""Atomic writes: never a half-written file, never a replaced device."""

from __future__ import annotations

import os
import stat

from govcheck.util.fsutil import atomic_write_bytes


def test_writes_and_keeps_mode(tmp_path):
    p = tmp_path / "a.md"
    p.write_bytes(b"old")
    os.chmod(p, 0o600)
    atomic_write_bytes(p, b"new")
    assert p.read_bytes() == b"new" and stat.S_IMODE(p.stat().st_mode) == 0o600


def test_device_is_written_not_replaced():
    atomic_write_bytes("/dev/null", b"report\n")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_is_written_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    r = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        atomic_write_bytes(fifo, b"x")
        assert os.read(r, 10) == b"x"
    finally:
        os.close(r)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_symlink_target_is_written(tmp_path):
    target = tmp_path / "real.md"
    target.write_bytes(b"old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    atomic_write_bytes(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"


def test_new_file_gets_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "new.md", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o644
