#!/usr/bin/env python3
"""Self-test of generate_inbox.py --fridays: a small inbox of several Fridays, checked for what
the options promise. Standard library only; everything is written to a temporary directory
that is removed afterwards (KEEP=1 keeps it).

    python3 scripts/test_generate_year.py

- the first two Fridays of an N-Friday inbox are those a two-Friday run with the same second
  Friday writes (the later Fridays evolve from them), apart from that Friday's events;
- the bytes do not depend on --jobs;
- manifest.json's events match the files: a skipped municipality has no files that Friday and
  none of the events the Friday after, a late one has its files under late/ only, a shrunken
  AMFORA file holds ~60 % of the Friday before's records and the one after is complete;
- every file listed is on disk with the bytes the manifest says, and nothing else is;
- measures removed on one Friday come back later (at least the manifest's "reappeared");
- on every Friday the validator (AMFORA=path, default .build/debug/amfora) finds exactly the
  injected faults (scripts/check_findings.py): the week-over-week edits of clean records stay
  clean, so a year's findings do not pile up (a fleksjob extended past retirement once did);
- --missing / --shrunken are refused above two Fridays, and --fridays outside 2..104.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "generate_inbox.py"
COMMON = ["--records", "20000", "--change-rate", "0.06", "--fault-rate", "0.003",
          "--municipalities", "101,147,155,461,751,825,851", "--seed", "year-test"]
FRIDAYS = 9
LATEST = "2026-11-27"
SECOND = "2026-10-09"          # LATEST - 7 * (FRIDAYS - 2) days


def generate(out: Path, *extra: str) -> dict:
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), *COMMON, *extra],
                   check=True, capture_output=True)
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.md5(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def komnr_of(name: str) -> int:
    return int(Path(name).name.split("_")[1])


def check(ok: bool, what: str, problems: list[str]) -> None:
    if not ok:
        problems.append(what)


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="gen-year-"))
    problems: list[str] = []
    try:
        year = generate(tmp / "year", "--fridays", str(FRIDAYS), "--friday", LATEST, "--jobs", "2")
        fridays, events, files = year["fridays"], year["events"], year["files"]
        check(len(fridays) == FRIDAYS and fridays[-1] == LATEST and fridays[1] == SECOND,
              f"fridays {fridays}", problems)

        # The same bytes with one process.
        generate(tmp / "one", "--fridays", str(FRIDAYS), "--friday", LATEST, "--jobs", "1")
        check(digests(tmp / "year") == digests(tmp / "one"), "--jobs 1 and --jobs 2 differ", problems)

        # The first two Fridays are a two-Friday run's (its own missing and shrunken turned off).
        generate(tmp / "two", "--friday", SECOND, "--missing", "none", "--shrunken", "none")
        two = digests(tmp / "two")
        ours = digests(tmp / "year")
        touched = set(events[SECOND]["missing"] + events[SECOND]["shrunken"])
        for name, digest in two.items():
            if name == "manifest.json" or (name.startswith(SECOND) and komnr_of(name) in touched):
                continue
            mine = ours.get(name) or ours.get(f"late/{name}")
            check(mine == digest, f"{name}: not as a two-Friday run writes it", problems)

        # Events against the files.
        for i, day in enumerate(fridays):
            e = events[day]
            hit = e["missing"] + e["shrunken"] + e["late"]
            check(len(hit) == len(set(hit)), f"{day}: one municipality with two events {e}", problems)
            if i == 0:
                check(not hit, f"{day}: events on the first Friday", problems)
                continue
            if i + 1 < len(fridays):
                after = events[fridays[i + 1]]
                again = set(hit) & set(after["missing"] + after["shrunken"] + after["late"])
                check(not again, f"{day}: {sorted(again)} not normal the Friday after", problems)
            else:
                check(not e["missing"], f"{day}: a skip on the last Friday", problems)
            here = {komnr_of(n) for n in files if n.startswith(day + "/")}
            late = {komnr_of(n) for n in files if n.startswith(f"late/{day}/")}
            check(late == set(e["late"]), f"{day}: late files {sorted(late)}, events say {e['late']}", problems)
            check(not here & late, f"{day}: {sorted(here & late)} both on time and late", problems)
            for k in e["missing"]:
                check(k not in here | late, f"{day}: {k} skipped but has files", problems)
            for k in e["shrunken"]:
                def records(d: str) -> int:
                    name = next(n for n in files if n.endswith(f"AMFORA_{k:03d}_{d.replace('-', '')}.txt"))
                    return files[name]["records"]
                share = records(day) / records(fridays[i - 1])
                check(0.55 <= share <= 0.65, f"{day}: {k} shrunken to {share:.0%}", problems)
                if i + 1 < len(fridays):
                    check(records(fridays[i + 1]) >= 0.95 * records(fridays[i - 1]),
                          f"{day}: {k} not complete the Friday after", problems)
        for kind in ("missing", "shrunken", "late"):
            check(any(events[d][kind] for d in fridays), f"no {kind} event at all", problems)

        # The manifest lists exactly the files on disk, with their sizes.
        on_disk = {n for n in ours if n != "manifest.json"}
        check(on_disk == set(files), f"files on disk and in the manifest differ: "
                                     f"{sorted(on_disk ^ set(files))[:5]}", problems)
        for name, entry in files.items():
            size = os.path.getsize(tmp / "year" / name)
            check(size == entry["bytes"], f"{name}: {size} bytes, manifest says {entry['bytes']}", problems)

        # Reappearing measures: a key (CPR, Komnr, Foranstalt, Startdt) absent from a delivered
        # Friday and present again later. Moves undone count too, so at least the manifest's.
        back = 0
        for k in year["municipalities"]:
            seen: set[str] = set()
            gone: set[str] = set()
            for day in fridays:
                name = next((n for n in files if f"AMFORA_{k:03d}_{day.replace('-', '')}" in n), None)
                if name is None or k in events[day]["shrunken"]:
                    continue
                text = (tmp / "year" / name).read_bytes().decode("latin-1")
                keys = {line[:26] for line in text.splitlines() if line.strip()}
                back += len(keys & gone)
                gone = (gone | (seen - keys)) - keys
                seen |= keys
        wanted = sum(events[d]["reappeared"] for d in fridays)
        check(wanted > 0 and back >= wanted, f"{back} keys came back, the manifest says {wanted}", problems)

        # The validator finds the injected faults and nothing else, on every Friday.
        amfora = Path(os.environ.get("AMFORA", SCRIPT.parent.parent / ".build" / "debug" / "amfora"))
        if not amfora.is_file():
            problems.append(f"{amfora}: no amfora to validate with (swift build first, or AMFORA=path)")
        else:
            run = subprocess.run([sys.executable, str(SCRIPT.parent / "check_findings.py"), str(tmp / "year" / "manifest.json"),
                                  "--amfora", str(amfora)], capture_output=True, text=True)
            check(run.returncode == 0, "the validator's findings are not the injected faults:\n"
                  + "\n".join(run.stdout.splitlines()[1:12]), problems)

        # Refusals.
        for extra in (["--fridays", "3", "--missing", "101"], ["--fridays", "3", "--shrunken", "none"],
                      ["--fridays", "1"], ["--fridays", "105"]):
            run = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp / "refused"), *COMMON, *extra],
                                 capture_output=True, text=True)
            check(run.returncode != 0 and run.stderr.strip(), f"{extra} not refused", problems)
    finally:
        if os.environ.get("KEEP") == "1":
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    for p in problems:
        print(p)
    print(f"{len(problems)} problems" if problems else "generate_inbox.py --fridays: everything as promised")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
