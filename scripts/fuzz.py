#!/usr/bin/env python3
"""Fuzz `amfora validate` and `amfora run` with mutated sample deliveries.

    scripts/fuzz.py [--amfora PATH] [--seed N] [--files N] [--seconds S]
                    [--run-every K] [--timeout S] [--keep DIR] [--verbose]

Takes the files of samples/2026-11-20/ and samples/2026-11-27/, applies 1-3 mutations to a
random one (bit flips, byte changes, truncation, NULs, CR-only line ends, a BOM in the
middle, invalid UTF-8, a 200 KB line, lines shifted by a few columns, digit runs - some of
them CPR-shaped - written over random columns, duplicated and deleted lines), or replaces it
by a degenerate file (empty, BOM only, BOM + newline, blank lines only), or by something that
is not a regular file (a symlink, a FIFO, a directory named like a delivery), writes it under
a valid delivery name into a temporary directory and runs `amfora validate --json FILE`.
Every K-th file (and the first few) it also runs `amfora run` on a small inbox holding that
file and a couple of good samples, into a fresh warehouse and reports directory.

Failure categories:
  CRASH    killed by a signal, an exit status outside {0,1,2}, or a Swift runtime trap on stderr
  HANG     no exit within the timeout (the process group is killed)
  BADJSON  validate --json: stdout not a JSON object {"files":[...]} on exit 0/1, or non-empty
           and not JSON on exit 2; run: summary.json/run.json not JSON
  TALLY    a file object with lines != records + blank_lines (or quarantined > records)
  CPRLEAK  a full CPR-shaped number in stdout, stderr or any file under the reports directory

"Full CPR" (written independently of the program): within a maximal run of ASCII digits, any
10 consecutive digits whose first two form a day 01-31 and the next two a month 01-12; or six
such digits, '-', four digits. A masked CPR (ddmmyy-****) is never flagged. Not counted:
digits after a decimal point ("0.1234567890"), digits inside a hex token of 32 or more
characters (a SHA-256), and the four hex digits of a JSON escape (backslash-u-0010). Synthetic
data only, but examples are printed with each hit's last four digits as ****. A hit says what
its digits were in the input: a sample's CPRnr/Identnr/Pnr/KursusPnr, a CPR-shaped number the
digits mutation wrote, or other CPR-shaped digits.

Deterministic for a given --seed (each file's mutations come from (seed, index)); bounded by
--files and --seconds, whichever comes first. Exit 0 when nothing failed, else 1; the last
line is `fuzz: N passed, M failed`. Standard library only.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DIRS = [REPO / "samples" / "2026-11-20", REPO / "samples" / "2026-11-27"]
RUN_BATCH = "2026-11-27"
NAME_RE = re.compile(r"^(AMFORA|HJAELP1|HJAELP2)_(\d{3})_(\d{8})\.(txt|dat)$")
BOM = b"\xef\xbb\xbf"
CATEGORIES = ["CRASH", "HANG", "BADJSON", "TALLY", "CPRLEAK"]
EXAMPLES = 3

# Field starts (0-based byte columns of the sample files, ASCII parts) from layouts.tsv:
# digit runs and shifts aim at them half of the time, so values get echoed in findings.
FIELD_COLS = {
    "AMFORA": [0, 10, 13, 16, 26, 36, 38, 40, 41, 51, 61, 97, 107, 117, 124, 126, 134,
               144, 194, 244, 248, 298, 300, 307, 315, 325],
    "HJAELP1": [0, 3, 11, 21, 31],
    "HJAELP2": [0, 3, 11, 21, 31],
}

# ---------------------------------------------------------------------------------------------
# Full-CPR detection

DIGIT_RUN = re.compile(rb"[0-9]+")
HEX_TOKEN = re.compile(rb"[0-9A-Fa-f]{32,}")
JSON_ESCAPE = re.compile(rb"(?<!\\)\\u[0-9A-Fa-f]{4}")


def plausible_ddmm(six):
    dd, mm = int(six[0:2]), int(six[2:4])
    return 1 <= dd <= 31 and 1 <= mm <= 12


def find_full_cprs(data):
    """Offsets (start, end) of full-CPR-shaped numbers in bytes `data`."""
    hits = []
    # the hex digits of a JSON escape (a control character shown as \u0010) are not digits of
    # the text: blanked, offsets kept
    data = JSON_ESCAPE.sub(lambda m: b"\\u" + b"X" * 4, data)
    hex_spans = [(m.start(), m.end()) for m in HEX_TOKEN.finditer(data)]

    def in_hex(a, b):
        return any(s <= a and b <= e for s, e in hex_spans)

    runs = [(m.start(), m.end()) for m in DIGIT_RUN.finditer(data)]
    for idx, (s, e) in enumerate(runs):
        if in_hex(s, e):
            continue
        if s >= 2 and data[s - 1:s] == b"." and data[s - 2:s - 1].isdigit():
            continue  # fractional part of a decimal number
        run = data[s:e]
        for k in range(0, len(run) - 9):
            if plausible_ddmm(run[k:k + 6]):
                hits.append((s + k, s + k + 10))
                break
        else:
            # ddmmyy-nnnn: the last six digits of this run, '-', the first four of the next
            if len(run) >= 6 and data[e:e + 1] == b"-" and idx + 1 < len(runs):
                ns, ne = runs[idx + 1]
                if ns == e + 1 and ne - ns >= 4 and plausible_ddmm(run[-6:]):
                    hits.append((e - 6, ns + 4))
    return hits


def masked_context(data, hits, first, width=40):
    """The first hit with some context; the last four digits of every hit in it shown as ****."""
    start, end = first
    a, b = max(0, start - width), min(len(data), end + width)
    piece = bytearray(data[a:b])
    for s, e in hits:
        for i in range(max(s, e - 4), e):
            if a <= i < b:
                piece[i - a] = ord("*")
    text = piece.decode("utf-8", "replace")
    return text.replace("\n", "\\n").replace("\r", "\\r")


# ---------------------------------------------------------------------------------------------
# Mutations: each takes (rng, data, kind) and returns new bytes


def split_lines(data):
    return data.splitlines(keepends=True) or [b""]


def pick_line(rng, lines):
    nonblank = [i for i, l in enumerate(lines) if l.strip()]
    return rng.choice(nonblank) if nonblank else rng.randrange(len(lines))


def pick_col(rng, line, kind):
    if rng.random() < 0.5:
        cols = [c for c in FIELD_COLS[kind] if c <= len(line)] or [0]
        return rng.choice(cols)
    return rng.randrange(max(1, min(len(line), 400)))


def m_bitflip(rng, data, kind):
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if b:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    return bytes(b)


def m_byte(rng, data, kind):
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def m_truncate(rng, data, kind):
    return data[:rng.randrange(len(data))] if data else data


def m_nul(rng, data, kind):
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        b[rng.randrange(len(b) + 1):0] = b"\x00" * rng.randint(1, 3)
    return bytes(b)


def m_cr_only(rng, data, kind):
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")


def m_bom_middle(rng, data, kind):
    lines = split_lines(data)
    i = rng.randrange(len(lines))
    if rng.random() < 0.5:
        lines[i] = BOM + lines[i]  # at the start of a line
    else:
        c = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:c] + BOM + lines[i][c:]
    return b"".join(lines)


INVALID_UTF8 = [b"\xc3", b"\x80", b"\xbf\xbf", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
                b"\xf0\x9f", b"\xf5\x80\x80\x80", b"\xff", b"\xfe\xff", b"\xc3\x28", b"\x81",
                b"\x8d", b"\x8f", b"\x90", b"\x9d"]


def m_invalid_utf8(rng, data, kind):
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        seq = rng.choice(INVALID_UTF8)
        at = rng.randrange(len(b) + 1)
        if rng.random() < 0.5:
            b[at:at] = seq
        else:
            b[at:at + len(seq)] = seq
    return bytes(b)


def m_huge_line(rng, data, kind):
    lines = split_lines(data)
    size = 200 * 1024 + rng.randrange(1024)
    style = rng.randrange(4)
    if style == 0:
        filler = b" " * size
    elif style == 1:
        filler = bytes(rng.choice(b"0123456789") for _ in range(size))
    elif style == 2:
        filler = (b"x" * 64 + b"\xc3\xa6") * (size // 66)
    else:
        base = lines[pick_line(rng, lines)].rstrip(b"\r\n") or b"0"
        filler = (base * (size // len(base) + 1))[:size]
    end = b"\r\n" if b"\r\n" in data else b"\n"
    i = rng.randrange(len(lines) + 1)
    if rng.random() < 0.5 or i == len(lines):
        lines.insert(i, filler + end)  # a line of its own
    else:
        line = lines[i]
        body = line.rstrip(b"\r\n")
        lines[i] = body + filler + line[len(body):]  # an existing record made huge
    return b"".join(lines)


def m_shift(rng, data, kind):
    lines = split_lines(data)
    targets = range(len(lines)) if rng.random() < 0.2 else \
        {pick_line(rng, lines) for _ in range(rng.randint(1, 5))}
    right = rng.random() < 0.5
    k = rng.randint(1, 40)
    for i in targets:
        line = lines[i]
        body = line.rstrip(b"\r\n")
        end = line[len(body):]
        c = 0 if rng.random() < 0.5 else pick_col(rng, body, kind)
        if right:
            pad = b" " * k if rng.random() < 0.7 else bytes(rng.choice(b"0123456789") for _ in range(k))
            body = body[:c] + pad + body[c:]
        else:
            body = body[:c] + body[c + k:]
        lines[i] = body + end
    return b"".join(lines)


INSERTED = set()  # CPR-shaped numbers the digit runs of the current case carry


def cpr_shaped(rng):
    mm = rng.randint(1, 12)
    dd = rng.randint(1, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mm - 1])
    return "%02d%02d%02d%04d" % (dd, mm, rng.randrange(100), rng.randrange(10000))


def m_digits(rng, data, kind):
    lines = split_lines(data)
    for _ in range(rng.randint(1, 3)):
        i = pick_line(rng, lines)
        line = lines[i]
        body = line.rstrip(b"\r\n")
        end = line[len(body):]
        n = rng.randint(8, 14)
        run = "".join(rng.choice("0123456789") for _ in range(n))
        if n >= 10 and rng.random() < 0.5:
            at = rng.randrange(n - 9)
            cpr = cpr_shaped(rng)
            INSERTED.add(cpr)
            run = run[:at] + cpr + run[at + 10:]
            if rng.random() < 0.15:
                run = run[:at + 6] + "-" + run[at + 6:at + 10]  # ddmmyy-nnnn
        c = pick_col(rng, body, kind)
        r = run.encode()
        body = body[:c].ljust(c) + r + body[c + len(r):]
        lines[i] = body + end
    return b"".join(lines)


def m_dup_lines(rng, data, kind):
    lines = split_lines(data)
    for _ in range(rng.randint(1, 5)):
        i = rng.randrange(len(lines))
        lines.insert(rng.randrange(len(lines) + 1), lines[i])
    return b"".join(lines)


def m_del_lines(rng, data, kind):
    lines = split_lines(data)
    for _ in range(rng.randint(1, 5)):
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    return b"".join(lines)


MUTATIONS = {
    "bitflip": m_bitflip, "byte": m_byte, "truncate": m_truncate, "nul": m_nul,
    "cr-only": m_cr_only, "bom-middle": m_bom_middle, "invalid-utf8": m_invalid_utf8,
    "huge-line": m_huge_line, "shift": m_shift, "digits": m_digits,
    "dup-lines": m_dup_lines, "del-lines": m_del_lines,
}
# shifts and digit runs move CPR digits into other fields: they count double
WEIGHTED = [m for m in MUTATIONS for _ in range(2 if m in ("shift", "digits") else 1)]

WHOLE = {  # a whole file instead of a mutated sample
    "empty": lambda rng: b"",
    "bom-only": lambda rng: BOM,
    "bom-newline": lambda rng: BOM + rng.choice([b"\n", b"\r\n"]),
    "blank-lines": lambda rng: rng.choice([b"\n", b"\r\n", b"   \n", b" " * 361 + b"\r\n"]) * rng.randint(1, 20),
}
NONREGULAR = ["symlink", "fifo", "directory"]
SCHEDULED = {2: "symlink", 3: "fifo", 4: "directory"}  # each kind once per run, `run` too

# ---------------------------------------------------------------------------------------------
# Cases


class Case:
    def __init__(self, index, sample, name, mutations, data=None, special=None):
        self.index, self.sample, self.name = index, sample, name
        self.mutations, self.data, self.special = mutations, data, special
        self.failures = []  # (category, command, detail)
        self.inserted = set()
        self.notes = []

    def describe(self):
        return "#%d %s <- %s [%s]" % (self.index, self.name, self.sample.name if self.sample else "-",
                                      "+".join(self.mutations))


def load_samples():
    samples = []
    for d in SAMPLE_DIRS:
        for p in sorted(d.iterdir()):
            if p.is_file() and p.name.startswith(("AMFORA_", "HJAELP1_", "HJAELP2_")):
                samples.append(p)
    good = [p for p in samples if NAME_RE.match(p.name) and p.parent.name == RUN_BATCH]
    return samples, good


def make_case(seed, index, samples):
    rng = random.Random("%s:%d" % (seed, index))
    sample = rng.choice(samples)
    prefix, komnr = sample.name.split("_")[:2]
    m = NAME_RE.match(sample.name)  # AMFORA_101_2026112.txt (a bad name) gets the batch's date
    date = m.group(3) if m and rng.random() < 0.5 else RUN_BATCH.replace("-", "")
    ext = "dat" if rng.random() < 0.1 else "txt"
    name = "%s_%s_%s.%s" % (prefix, komnr, date, ext)
    special = SCHEDULED.get(index)
    r = rng.random()
    if special is None and r < 0.006:
        special = rng.choice(NONREGULAR)
    if special:
        return Case(index, sample, name, [special], special=special), rng
    if r < 0.06:
        kind = rng.choice(sorted(WHOLE))
        return Case(index, sample, name, [kind], data=WHOLE[kind](rng)), rng
    data = sample.read_bytes()
    applied = []
    INSERTED.clear()
    for _ in range(rng.randint(1, 3)):
        m = rng.choice(WEIGHTED)
        data = MUTATIONS[m](rng, data, prefix)
        applied.append(m)
    case = Case(index, sample, name, applied, data=data)
    case.inserted = set(INSERTED)
    return case, rng


def materialise(case, directory, name=None):
    """Create the case's delivery in `directory` (as `name`, default its own); returns its path."""
    path = directory / (name or case.name)
    if case.special == "symlink":
        # to a copy: `run` archives by hard link and makes the file read-only - never a repo file
        target = directory / (".target-" + case.sample.name)
        shutil.copyfile(case.sample, target)
        os.chmod(target, 0o644)
        os.symlink(target, path)
    elif case.special == "fifo":
        os.mkfifo(path)
    elif case.special == "directory":
        path.mkdir()
        shutil.copyfile(case.sample, path / case.sample.name)
    else:
        path.write_bytes(case.data)
    return path


