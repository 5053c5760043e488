"""The floor every import benchmark compares with: a CSV file into SQLite, no checks at all.

``csv.reader`` → ``executemany`` into a table of text columns named as the file's header,
5,000 rows a transaction (what a script with no rules would do).
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path


def raw_csv_load(path: Path, db: sqlite3.Connection, table: str) -> int:
    """Load ``path`` into a new ``table`` of ``db``; the number of rows loaded."""
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        cols = ", ".join(f'"{c}" TEXT' for c in header)
        db.execute(f"CREATE TABLE {table} ({cols})")
        sql = f"INSERT INTO {table} VALUES ({', '.join('?' for _ in header)})"
        n = 0
        batch: list[list[str]] = []
        for row in reader:
            batch.append(row)
            if len(batch) >= 5000:
                db.executemany(sql, batch)
                db.commit()
                n += len(batch)
                batch = []
        db.executemany(sql, batch)
        db.commit()
        return n + len(batch)
