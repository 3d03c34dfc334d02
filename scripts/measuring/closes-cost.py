#!/usr/bin/env python3
"""What one Friday's closes cost the load in a warehouse, by how the closes are found again
(issue 17: the load's growth over a year of Fridays): schema 18's index of closed versions by
activity id (`activity_gone`), schema 19's recent log of closes (`ClosedMeasures`, folded into
the settled table by `amfora maintain`), or neither. On a copy of WAREHOUSE (which is never
written), 21,000 random current versions are closed as the load closes them, one UPDATE each
(and for the log one INSERT each) in one transaction, then the log is checkpointed; each way
twice. Prints the time of each and the pages written to the write-ahead log.

    python3 scripts/measuring/closes-cost.py WAREHOUSE [closes]
"""
import os, shutil, sqlite3, sys, tempfile, time

source = sys.argv[1]
closes = int(sys.argv[2]) if len(sys.argv) > 2 else 21000
LOG = ("CREATE TABLE IF NOT EXISTS activity_closed_recent (activity_id INTEGER NOT NULL, closed_in INTEGER NOT NULL, "
       "PRIMARY KEY (activity_id, closed_in)) WITHOUT ROWID")
with tempfile.TemporaryDirectory(prefix="amfora-closes-") as folder:
    copy = os.path.join(folder, "w.sqlite")
    for variant in ["activity_gone", "recent log", "neither", "activity_gone", "recent log", "neither"]:
        for suffix in ["", "-wal", "-shm"]:
            if os.path.exists(copy + suffix):
                os.remove(copy + suffix)
        shutil.copy(source, copy)
        db = sqlite3.connect(copy, isolation_level=None)
        # As the warehouse opens itself (Warehouse.swift), with the checkpoint left to the end.
        for pragma in ["journal_mode=WAL", "cache_size=-262144", "synchronous=NORMAL", "wal_autocheckpoint=0"]:
            db.execute("PRAGMA " + pragma)
        db.execute("CREATE TEMP TABLE pick AS SELECT version_id FROM activity WHERE closed_in IS NULL ORDER BY random() LIMIT ?", (closes,))
        if variant == "activity_gone":
            db.execute("CREATE INDEX IF NOT EXISTS activity_gone ON activity (activity_id) WHERE closed_in IS NOT NULL")
        else:
            db.execute("DROP INDEX IF EXISTS activity_gone")
        if variant == "recent log":
            db.execute(LOG)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # The pages the closes touch, in the cache first, as in a load that has read them.
        db.execute("SELECT count(*) FROM activity INDEXED BY activity_current WHERE closed_in IS NULL").fetchone()
        if variant == "activity_gone":
            db.execute("SELECT count(*) FROM activity INDEXED BY activity_gone WHERE closed_in IS NOT NULL").fetchone()
        if variant == "recent log":
            db.execute("SELECT count(*) FROM activity_closed_recent").fetchone()
        db.execute("SELECT sum(length(cprnr)) FROM activity").fetchone()
        started = time.perf_counter()
        db.execute("BEGIN")
        for (version,) in db.execute("SELECT version_id FROM temp.pick").fetchall():
            db.execute("UPDATE activity SET closed_in = 99999, last_batch = 99999 WHERE version_id = ?", (version,))
            if variant == "recent log":
                db.execute("INSERT OR IGNORE INTO activity_closed_recent (activity_id, closed_in) "
                           "SELECT activity_id, 99999 FROM activity WHERE version_id = ?", (version,))
        db.execute("COMMIT")
        committed = time.perf_counter()
        pages = db.execute("PRAGMA wal_checkpoint").fetchone()[1]
        checkpointed = time.perf_counter()
        print(f"{variant:14} {closes:,} closes: update and commit {committed - started:.3f} s, "
              f"{pages:,} pages to the log, checkpoint {checkpointed - committed:.3f} s", flush=True)
        db.close()
