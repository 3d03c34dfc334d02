#!/usr/bin/env python3
"""Crash-point harness for `amfora run`: kill -9 at fault points and a full disk, then the rerun.

For two consecutive Fridays it builds a clean reference (Friday 1, then Friday 2, into a fresh
warehouse) and compares it with what the documented rerun (the same command again) leaves after
the run was killed at a fault point (AMFORA_FAULT_KILL_AT), or ran out of space
(AMFORA_FAULT_MAX_PAGES; and, as root, a real tmpfs that fills up).

A comparison ("dump") covers every `v_*` view (columns ending in `_at` dropped, rows sorted),
PRAGMA integrity_check, the bytes of Friday 2's report CSV files (stages.csv excepted) and any
`*.tmp*` file left under the reports directory.

With --postgres the warehouse is a PostgreSQL database on the server AMFORA_TEST_POSTGRES names
(scripts/pg-cluster.sh; the password in PGPASSFILE): a trial's starting state is a copy of a
database (CREATE DATABASE … TEMPLATE), the dump covers every view of the schemas `analyst` and
`disclosure`, read with psql. The full-disk trials are SQLite's (its page limit, a tmpfs under
the warehouse file): a server's full disk is not this process's to fill, and the error it gives
ends the delivery's transaction as a kill does.

usage:
  scripts/crash_points.py [--amfora PATH] [--inbox samples|generated] [--records N] [--seed S]
                          [--points K] [--disk-full K] [--seconds S] [--show N] [--raw-ids]
                          [--keep] [-v] [--postgres]

  --points 0 tries every fault point. Exit status 0 iff every trial left the same warehouse as
  the clean run; the last line is `crashpoints: N passed, M failed`. Python 3 stdlib only.
"""

import argparse
import collections
import csv
import io
import uuid
import math
import operator
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CPR_RE = re.compile(r"(\d{6})-?(\d{4})")
RUN_TIMEOUT = 600


def mask(text):
    return CPR_RE.sub(r"\1-****", str(text))


class HarnessError(Exception):
    pass


