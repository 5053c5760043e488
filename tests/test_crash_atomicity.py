"""SIGKILL during a SQLite batch write: the file stays consistent, the batch is
fully in or fully out, and running the batch again completes it exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

N = 4_000

CHILD = textwrap.dedent(
    """
    import sys, time
    from kukm.adapters.sqlite import SqliteStore
    from kukm.testing.conformance import umkm_op

    url, mode = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3])
    store = SqliteStore(url)
    store.conn.execute("PRAGMA cache_size = 50")  # spill pages into the WAL mid-transaction

    if mode == "hang":
        real = store._conn

        class Proxy:
            def __getattr__(self, name):
                return getattr(real, name)

            def execute(self, *a):
                return real.execute(*a)

            def executemany(self, sql, rows):
                rows = list(rows)
                if sql.startswith("INSERT INTO records"):
                    real.executemany(sql, rows[: len(rows) // 2])
                    print("mid", flush=True)
                    time.sleep(120)
                return real.executemany(sql, rows)

        store._conn = Proxy()

    if mode == "loop":
        for b in range(10_000):
            print("batch", b, flush=True)
            store.write_batch([umkm_op(b * 100 + i) for i in range(100)], batch_key=f"loop-{b}")
    else:
        ops = [umkm_op(i) for i in range(n)]
        print("start", flush=True)
        result = store.write_batch(ops, batch_key="besar")
        print("done", result.inserted, result.updated, result.unchanged, result.replayed, flush=True)
    store.close()
    """
)


def _spawn(url: str, mode: str, n: int = N) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, url, mode, str(n)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(proc: subprocess.Popen[str], word: str) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(word):
            return
    raise AssertionError(f"child ended before {word!r}: {proc.stderr.read() if proc.stderr else ''}")


def _check(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        records = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        current = conn.execute("SELECT COUNT(*) FROM current").fetchone()[0]
        batches = conn.execute("SELECT COUNT(*) FROM batches").fetchone()[0]
        assert records == current
        return records, batches
    finally:
        conn.close()


def test_sigkill_mid_batch_then_rerun(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite"
    url = f"sqlite:///{path}"
    proc = _spawn(url, "hang")
    _wait_for(proc, "mid")  # half of the rows are written inside the open transaction
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert _check(path) == (0, 0)  # fully out

    proc = _spawn(url, "full")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert f"done {N} 0 0 False" in out
    assert _check(path) == (N, 1)  # fully in

    proc = _spawn(url, "full")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert f"done {N} 0 0 True" in out  # replay adds nothing
    assert _check(path) == (N, 1)


def test_sigkill_at_a_random_moment_of_many_batches(tmp_path: Path) -> None:
    path = tmp_path / "loop.sqlite"
    proc = _spawn(f"sqlite:///{path}", "loop")
    assert proc.stdout is not None
    seen = 0
    for line in proc.stdout:
        seen += line.startswith("batch")
        if seen == 6:
            break
    time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    records, batches = _check(path)
    assert records == 100 * batches  # every batch fully in or fully out
    assert batches >= 4
