#!/usr/bin/env python3
"""What one Friday's closes cost the load in a warehouse, with and without the `activity_gone`
index (issue 17: the load's growth over a year of Fridays). On a copy of WAREHOUSE (which is
never written), 21,000 random current versions are closed as the load closes them, one UPDATE
each in one transaction, then the log is checkpointed; twice with the index and twice without.
Prints the time of each and the pages written to the log.

    python3 scripts/measuring/closes-cost.py WAREHOUSE [closes]
"""
import os, shutil, sqlite3, sys, tempfile, time

source = sys.argv[1]
closes = int(sys.argv[2]) if len(sys.argv) > 2 else 21000
with tempfile.TemporaryDirectory(prefix="amfora-closes-") as folder:
    copy = os.path.join(folder, "w.sqlite")
    for variant in ["with activity_gone", "without", "with activity_gone", "without"]:
        for suffix in ["", "-wal", "-shm"]:
            if os.path.exists(copy + suffix):
                os.remove(copy + suffix)
        shutil.copy(source, copy)
        db = sqlite3.connect(copy, isolation_level=None)
        # As the warehouse opens itself (Warehouse.swift), with the checkpoint left to the end.
        for pragma in ["journal_mode=WAL", "cache_size=-262144", "synchronous=NORMAL", "wal_autocheckpoint=0"]:
            db.execute("PRAGMA " + pragma)
        db.execute("CREATE TEMP TABLE pick AS SELECT version_id FROM activity WHERE closed_in IS NULL ORDER BY random() LIMIT ?", (closes,))
        if variant == "without":
            db.execute("DROP INDEX activity_gone")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # The pages the closes touch, in the cache first, as in a load that has read them.
        db.execute("SELECT count(*) FROM activity INDEXED BY activity_current WHERE closed_in IS NULL").fetchone()
        if variant != "without":
            db.execute("SELECT count(*) FROM activity INDEXED BY activity_gone WHERE closed_in IS NOT NULL").fetchone()
        db.execute("SELECT sum(length(cprnr)) FROM activity").fetchone()
        started = time.perf_counter()
        db.execute("BEGIN")
        for (version,) in db.execute("SELECT version_id FROM temp.pick").fetchall():
            db.execute("UPDATE activity SET closed_in = 99999, last_batch = 99999 WHERE version_id = ?", (version,))
        db.execute("COMMIT")
        committed = time.perf_counter()
        pages = db.execute("PRAGMA wal_checkpoint").fetchone()[1]
        checkpointed = time.perf_counter()
        print(f"{variant:18} {closes:,} closes: update and commit {committed - started:.3f} s, "
              f"{pages:,} pages to the log, checkpoint {checkpointed - committed:.3f} s", flush=True)
        db.close()