class Harness:
    def __init__(self, args):
        self.args = args
        self.verbose = args.verbose
        self.root = tempfile.mkdtemp(prefix="amfora-crashpoints-")
        self.w = os.path.join(self.root, "W")  # every trial's warehouse lives at this same path
        self.mounted = False
        self.start = time.monotonic()
        self.budget_hit = None
        self.shown = 0
        self.results = []  # dicts: kind, friday, k, stage, point, ok, note
        self.pg = Postgres() if args.postgres else None

    # ---------------------------------------------------------------- setup

    def setup(self):
        src = self.args.amfora or os.path.join(REPO, ".build", "debug", "amfora")
        if not os.path.isfile(src) or not os.access(src, os.X_OK):
            raise HarnessError(f"no executable amfora at {src} (build it, or pass --amfora PATH)")
        self.bin = os.path.join(self.root, "amfora")
        shutil.copy2(src, self.bin)  # a rebuild mid-run must not change the binary under test
        inbox = os.path.join(self.root, "inbox")
        if self.args.inbox == "samples":
            samples = os.path.join(REPO, "samples")
            os.mkdir(inbox)
            for name in sorted(os.listdir(samples)):
                if DATE_RE.match(name) and os.path.isdir(os.path.join(samples, name)):
                    shutil.copytree(os.path.join(samples, name), os.path.join(inbox, name))
        else:
            gen = os.path.join(REPO, "scripts", "generate_inbox.py")
            cmd = [sys.executable, gen, "--out", inbox, "--records", str(self.args.records),
                   "--seed", str(self.args.seed)]
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                raise HarnessError(f"generate_inbox.py failed ({p.returncode}): {p.stderr.strip()}")
            if self.verbose:
                print(p.stdout.strip() or p.stderr.strip())
        days = sorted(d for d in os.listdir(inbox)
                      if DATE_RE.match(d) and os.path.isdir(os.path.join(inbox, d)))
        if len(days) < 2:
            raise HarnessError(f"need two Friday directories in the inbox, found {days}")
        self.fridays = [(d, os.path.join(inbox, d)) for d in days[-2:]]
        if self.pg:
            self.pg.setup(self)
        print(f"amfora {src} (copied to {self.bin})")
        print(f"inbox {self.args.inbox}: Friday 1 {days[-2]}, Friday 2 {days[-1]}; work dir {self.root}")

    # ---------------------------------------------------------------- running

    def run(self, friday, trace=None, kill=None, max_pages=None):
        """Runs `amfora run` for Friday 1 or 2 into self.w. Returns (returncode, output)."""
        date, src = self.fridays[friday - 1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("AMFORA_")}
        if trace:
            env["AMFORA_FAULT_TRACE"] = trace
        if kill is not None:
            env["AMFORA_FAULT_KILL_AT"] = str(kill)
        if max_pages is not None:
            env["AMFORA_FAULT_MAX_PAGES"] = str(max_pages)
        warehouse = self.pg.url(self.pg.w) if self.pg else os.path.join(self.w, "amfora.sqlite")
        cmd = [self.bin, "run", "--source", src, "--batch-date", date, "--warehouse", warehouse,
               "--reports", os.path.join(self.w, "reports")]
        if self.pg:
            cmd += ["--config", self.pg.config]
        try:
            p = subprocess.run(cmd, cwd=self.root, env=env, capture_output=True, text=True,
                               errors="replace", timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            return None, f"timed out after {RUN_TIMEOUT} s"
        return p.returncode, (p.stdout + p.stderr)

    def trace(self, friday, name):
        path = os.path.join(self.root, name)
        if os.path.exists(path):
            os.unlink(path)
        rc, out = self.run(friday, trace=path)
        if rc not in (0, 1):
            raise HarnessError(f"traced run of Friday {friday} exited {rc}: {out.strip()[-500:]}")
        return read_trace(path)

    def fresh_w(self, src=None):
        self.unmount()
        if os.path.lexists(self.w):
            shutil.rmtree(self.w)
        if src is None:
            os.mkdir(self.w)
        else:
            shutil.copytree(src, self.w, symlinks=True)
        if self.pg:
            self.pg.copy(self.pg.base if src is None else self.pg.snapshots[src], self.pg.w)

    def snapshot(self, name):
        dst = os.path.join(self.root, name)
        if os.path.lexists(dst):
            shutil.rmtree(dst)
        shutil.copytree(self.w, dst, symlinks=True)
        if self.pg:
            self.pg.snapshots[dst] = self.pg.copy(self.pg.w, f"{self.pg.w}_{name.lower()}")
        return dst

    def unmount(self):
        if self.mounted:
            subprocess.run(["umount", self.w], capture_output=True)
            if os.path.ismount(self.w):
                subprocess.run(["umount", "-l", self.w], capture_output=True)
            self.mounted = False

    # ---------------------------------------------------------------- the dump

    def dump(self):
        d = collections.OrderedDict()
        db = os.path.join(self.w, "amfora.sqlite")
        if self.pg:
            self.pg.dump(d, raw_ids=self.args.raw_ids)
        elif not os.path.exists(db):
            d["warehouse"] = ["no warehouse file"]
        else:
            try:
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
                try:
                    views = [r[0] for r in con.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'view' AND name LIKE 'v\\_%' "
                        "ESCAPE '\\' ORDER BY name")]
                    ids = None if self.args.raw_ids else version_labels(con)
                    for v in views:
                        names = [c[0] for c in con.execute(f'SELECT * FROM "{v}" LIMIT 0').description]
                        keep = [i for i, n in enumerate(names) if not n.endswith("_at")]
                        # SQLite sorts the big week views far faster than Python would
                        order = ", ".join(str(i + 1) for i in keep)
                        cur = con.execute(f'SELECT * FROM "{v}" ORDER BY {order}')
                        idcols = [i for i in keep if names[i].endswith("version_id")]
                        kindcol = names.index("kind") if "kind" in names else None
                        rows = []
                        if ids is None or not idcols:
                            get = operator.itemgetter(*keep)
                            rows = [get(r) if len(keep) > 1 else (get(r),) for r in cur]
                            d["view " + v] = rows
                            d["columns " + v] = [names[i] for i in keep]
                            continue
                        for r in cur:
                            r = list(r)
                            if ids is not None:
                                table = "aid" if kindcol is not None and \
                                    str(r[kindcol]).startswith("HJAELP") else "activity"
                                for i in idcols:
                                    if r[i] is not None:
                                        r[i] = ids[table].get(r[i], f"?{r[i]}")
                            rows.append(tuple(r[i] for i in keep))
                        rows.sort(key=sort_key)  # relabelled: sort again
                        d["view " + v] = rows
                        d["columns " + v] = [names[i] for i in keep]
                    d["integrity_check"] = [tuple(r) for r in con.execute("PRAGMA integrity_check")]
                finally:
                    con.close()
            except sqlite3.Error as e:
                d["warehouse"] = [f"sqlite error: {e}"]
        reports = os.path.join(self.w, "reports")
        fri2 = os.path.join(reports, self.fridays[1][0])
        csvs = []
        if os.path.isdir(fri2):
            for dirpath, _, files in os.walk(fri2):
                for f in files:
                    if f.endswith(".csv") and f != "stages.csv":
                        csvs.append(os.path.relpath(os.path.join(dirpath, f), fri2))
        d["report files"] = sorted(csvs)
        for rel in sorted(csvs):
            with open(os.path.join(fri2, rel), "rb") as fh:
                d["report " + rel] = fh.read()
        tmps = []
        if os.path.isdir(reports):
            for dirpath, dirs, files in os.walk(reports):
                for f in files + dirs:
                    if ".tmp" in f:
                        tmps.append(os.path.relpath(os.path.join(dirpath, f), reports))
        d["tmp files under reports"] = sorted(tmps)
        return d

    # ---------------------------------------------------------------- bookkeeping

    def out_of_time(self):
        if self.args.seconds is not None and time.monotonic() - self.start > self.args.seconds:
            return True
        return False

    def record(self, kind, friday, k, stage, point, ok, note="", detail=None):
        self.results.append(dict(kind=kind, friday=friday, k=k, stage=stage, point=point,
                                 ok=ok, note=note))
        what = {"kill": f"friday={friday} k={k} stage={stage} point={point}",
                "disk": f"friday={friday} disk-full={stage} {point}"}.get(kind, f"{stage} {point}")
        if ok and not self.verbose:
            return
        line = f"{'PASS' if ok else 'FAIL'} {what}"
        if note:
            line += f"  -- {mask(note)}"
        print(line, flush=True)
        if detail and (self.verbose or self.shown < self.args.show):
            self.shown += 1
            for dl in detail:
                print("     " + dl)

    def compare(self, ref, got):
        """Returns (identical, note, detail lines)."""
        diff = [k for k in list(ref) + [k for k in got if k not in ref]
                if ref.get(k) != got.get(k)]
        if not diff:
            return True, "", None
        first = diff[0]
        a, b = ref.get(first), got.get(first)
        detail = []
        if first.startswith("report ") and isinstance(a, (bytes, type(None))) \
                and isinstance(b, (bytes, type(None))):
            la = (a or b"").decode("utf-8", "replace").splitlines()
            lb = (b or b"").decode("utf-8", "replace").splitlines()
            summ = f"{first} differs ({len(la)} lines clean, {len(lb)} after rerun)"
            ca, cb = collections.Counter(la), collections.Counter(lb)
            for l in list((ca - cb).elements())[:3]:
                detail.append("- " + mask(l)[:200])
            for l in list((cb - ca).elements())[:3]:
                detail.append("+ " + mask(l)[:200])
        elif isinstance(a, list) and isinstance(b, list):
            ca, cb = collections.Counter(a), collections.Counter(b)
            only_a, only_b = ca - cb, cb - ca
            unit = "rows" if first.startswith("view ") else "entries"
            summ = (f"{first} differs: {len(a)} {unit} clean, {len(b)} after rerun; "
                    f"{sum(only_a.values())} only in clean, {sum(only_b.values())} only after rerun")
            cols = ref.get("columns " + first[5:]) if first.startswith("view ") else None
            if cols:
                detail.append("  columns: " + ", ".join(cols))
            for r in list(only_a.elements())[:3]:
                detail.append("- " + mask(r)[:300])
            for r in list(only_b.elements())[:3]:
                detail.append("+ " + mask(r)[:300])
        elif a is None or b is None:
            summ = f"{first} {'missing after rerun' if b is None else 'only after rerun'}"
        else:
            summ = f"{first} differs: clean {mask(a)[:100]!s}, after rerun {mask(b)[:100]!s}"
        others = [k for k in diff[1:] if not k.startswith("columns ")]
        if others:
            summ += f"; also {len(others)} more: " + ", ".join(o.replace("view ", "") for o in others[:6])
            if len(others) > 6:
                summ += ", ..."
        return False, summ, detail

    # ---------------------------------------------------------------- the phases

    def reference(self):
        t = time.monotonic()
        self.fresh_w()
        rc1, out1 = self.run(1)
        if rc1 not in (0, 1):
            raise HarnessError(f"clean run of Friday 1 exited {rc1}: {out1.strip()[-800:]}")
        self.w1 = self.snapshot("W1")
        rc2, out2 = self.run(2)
        if rc2 not in (0, 1):
            raise HarnessError(f"clean run of Friday 2 exited {rc2}: {out2.strip()[-800:]}")
        self.clean_rc = (rc1, rc2)
        self.d_clean = self.dump()
        self.final_pages = 0 if self.pg else page_count(os.path.join(self.w, "amfora.sqlite"))
        self.final_bytes = tree_bytes(self.w)
        self.w_final = self.snapshot("W2")
        # traces, on throwaway copies
        self.fresh_w()
        self.p1 = self.trace(1, "trace1.tsv")
        self.fresh_w(self.w1)
        self.p2 = self.trace(2, "trace2.tsv")
        d_traced = self.dump()
        # W1's page count, on a throwaway copy (opening the snapshot would checkpoint its WAL)
        self.fresh_w(self.w1)
        self.w1_pages = 0 if self.pg else page_count(os.path.join(self.w, "amfora.sqlite"))
        self.w1_bytes = tree_bytes(self.w1)
        print(f"clean reference: Friday 1 exit {rc1}, Friday 2 exit {rc2}; "
              f"{len(self.p1)} fault points in Friday 1, {len(self.p2)} in Friday 2; "
              + ("" if self.pg else f"pages {self.w1_pages} -> {self.final_pages}; ")
              + f"{time.monotonic() - t:.1f} s")
        same, note, detail = self.compare(self.d_clean, d_traced)
        if not same:
            # the reference itself is not reproducible: every comparison would be noise
            self.record("reference", 2, "-", "traced run", "vs clean", False,
                        "traced Friday 2 differs from the clean one: " + note, detail)

    def kill_points(self, friday):
        pts = self.p1 if friday == 1 else self.p2
        chosen = choose_points(pts, self.args.points)
        print(f"Friday {friday}: trying {len(chosen)} of {len(pts)} kill points", flush=True)
        for n, stage, point in chosen:
            if self.out_of_time():
                self.budget_hit = self.budget_hit or f"Friday {friday} kill point k={n}"
                return
            tr = os.path.join(self.root, "trace-kill.tsv")
            if os.path.exists(tr):
                os.unlink(tr)
            self.fresh_w(None if friday == 1 else self.w1)
            rc, out = self.run(friday, trace=tr, kill=n)
            if rc != -signal.SIGKILL:
                self.record("kill", friday, n, stage, point, False,
                            f"harness error: expected death by SIGKILL, got exit {rc}: "
                            f"{out.strip()[-200:]}")
                continue
            died = read_trace(tr)
            notes = []
            if not died or died[-1] != (n, stage, point):
                got = died[-1] if died else None
                notes.append(f"died at {got}, trace said {(n, stage, point)}")
            rc, out = self.run(friday)
            if rc not in (0, 1):
                notes.append(f"rerun exited {rc}: {out.strip()[-200:]}")
            if friday == 1 and rc in (0, 1):
                rc, out = self.run(2)
                if rc not in (0, 1):
                    notes.append(f"Friday 2 after it exited {rc}: {out.strip()[-200:]}")
            same, note, detail = self.compare(self.d_clean, self.dump())
            if note:
                notes.append(note)
            self.record("kill", friday, n, stage, point, same and len(notes) == 0,
                        "; ".join(notes), detail)

    def disk_full_pages(self):
        if self.out_of_time():
            self.budget_hit = self.budget_hit or "disk full (max_page_count)"
            return
        k = self.args.disk_full
        lo, hi = self.w1_pages, self.final_pages
        limits = sorted({lo + (hi - lo) * i // k for i in range(k)}) if hi > lo else [lo]
        print(f"disk full (max_page_count): limits {limits} (W1 {lo} pages, clean final {hi})",
              flush=True)
        for lim in limits:
            if self.out_of_time():
                self.budget_hit = self.budget_hit or f"disk full at {lim} pages"
                return
            self.fresh_w(self.w1)
            rc, out = self.run(2, max_pages=lim)
            self.after_full("pages", f"max_pages={lim}", rc, out)

    def after_full(self, how, label, rc, out, remount=None):
        notes = []
        if rc is None or rc < 0:
            notes.append(f"harness error: the full-disk run crashed ({'timeout' if rc is None else 'signal ' + str(-rc)})")
        elif rc == 0:
            notes.append("the full-disk run exited 0 (did not fail)")
        full = "full" in out.lower()
        if self.verbose:
            print(f"     full-disk run exit {rc}{' (says full)' if full else ''}: "
                  f"{mask(out.strip().splitlines()[-1] if out.strip() else '')[:160]}")
        if remount:
            remount()
        rc2, out2 = self.run(2)
        if rc2 not in (0, 1):
            notes.append(f"rerun exited {rc2}: {out2.strip()[-200:]}")
        same, note, detail = self.compare(self.d_clean, self.dump())
        if note:
            notes.append(note)
        ok = same and not any(n.startswith(("harness", "rerun")) for n in notes)
        label += f" (exit {rc})"
        self.record("disk", 2, "-", how, label, ok, "; ".join(notes), detail)

    def disk_full_tmpfs(self):
        if self.out_of_time():
            self.budget_hit = self.budget_hit or "disk full (tmpfs)"
            return
        k = self.args.disk_full
        if os.geteuid() != 0:
            print("disk full (tmpfs): skipped, not running as root")
            return
        probe = os.path.join(self.root, "probe")
        os.mkdir(probe)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe],
                           capture_output=True, text=True)
        if p.returncode != 0:
            print(f"disk full (tmpfs): skipped, mount -t tmpfs failed: {p.stderr.strip()}")
            return
        subprocess.run(["umount", probe], capture_output=True)
        os.rmdir(probe)
        base = self.w1_bytes + 16 * 4096
        grow = max(self.final_bytes - self.w1_bytes, 4096)
        sizes = sorted({page_up(base + grow * i // k) for i in range(k)})
        big = page_up(4 * (self.final_bytes + grow) + (64 << 20))
        print(f"disk full (tmpfs): sizes {[f'{s // 1024}k' for s in sizes]} "
              f"(W1 uses {self.w1_bytes // 1024}k, clean final {self.final_bytes // 1024}k)", flush=True)
        for size in sizes:
            if self.out_of_time():
                self.budget_hit = self.budget_hit or f"tmpfs of {size // 1024}k"
                return
            try:
                self.fresh_w()
                p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755",
                                    "tmpfs", self.w], capture_output=True, text=True)
                if p.returncode != 0:
                    raise HarnessError(f"mount -t tmpfs failed: {p.stderr.strip()}")
                self.mounted = True
                try:
                    shutil.copytree(self.w1, self.w, symlinks=True, dirs_exist_ok=True)
                except (OSError, shutil.Error) as e:
                    self.record("disk", 2, "-", "tmpfs", f"size={size // 1024}k", False,
                                f"harness error: W1 does not fit: {e}")
                    continue
                rc, out = self.run(2)

                def remount():
                    r = subprocess.run(["mount", "-o", f"remount,size={big}", self.w],
                                       capture_output=True, text=True)
                    if r.returncode != 0:
                        raise HarnessError(f"remount failed: {r.stderr.strip()}")
                self.after_full("tmpfs", f"size={size // 1024}k", rc, out, remount)
            finally:
                self.unmount()

    # ---------------------------------------------------------------- summary

    def summary(self):
        fails = [r for r in self.results if not r["ok"]]
        passed = len(self.results) - len(fails)
        print()
        rows = [("friday", "stage", "points", "tried", "identical", "failed")]
        for friday, pts in ((1, getattr(self, "p1", [])), (2, getattr(self, "p2", []))):
            stages = []
            for _, s, _ in pts:
                if s not in stages:
                    stages.append(s)
            for s in stages:
                tried = [r for r in self.results if r["kind"] == "kill" and r["friday"] == friday
                         and r["stage"] == s]
                ok = sum(r["ok"] for r in tried)
                rows.append((str(friday), s, str(sum(1 for p in pts if p[1] == s)),
                             str(len(tried)), str(ok), str(len(tried) - ok)))
        for how in ("pages", "tmpfs"):
            tried = [r for r in self.results if r["kind"] == "disk" and r["stage"] == how]
            if tried:
                ok = sum(r["ok"] for r in tried)
                rows.append(("2", f"disk full ({how})", "-", str(len(tried)), str(ok),
                             str(len(tried) - ok)))
        other = [r for r in self.results if r["kind"] == "reference"]
        if other:
            rows.append(("2", "reference reproducible", "-", "1", str(sum(r["ok"] for r in other)),
                         str(sum(not r["ok"] for r in other))))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            print("  ".join(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i])
                            for i, c in enumerate(r)))
        if self.budget_hit:
            print(f"time budget of {self.args.seconds} s spent: stopped before {self.budget_hit}; "
                  f"later trials not tried")
        print(f"elapsed {time.monotonic() - self.start:.1f} s")
        print(f"crashpoints: {passed} passed, {len(fails)} failed")
        return 0 if not fails else 1

    def cleanup(self):
        self.unmount()
        if self.pg:
            self.pg.cleanup()
        if self.args.keep:
            print(f"kept {self.root}", file=sys.stderr)
        else:
            shutil.rmtree(self.root, ignore_errors=True)