def execute(argv, cwd, timeout):
    """(returncode or None on timeout, stdout, stderr, seconds)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err, time.monotonic() - t0
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return None, out, err, time.monotonic() - t0


def show(argv, cwd):
    return " ".join(os.path.relpath(a, cwd) if a.startswith("/") and a.startswith(str(cwd)) else a
                    for a in argv)


def check_process(case, argv, cwd, rc, out, err, timeout):
    cmd = show(argv, cwd)
    if rc is None:
        case.failures.append(("HANG", cmd, "no exit after %ss (killed)" % timeout))
        return False
    if rc < 0:
        case.failures.append(("CRASH", cmd, "killed by signal %s; stderr: %s"
                              % (signal.Signals(-rc).name, tail(err))))
        return False
    if rc not in (0, 1, 2):
        case.failures.append(("CRASH", cmd, "exit %d; stderr: %s" % (rc, tail(err))))
        return False
    if re.search(rb"Fatal error|Illegal instruction|Segmentation fault|Trace/breakpoint", err):
        case.failures.append(("CRASH", cmd, "runtime trap on stderr: %s" % tail(err)))
        return False
    return True


def tail(b, n=200):
    hits = find_full_cprs(b)
    b = bytearray(b)
    for hs, he in hits:
        b[he - 4:he] = b"****"
    s = bytes(b).decode("utf-8", "replace").strip().replace("\n", " | ")
    return s[-n:] if len(s) > n else s


KNOWN = {}  # 10-digit values of the samples' CPR, Identnr and P-number columns -> what they are


def learn_samples(samples):
    for p in samples:
        kind = p.name.split("_")[0]
        cols = [(0, "a CPRnr"), (134, "a Pnr"), (315, "a KursusPnr")] if kind == "AMFORA" \
            else [(31, "an Identnr"), (11, "a Pnr")]
        for line in p.read_bytes().lstrip(BOM).splitlines():
            for c, what in cols:
                v = line[c:c + 10]
                if len(v) == 10 and v.isdigit():
                    KNOWN.setdefault(v.decode(), what + " of the samples")


def provenance(case, data, start):
    """What the digits around a hit were in the input: any 10-digit window of its digit run."""
    a = b = start
    while a > 0 and data[a - 1:a].isdigit():
        a -= 1
    while b < len(data) and (data[b:b + 1].isdigit() or data[b:b + 1] == b"-"):
        b += 1
    run = data[a:b].replace(b"-", b"").decode()
    windows = [run[k:k + 10] for k in range(max(1, len(run) - 9))]
    for w in windows:
        if w in KNOWN:
            return KNOWN[w]
    if any(w in case.inserted for w in windows):
        return "written by the digits mutation"
    return "other CPR-shaped digits"


def check_cpr(case, cmd, where, data):
    hits = find_full_cprs(data)
    if hits:
        s, e = hits[0]
        case.failures.append(("CPRLEAK", cmd, "%s: %d full CPR(s), first (%s): ...%s..."
                              % (where, len(hits), provenance(case, data, s),
                                 masked_context(data, hits, (s, e)))))


def check_validate(case, path, cwd, amfora, timeout):
    argv = [amfora, "validate", "--json", str(path)]
    rc, out, err, _ = execute(argv, cwd, timeout)
    cmd = show(argv, cwd)
    if check_process(case, argv, cwd, rc, out, err, timeout):
        if rc in (0, 1) or out.strip():
            try:
                doc = json.loads(out.decode("utf-8"))
                if not isinstance(doc, dict) or not isinstance(doc.get("files"), list):
                    raise ValueError("not an object with a \"files\" array")
            except (ValueError, UnicodeDecodeError) as e:
                case.failures.append(("BADJSON", cmd, "exit %d, stdout %d bytes: %s; starts %r"
                                      % (rc, len(out), str(e)[:80], out[:60])))
                doc = None
            if doc:
                for f in doc["files"]:
                    check_tally(case, cmd, f)
    check_cpr(case, cmd, "stdout", out)
    check_cpr(case, cmd, "stderr", err)
    return rc


def check_tally(case, cmd, f):
    if not isinstance(f, dict):
        case.failures.append(("BADJSON", cmd, "a files[] entry is not an object"))
        return
    n = {k: f.get(k) for k in ("lines", "records", "blank_lines", "quarantined")}
    if all(isinstance(n[k], int) for k in ("lines", "records", "blank_lines")):
        if n["lines"] != n["records"] + n["blank_lines"]:
            case.failures.append(("TALLY", cmd, "lines %(lines)s != records %(records)s + blank_lines "
                                  "%(blank_lines)s" % n))
    if isinstance(n["quarantined"], int) and isinstance(n["records"], int) \
            and n["quarantined"] > n["records"]:
        case.failures.append(("TALLY", cmd, "quarantined %(quarantined)s > records %(records)s" % n))


def check_run(case, cwd, amfora, timeout, good, rng):
    inbox = cwd / "inbox"
    inbox.mkdir()
    prefix, komnr = case.name.split("_")[:2]
    # the run only takes this batch's deliveries
    materialise(case, inbox, "%s_%s_%s.%s" % (prefix, komnr, RUN_BATCH.replace("-", ""),
                                              case.name.rsplit(".", 1)[1]))
    taken = {(prefix, komnr)}
    for p in rng.sample(good, min(len(good), rng.randint(0, 2))):
        key = tuple(p.name.split("_")[:2])
        if key not in taken:
            taken.add(key)
            shutil.copyfile(p, inbox / p.name)
    config = cwd / "amfora.conf"
    config.write_text("# empty: defaults\n")
    reports = cwd / "reports"
    argv = [amfora, "run", "--config", str(config), "--source", str(inbox),
            "--warehouse", str(cwd / "wh" / "amfora.sqlite"), "--reports", str(reports),
            "--batch-date", RUN_BATCH]
    rc, out, err, _ = execute(argv, cwd, timeout)
    cmd = show(argv, cwd)
    check_process(case, argv, cwd, rc, out, err, timeout)
    check_cpr(case, cmd, "stdout", out)
    check_cpr(case, cmd, "stderr", err)
    if case.special == "symlink":  # not a failure category, but worth knowing
        target = next(inbox.glob(".target-*"))
        if target.stat().st_mode & 0o777 != 0o644:
            case.notes.append("run changed the mode of the symlink's target (outside the inbox) to %o"
                              % (target.stat().st_mode & 0o777))
        archived = [p for p in (cwd / "wh").rglob("*") if p.is_symlink()]
        if archived:
            case.notes.append("the archive holds a symlink, not the delivery's bytes: %s -> %s"
                              % (archived[0].name[:12] + "...", os.readlink(archived[0])))
    if reports.is_dir():
        for p in sorted(reports.rglob("*")):
            if p.is_file() and not p.is_symlink():
                data = p.read_bytes()
                check_cpr(case, cmd, str(p.relative_to(cwd)), data)
                if p.suffix == ".json":
                    try:
                        json.loads(data.decode("utf-8"))
                    except (ValueError, UnicodeDecodeError) as e:
                        case.failures.append(("BADJSON", cmd, "%s: %s" % (p.relative_to(cwd), str(e)[:80])))
    return rc


def keep_case(case, keep, cwd):
    dest = keep / ("%05d-%s" % (case.index, "-".join(sorted({c for c, _, _ in case.failures}))))
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    if case.data is not None:
        (dest / case.name).write_bytes(case.data)
    lines = [case.describe(), "special: %s" % (case.special or "-")]
    lines += ["%s: %s\n  %s" % (c, cmd, detail) for c, cmd, detail in case.failures]
    (dest / "README.txt").write_text("\n".join(lines) + "\n")


def rmtree(path):
    def onerror(func, p, _):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
        except OSError:
            pass
        try:
            func(p)
        except OSError:
            pass
    shutil.rmtree(path, onerror=onerror)


def main():
    ap = argparse.ArgumentParser(description="Fuzz amfora validate/run with mutated sample deliveries.")
    ap.add_argument("--amfora", default=str(REPO / ".build" / "debug" / "amfora"),
                    help="the amfora executable (default: .build/debug/amfora in the repository)")
    ap.add_argument("--seed", default="1", help="random seed (default 1); the same seed, the same files")
    ap.add_argument("--files", type=int, default=2000, help="at most this many files (default 2000)")
    ap.add_argument("--seconds", type=float, default=55, help="start no file after this (default 55); the file in hand "
                    "finishes, at most 3 x --timeout later")
    ap.add_argument("--run-every", type=int, default=50, metavar="K",
                    help="also `amfora run` every K-th file and the first 5 (default 50; 0: never)")
    ap.add_argument("--timeout", type=float, default=10, help="seconds per validate call (default 10); "
                    "a run gets twice as much")
    ap.add_argument("--keep", type=Path, help="save every failing input and what failed under DIR")
    ap.add_argument("--verbose", action="store_true", help="print every failure as it happens")
    args = ap.parse_args()

    amfora = os.path.abspath(args.amfora)
    if not os.access(amfora, os.X_OK):
        print("fuzz: %s is not an executable; build first or pass --amfora" % amfora, file=sys.stderr)
        return 2
    samples, good = load_samples()
    learn_samples(samples)
    if not samples:
        print("fuzz: no sample deliveries under %s" % REPO / "samples", file=sys.stderr)
        return 2

    t0 = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="amfora-fuzz-"))
    by_mutation, fails = {}, {c: [] for c in CATEGORIES}
    tried = passed = failed = runs = 0
    exits, notes = {}, []
    try:
        for i in range(args.files):
            if time.monotonic() - t0 >= args.seconds:
                break
            case, rng = make_case(args.seed, i, samples)
            cwd = root / ("c%d" % i)
            vdir = cwd / "v"
            vdir.mkdir(parents=True)
            path = materialise(case, vdir)
            rc = check_validate(case, path, cwd, amfora, args.timeout)
            key = "validate %s" % ("timeout" if rc is None else rc)
            exits[key] = exits.get(key, 0) + 1
            if args.run_every > 0 and (i % args.run_every == 0 or i < 5):
                rcr = check_run(case, cwd, amfora, 2 * args.timeout, good, rng)
                key = "run %s" % ("timeout" if rcr is None else rcr)
                exits[key] = exits.get(key, 0) + 1
                runs += 1
            tried += 1
            notes.extend("#%d %s: %s" % (i, case.name, n) for n in case.notes)
            for m in set(case.mutations):
                by_mutation[m] = by_mutation.get(m, 0) + 1
            if case.failures:
                failed += 1
                for cat in {c for c, _, _ in case.failures}:
                    fails[cat].append(case)
                if args.keep:
                    keep_case(case, args.keep, cwd)
                if args.verbose:
                    for c, cmd, detail in case.failures:
                        print("%s %s: %s: %s" % (c, case.describe(), cmd, detail), flush=True)
            else:
                passed += 1
            rmtree(cwd)
    finally:
        rmtree(root)

    elapsed = time.monotonic() - t0
    print("amfora: %s" % amfora)
    print("seed %s: %d files tried (%d also through `amfora run`) in %.1f s"
          % (args.seed, tried, runs, elapsed))
    print("exit codes: " + ", ".join("%s: %d" % kv for kv in sorted(exits.items())))
    print("mutations (files each was applied to):")
    for m in sorted(by_mutation, key=lambda k: (-by_mutation[k], k)):
        print("  %-13s %5d" % (m, by_mutation[m]))
    print("failures by category (files):")
    for cat in CATEGORIES:
        by_cmd = {}
        for case in fails[cat]:
            for cmd in {cmd.split()[1] for c, cmd, _ in case.failures if c == cat}:
                by_cmd[cmd] = by_cmd.get(cmd, 0) + 1
        print("  %-8s %5d%s" % (cat, len(fails[cat]), "  (" + ", ".join(
            "%s %d" % kv for kv in sorted(by_cmd.items())) + ")" if by_cmd else ""))
    for cat in CATEGORIES:
        for case in fails[cat][:EXAMPLES]:
            seen = set()
            for c, cmd, detail in case.failures:
                if c == cat and cmd.split()[1] not in seen:  # the first of validate's, of run's
                    seen.add(cmd.split()[1])
                    print("%s %s\n    $ %s\n    %s" % (cat, case.describe(), cmd, detail))
    for n in notes[:EXAMPLES]:
        print("NOTE " + n)
    if args.keep and failed:
        print("failing inputs kept under %s" % args.keep)
    print("elapsed %.1f s" % elapsed)
    print("fuzz: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
