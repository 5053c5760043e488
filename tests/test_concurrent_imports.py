"""Imports running at once in separate processes (``kukm import``), on SQLite, PostgreSQL and
MariaDB: none fails, nothing is doubled or lost, every change is one version, and the counts
(``tabulasi`` / ``GROUP BY``) agree with the stored records and with the same files imported
one after the other. Also: a SQLite file locked past the busy timeout is a coded error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kukm.adapters.sqlite import SQLITE_BUSY, SqliteStore
from kukm.exceptions import StorageError
from kukm.pipeline.run import run_file
from kukm.plugins import open_store
from kukm.storage.base import Store
from kukm.synthetic import generate_umkm, write_csv
from services import mariadb_url, postgres_url, store_url  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes")

ROWS = 4000
FILES = 4
BATCH = 500


def _files(folder: Path, count: int = FILES) -> list[Path]:
    """``count`` files of other data (other seeds) over overlapping businesses: file j holds
    NIB j·ROWS/4 … j·ROWS/4 + ROWS, so each business is in one to four of them."""
    out = []
    for j in range(count):
        path = folder / f"umkm_{j}.csv"
        write_csv(path, generate_umkm(ROWS, seed=100 + j, faulty_share=0.0, start=j * ROWS // 4))
        out.append(path)
    return out


def _import_at_once(url: str, files: list[Path]) -> None:
    """``kukm import`` of every file, all processes started before any is waited for."""
    env = {**os.environ, "KUKM_DATABASE_URL": url}
    procs = []
    for f in files:
        args = [sys.executable, "-m", "kukm", "import", str(f), "--kind", "umkm", "--source",
                "sudin", "--workers", "0", "--batch-size", str(BATCH), "--db", url]  # fmt: skip
        procs.append(
            subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        )
    failures = []
    for f, proc in zip(files, procs, strict=True):
        out, err = proc.communicate(timeout=120)
        if proc.returncode != 0 or "Traceback" in err:
            failures.append(f"{f.name}: exit {proc.returncode}\n{out[-500:]}\n{err[-1500:]}")
    assert not failures, "\n".join(failures)


def _state(store: Store) -> tuple[dict[str, int], int, int]:
    """(id → number of versions, count(), tabulate total) of the stored UMKM."""
    ids = [r.id for r in store.iter_records("umkm")]
    assert len(ids) == len(set(ids))  # one current version per business
    versions = {}
    for rid in ids:
        history = store.history("umkm", rid)
        assert [h.version for h in history] == list(range(1, len(history) + 1))  # none skipped
        assert len({h.content_hash for h in history}) == len(history)  # each one a change
        versions[rid] = len(history)
    total = sum(n for _, n in store.tabulate("umkm", ["kab_kota", "skala"]))
    return versions, store.count("umkm"), total


def _one_after_another(files: list[Path]) -> dict[str, int]:
    with SqliteStore("sqlite://") as ref:
        for f in files:
            run_file(f, kind="umkm", store=ref, source="sudin", workers=0, batch_size=BATCH)
        versions, count, total = _state(ref)
    assert count == total == len(versions)
    return versions


def test_overlapping_files_imported_at_once(store_url: str, tmp_path: Path) -> None:  # noqa: F811
    """MariaDB: two batches of overlapping new ids locked the same index gaps and deadlocked
    on every retry; one import of four failed with SQL_WRITE_CONFLICT in most runs."""
    files = _files(tmp_path)
    _import_at_once(store_url, files)
    store = open_store(store_url)
    try:
        versions, count, total = _state(store)
    finally:
        store.close()
    expected = _one_after_another(files)
    assert versions == expected  # nothing lost, doubled or skipped; one version per change
    assert count == total == len(expected)


def test_same_file_imported_twice_at_once(store_url: str, tmp_path: Path) -> None:  # noqa: F811
    (f,) = _files(tmp_path, 1)
    _import_at_once(store_url, [f, f, f])
    store = open_store(store_url)
    try:
        versions, count, total = _state(store)
    finally:
        store.close()
    assert set(versions.values()) == {1}
    assert count == total == len(versions) == ROWS


HOLD = textwrap.dedent(
    """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    time.sleep(60)
    """
)


def test_sqlite_locked_past_the_busy_timeout_is_a_coded_error(tmp_path: Path) -> None:
    """The lock held by another process past the busy timeout raised a bare
    ``sqlite3.OperationalError: database is locked`` (a traceback from ``kukm import``)."""
    path = tmp_path / "kukm.sqlite"
    url = f"sqlite:///{path}"
    SqliteStore(url).close()
    (f,) = _files(tmp_path, 1)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().startswith("locked")
        with pytest.raises(StorageError) as opening:
            SqliteStore(url, busy_timeout=0.2)
        assert opening.value.code == SQLITE_BUSY
        holder.kill()
        holder.wait()
        store = SqliteStore(url, busy_timeout=0.2)
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert holder.stdout is not None and holder.stdout.readline().startswith("locked")
        try:
            with pytest.raises(StorageError) as importing:
                run_file(f, kind="umkm", store=store, source="sudin", workers=0)
            assert importing.value.code == SQLITE_BUSY
            assert str(path) in str(importing.value)
            for write in (
                lambda: store.put_document("c", "k", {}),
                lambda: store.allocate_sequence("p"),
            ):
                with pytest.raises(StorageError) as writing:
                    write()
                assert writing.value.code == SQLITE_BUSY
        finally:
            holder.kill()
            holder.wait()
        # the lock gone, the same store imports the file, all of it
        summary = run_file(f, kind="umkm", store=store, source="sudin", workers=0)
        assert summary.inserted == store.count("umkm") == ROWS
        store.close()
    finally:
        holder.kill()
        holder.wait()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status  # ended; its new parent has not reaped it yet


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_import_killed_then_run_again(store_url: str, tmp_path: Path) -> None:  # noqa: F811
    """``kukm import --workers 1`` killed with SIGKILL mid-import: its reader process ends too
    (it stayed behind for good, blocked on the full queue to the dead importer), the store
    holds whole batches, and running the import again gives what one clean import gives."""
    import time

    path = tmp_path / "besar.csv"
    write_csv(path, generate_umkm(3 * ROWS, seed=7, faulty_share=0.0))
    args = [sys.executable, "-m", "kukm", "import", str(path), "--kind", "umkm", "--source",
            "sudin", "--workers", "1", "--batch-size", "100", "--db", store_url]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    store = open_store(store_url) if not store_url.startswith("sqlite") else None
    try:
        deadline = time.monotonic() + 60
        while True:  # wait until some batches are committed
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            if store is None and Path(store_url.removeprefix("sqlite:///")).exists():
                store = open_store(store_url)
            if store is not None and len(list(store.iter_documents("kukm_import_batches"))) >= 3:
                break
            assert time.monotonic() < deadline, "no batch committed"
            time.sleep(0.05)
        readers = _children(proc.pid)
        assert readers  # the reader process
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 15
        while not all(_gone(r) for r in readers) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [r for r in readers if not _gone(r)]
        for r in left:
            os.kill(r, signal.SIGKILL)
        assert not left, "the reader process outlived the killed import"
        assert store is not None
        versions, count, total = _state(store)
        assert 0 < count < 3 * ROWS and count % 100 == 0  # whole batches
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if store is not None:
            store.close()
    again = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    store = open_store(store_url)
    try:
        versions, count, total = _state(store)
    finally:
        store.close()
    assert count == total == len(versions) == 3 * ROWS
    assert set(versions.values()) == {1}
