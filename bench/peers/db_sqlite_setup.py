"""Make the SQLite database of bench/run.sh's db-sqlite workload.

    db_sqlite_setup.py FILE [ROWS]

FILE (made again if it exists) gets the table kv(id INTEGER PRIMARY KEY,
name TEXT, score REAL) with ROWS rows (10,000 by default): id 1..ROWS,
name 'name <id>', score id * 0.5, and is put in WAL mode (which stays
with the file). Every peer reads the same file; each insert run makes and
drops a table of its own.
"""
import os
import sqlite3
import sys


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    path = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) == 3 else 10000
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE kv (id INTEGER PRIMARY KEY, name TEXT, score REAL)")
    con.executemany("INSERT INTO kv VALUES (?, ?, ?)", ((i, f"name {i}", i * 0.5) for i in range(1, rows + 1)))
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    print(f"{path}: kv with {rows} rows, WAL mode")


if __name__ == "__main__":
    main()
