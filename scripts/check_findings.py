#!/usr/bin/env python3
"""Compare `amfora validate --json` with what an inbox is expected to produce.

    scripts/check_findings.py samples/expected.json
    scripts/check_findings.py /tmp/inbox/manifest.json --amfora .build/release/amfora

The expectation file is generate_inbox.py's manifest.json or samples/expected.json: a "files"
object keyed by path relative to the expectation file's directory, each with "records",
"blank_lines", "findings" (rule id -> count), optionally "encoding", and the lines the findings
must be on ("deliberate" in samples, "fault_lines" in a manifest). Every file in the listed
Friday directories is validated, so a file nobody expected is reported too. Exit status 0 when
everything matches, 1 otherwise. Standard library only; no CPR number is printed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BATCH = 200   # files per validator call: keeps command lines short


def validate(amfora: Path, paths: list[Path]) -> dict[str, dict]:
    """Runs the validator in batches; returns its file objects keyed by path as given."""
    out: dict[str, dict] = {}
    for i in range(0, len(paths), BATCH):
        chunk = [str(p) for p in paths[i:i + BATCH]]
        run = subprocess.run([str(amfora), "validate", "--json", *chunk], capture_output=True)
        if run.returncode not in (0, 1, 2):
            sys.exit(f"validator failed ({run.returncode}): {run.stderr.decode(errors='replace')}")
        for f in json.loads(run.stdout)["files"]:
            out[f["file"]] = f
    return out


def expected_lines(want: dict) -> Counter | None:
    """(line, rule) -> count, from samples' "deliberate" list or the manifest's "fault_lines"
    (line -> fault kind, whose rules the manifest's "fault_kinds" gives); None if neither."""
    if "deliberate" in want:
        return Counter({(d["line"], d["rule"]): d["count"] for d in want["deliberate"]})
    if "fault_lines" in want and FAULT_KINDS:
        out: Counter = Counter()
        for line, kind in want["fault_lines"].items():
            for rule, n in FAULT_KINDS[kind].items():
                out[(int(line), rule)] += n
        return out
    return None


FAULT_KINDS: dict[str, dict[str, int]] = {}


def compare(name: str, want: dict | None, got: dict, examples: int) -> list[str]:
    problems: list[str] = []
    if want is None:
        return [f"{name}: not expected at all (validator: {got.get('records')} records)"]
    for key in ("records", "blank_lines", "encoding"):
        if key in want and got.get(key) != want[key]:
            problems.append(f"{name}: {key} expected {want[key]}, validator says {got.get(key)}")
    wanted_lines = expected_lines(want)
    if wanted_lines is not None:
        seen = Counter((f["line"], f["rule"]) for f in got["findings"])
        for (line, rule), n in sorted((wanted_lines - seen).items(), key=str):
            problems.append(f"{name}: expected {rule} at line {line} ×{n}, not reported there")
        for (line, rule), n in sorted((seen - wanted_lines).items(), key=str):
            problems.append(f"{name}: {rule} at line {line} ×{n} was not expected there")
    found = Counter(f["rule"] for f in got["findings"])
    expected = Counter(want.get("findings", {}))
    for rule in sorted(set(found) | set(expected)):
        if found[rule] != expected[rule]:
            problems.append(f"{name}: {rule} expected {expected[rule]}, validator found {found[rule]}")
            unexpected = [f for f in got["findings"] if f["rule"] == rule][:examples]
            for f in unexpected:
                problems.append(f"    line {f['line']} [{f['field']}] {f['value']!r}: {f['message']}")
    return problems


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("expected", type=Path, help="manifest.json or samples/expected.json")
    p.add_argument("--amfora", type=Path, default=REPO / ".build" / "debug" / "amfora", help="validator binary")
    p.add_argument("--examples", type=int, default=3, help="findings to show per mismatch")
    args = p.parse_args()

    root = args.expected.resolve().parent
    document = json.loads(args.expected.read_text(encoding="utf-8"))
    expected: dict[str, dict] = document["files"]
    FAULT_KINDS.update(document.get("fault_kinds", {}))
    folders = sorted({root / Path(n).parent for n in expected})
    paths = sorted(f for d in folders for f in d.iterdir() if f.is_file())
    results = validate(args.amfora, paths)

    problems: list[str] = []
    totals = Counter()
    for path in paths:
        name = str(path.relative_to(root))
        got = results[str(path)]
        totals.update(f["rule"] for f in got["findings"])
        problems += compare(name, expected.get(name), got, args.examples)
    for name in sorted(set(expected) - {str(p.relative_to(root)) for p in paths}):
        problems.append(f"{name}: expected but not in the inbox")

    print(f"{len(paths)} files validated; findings by rule: "
          + (", ".join(f"{r} {n}" for r, n in sorted(totals.items())) or "none"))
    if problems:
        print("\n".join(problems))
        print(f"{len(problems)} mismatches")
        return 1
    print("everything the validator reported was expected, and everything expected was reported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