# -------------------------------------------------------------------- PostgreSQL

class Postgres:
    """The trials' databases on the server of AMFORA_TEST_POSTGRES, through psql (libpq finds the
    password in PGPASSFILE). `base` is an empty warehouse with amfora's schemas (init-roles);
    every trial starts from a copy of it or of a snapshot."""

    def __init__(self):
        self.admin = os.environ.get("AMFORA_TEST_POSTGRES")
        if not self.admin or shutil.which("psql") is None:
            raise HarnessError("--postgres needs AMFORA_TEST_POSTGRES (scripts/pg-cluster.sh start DIR; . DIR/env) and psql")
        prefix = "amfora_crash_" + uuid.uuid4().hex[:8]
        self.base, self.w = prefix + "_base", prefix + "_w"
        self.snapshots = {}  # snapshot directory -> its database
        self.made = []

    def url(self, database):
        return self.admin.rsplit("/", 1)[0] + "/" + database

    def psql(self, sql, database=None):
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(database) if database else self.admin,
                            "-c", sql], capture_output=True, text=True)
        if p.returncode != 0:
            raise HarnessError(f"psql: {p.stderr.strip()[-300:]}")
        return p.stdout

    def copy(self, source, target):
        self.psql(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        self.psql(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
        if target not in self.made:
            self.made.append(target)
        return target

    def setup(self, harness):
        self.psql(f'CREATE DATABASE "{self.base}"')
        self.made.append(self.base)
        key = os.path.join(harness.root, "person.key")
        p = subprocess.run([harness.bin, "init-roles", "--warehouse", self.url(self.base), "--person-key", key],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise HarnessError(f"init-roles exited {p.returncode}: {p.stderr.strip()[-300:]}")
        self.config = os.path.join(harness.root, "amfora.conf")
        with open(self.config, "w") as fh:
            fh.write(f"person_key_file = {key}\narchive = {os.path.join(harness.w, 'archive')}\n")
        print(f"PostgreSQL: {self.url(self.w)} (copies of {self.base})")

    def rows(self, query):
        out = self.psql(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", self.w)
        r = list(csv.reader(io.StringIO(out)))
        return r[0], [tuple(None if v == "" else v for v in row) for row in r[1:]]

    def dump(self, d, raw_ids):
        _, views = self.rows("SELECT table_schema || '.' || table_name FROM information_schema.views "
                             "WHERE table_schema IN ('analyst', 'disclosure') ORDER BY 1")
        labels = {}
        if not raw_ids:
            for table in ("activity", "aid"):
                _, found = self.rows(f"SELECT version_id, source_file, line_no FROM amfora.{table}")
                labels[table] = {vid: f"{table}:{f}:{line}" for vid, f, line in found}
        for (v,) in views:
            names, rows = self.rows(f"SELECT * FROM {v}")
            keep = [i for i, n in enumerate(names) if not n.endswith("_at")]
            idcols = [i for i in keep if names[i].endswith("version_id")]
            kind = names.index("kind") if "kind" in names else None
            out = []
            for r in rows:
                r = list(r)
                if labels:
                    table = "aid" if kind is not None and str(r[kind]).startswith("HJAELP") else "activity"
                    for i in idcols:
                        if r[i] is not None:
                            r[i] = labels[table].get(r[i], f"?{r[i]}")
                out.append(tuple(r[i] for i in keep))
            out.sort(key=sort_key)
            d["view " + v] = out
            d["columns " + v] = [names[i] for i in keep]

    def cleanup(self):
        for db in self.made:
            try:
                self.psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except HarnessError:
                pass


# -------------------------------------------------------------------- helpers

def read_trace(path):
    pts = []
    if not os.path.exists(path):
        return pts
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3 and parts[0].strip().isdigit():
                pts.append((int(parts[0]), parts[1], parts[2]))
    return pts


def choose_points(pts, k):
    """k points evenly spaced over pts (first and last included); every stage gets at least one
    when k allows. k == 0 or k >= len(pts): all of them."""
    n = len(pts)
    if k <= 0 or k >= n:
        return list(pts)
    if k == 1:
        idx = {0}
    else:
        idx = {int(math.floor(i * (n - 1) / (k - 1) + 0.5)) for i in range(k)}
    stage_of = [p[1] for p in pts]
    stages = list(dict.fromkeys(stage_of))
    if k >= len(stages):
        for s in stages:
            if any(stage_of[i] == s for i in idx):
                continue
            members = [i for i in range(n) if stage_of[i] == s]
            # give up a point of the stage holding most, never the first or last one
            counts = collections.Counter(stage_of[i] for i in idx)
            for donor, c in counts.most_common():
                if c < 2:
                    break
                cand = [i for i in sorted(idx) if stage_of[i] == donor and i not in (0, n - 1)]
                if cand:
                    idx.remove(cand[len(cand) // 2])
                    idx.add(members[len(members) // 2])
                    break
    return [pts[i] for i in sorted(idx)]


def version_labels(con):
    """version_id is a rowid: its value depends on the order deliveries were committed in (worker
    threads; a rerun that loads what a killed run did not). A version is named instead by the
    file and line it was loaded from: {"activity": {id: label}, "aid": {id: label}}."""
    labels = {}
    for table in ("activity", "aid"):
        try:
            labels[table] = {vid: f"{table}:{f}:{line}" for vid, f, line in con.execute(
                f"SELECT version_id, source_file, line_no FROM {table}")}
        except sqlite3.Error:
            labels[table] = {}
    return labels


def sort_key(row):
    return tuple((0, "", 0) if v is None else (1, type(v).__name__, v) for v in row)


def page_count(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA page_count").fetchone()[0]
    finally:
        con.close()


def page_up(n):
    return (n + 4095) // 4096 * 4096


def tree_bytes(path):
    """What the tree costs on a tmpfs: every file rounded up to whole pages."""
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                total += page_up(os.path.getsize(p))
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--amfora", help="amfora binary (default: .build/debug/amfora under the repo)")
    ap.add_argument("--inbox", choices=("samples", "generated"), default="samples",
                    help="the two bundled sample Fridays, or an inbox from scripts/generate_inbox.py")
    ap.add_argument("--records", type=int, default=1500,
                    help="with --inbox generated: about this many activation records per Friday")
    ap.add_argument("--seed", type=int, default=1, help="with --inbox generated: the seed")
    ap.add_argument("--points", type=int, default=20,
                    help="kill points per Friday, evenly spaced, every stage at least once; 0 = all")
    ap.add_argument("--disk-full", type=int, default=3,
                    help="full-disk trials of each kind (max_page_count; tmpfs as root); 0 = none")
    ap.add_argument("--seconds", type=float, default=None,
                    help="overall budget: no new trial is started after it")
    ap.add_argument("--show", type=int, default=3,
                    help="print differing rows for the first N failures (all with -v)")
    ap.add_argument("--raw-ids", action="store_true",
                    help="compare version_id columns as stored (by default they are named by "
                         "source file and line, since their values depend on commit order)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--postgres", action="store_true",
                    help="the warehouse in PostgreSQL: the server of AMFORA_TEST_POSTGRES "
                         "(scripts/pg-cluster.sh), a database of its own per trial")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every trial, PASS included")
    args = ap.parse_args()
    try:
        sys.stdout.reconfigure(errors="replace")
    except AttributeError:
        pass

    h = Harness(args)
    try:
        h.setup()
        h.reference()
        h.kill_points(2)
        h.kill_points(1)
        if args.disk_full > 0 and args.postgres:
            print("disk full: SQLite's trials only (see --postgres in the usage)")
        elif args.disk_full > 0:
            h.disk_full_pages()
            h.disk_full_tmpfs()
        return h.summary()
    except HarnessError as e:
        print(f"crash_points: {e}", file=sys.stderr)
        h.summary()
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        h.cleanup()


if __name__ == "__main__":
    sys.exit(main())
