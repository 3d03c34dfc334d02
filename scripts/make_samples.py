#!/usr/bin/env python3
"""Write samples/: a small realistic inbox for two consecutive Fridays with a handful of
deliberate faults, plus samples/expected.json (what `amfora validate` must report per file) and
samples/README.md (every deliberate fault: file, line, field, what is wrong, which rule).

    python3 scripts/make_samples.py            # rewrites samples/ (byte-identical every time)
    python3 scripts/check_findings.py samples/expected.json

The records come from generate_inbox.py (same layouts, suppliers and week-over-week changes,
no random faults); this script adds the hand-made persons and places the deliberate faults.
Standard library only. No full CPR number is written to any .md file.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate_inbox as g  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FRIDAY2 = dt.date(2026, 11, 27)
FRIDAY1 = FRIDAY2 - dt.timedelta(days=7)
SEED = "samples-2026"

# Livelier than a real week, so that a few dozen records show every kind of change.
CHANGES = g.WeekChanges(new=0.06, removed=0.04, changed=0.08, moved=0.05, history=0.3,
                        aid_new=0.15, aid_removed=0.08)


@dataclass(frozen=True)
class Sample:
    komnr: int
    supplier: str        # a generate_inbox.SUPPLIERS name: encoding, line ends, date form
    records: int
    aid1: int
    aid2: int


SAMPLES = [
    Sample(101, "Alfa Data", 80, 6, 10),          # Windows-1252, CRLF, dd-mm-yyyy
    Sample(147, "Cirkel IT", 40, 5, 6),           # UTF-8 with BOM, CRLF, dd/mm/yyyy, blank last line
    Sample(492, "Elmegaard Løn", 20, 3, 4),       # Windows-1252, LF, ddmmyy right-aligned
    Sample(563, "Fjord Software", 20, 3, 3),      # UTF-8, LF, dd-mm-yy
    Sample(751, "Bøgh Systemer", 60, 5, 8),       # UTF-8, LF, ddmmyyyy, space-padded numbers
    Sample(851, "Grøn Kode", 50, 4, 6),           # UTF-8, CRLF, yyyy-mm-dd
]
MISSING = 563        # delivers nothing on the second Friday
SHRUNKEN = 851       # its second-Friday AMFORA file holds only 60 % of the records


@dataclass(frozen=True)
class Planned:
    """A deliberate fault of generate_inbox.FAULTS: which file, and roughly where in it."""
    week: int
    kind: str
    komnr: int
    fault: str
    near: float          # fraction of the file where the search for a fitting record starts


PLANNED = [
    Planned(1, "AMFORA", 101, "company-without-stedkode", 0.2),
    Planned(2, "AMFORA", 101, "legacy-after-cutover", 0.6),
    Planned(2, "AMFORA", 147, "end-before-start", 0.5),
    Planned(1, "HJAELP1", 147, "bad-cvr", 0.0),
    Planned(1, "AMFORA", 492, "hovedydelse87-adult", 0.5),
    Planned(1, "AMFORA", 563, "short-line", 0.4),
    Planned(1, "AMFORA", 751, "impossible-date", 0.3),
    Planned(2, "HJAELP2", 751, "komnr-mismatch", 0.5),
    Planned(1, "AMFORA", 851, "long-line", 0.7),
    Planned(2, "AMFORA", 751, "course-without-pnr", 0.4),
    Planned(2, "AMFORA", 492, "course-without-hold", 0.3),
    Planned(1, "AMFORA", 147, "fleksjob-past-pension", 0.5),
    Planned(2, "AMFORA", 101, "offer-dates-without-flag", 0.3),
]
# Faults no record-level edit can make; placed by hand below.
UNDEFINED_BYTE = (2, "AMFORA", 492)     # a name exported from a DOS code page: ü as 0x81
TRUNCATED = (2, "HJAELP1", 101)         # transfer cut off in the middle of the last line
NOT_A_DELIVERY = "AMFORA_101_2026112.txt"   # an upload with a mistyped date, beside the real one

SEVERITY = {"line.short": "warning", "course.kursuspnr": "warning", "course.holdid": "warning",
            "fleksjob.slutdt": "warning", "abtilbud.dates": "warning"}     # every other rule used here is an error


def fault_description(kind: str) -> str:
    return {
        "company-without-stedkode": "company-based measure with a blank Stedkode",
        "legacy-after-cutover": "legacy measure code for a measure that started after the 2010-12-13 cut-over",
        "end-before-start": "Slutdt before Startdt",
        "bad-cvr": "CVR whose check digit fails modulus 11",
        "hovedydelse87-adult": "Hovedydelse 87 (unge 15-17 år) for an adult",
        "short-line": "line shorter than the layout (trailing blanks cut off)",
        "impossible-date": "a date that does not exist (30/31 February)",
        "komnr-mismatch": "Komnr of another municipality than the file name's",
        "long-line": "non-blank text beyond the last column",
        "course-without-pnr": "a course without the provider's P-number (52.1 item 18)",
        "course-without-hold": "a course without its HoldID (52.1 item 19)",
        "fleksjob-past-pension": "a fleksjob ending after the person's expected folkepension date (52.1 item 5)",
        "offer-dates-without-flag": "open-offer dates on a measure Abtilbud does not mark as an open offer (52.1 item 8)",
    }[kind]


FAULT_FIELD = {"company-without-stedkode": "Stedkode", "legacy-after-cutover": "Foranstalt",
               "end-before-start": "Slutdt", "bad-cvr": "CVR", "hovedydelse87-adult": "Hovedydelse",
               "impossible-date": "Slutdt", "komnr-mismatch": "Komnr", "course-without-pnr": "KursusPnr",
               "course-without-hold": "HoldID", "fleksjob-past-pension": "Slutdt", "offer-dates-without-flag": "StdtAb"}


# --------------------------------------------------------------------------------------------
# Building the records
# --------------------------------------------------------------------------------------------

def day(y: int, m: int, d: int) -> int:
    return dt.date(y, m, d).toordinal()


def hand_made_person(data: g.MunicipalityData, birth: dt.date) -> g.Person:
    return g.Person(g.make_cpr(data.rng.random, birth), birth)


def full_time(data: g.MunicipalityData, p: g.Person, code: int, start: int, end: int, hours: int,
              benefit: int = 10) -> g.Measure:
    """A clean measure with exactly these dates and hours."""
    m = g.Measure(p, code, start, end, hours, benefit)
    if code in g.COMPANY_BASED:
        data.place_at_company(m)
    elif code in g.COURSES:
        m.course = (data.providers[0], g.make_guid(data.rng), None)
    return m


def add_overlaps(datas: dict[int, g.MunicipalityData], pairs: dict[int, list]) -> dict[str, str]:
    """The persons the write-down must scale (writedown.md examples D and A/C): one reported by
    København and Frederiksberg at 37 + 37 hours over the same days, and one in Aarhus with two
    measures of 30 + 15 hours overlapping. Returns masked CPR -> what it demonstrates."""
    both = hand_made_person(datas[101], dt.date(1984, 3, 15))
    start, end = day(2026, 9, 1), day(2026, 12, 31)
    pairs[101].insert(len(pairs[101]) // 3, (m := full_time(datas[101], both, 140, start, end, 37), m))
    pairs[147].insert(len(pairs[147]) // 3, (m := full_time(datas[147], both, 165, start, end, 37), m))

    aarhus = hand_made_person(datas[751], dt.date(1991, 7, 2))
    practice = full_time(datas[751], aarhus, 140, day(2026, 10, 5), day(2026, 12, 18), 30)
    danish = full_time(datas[751], aarhus, 128, day(2026, 9, 1), day(2027, 2, 26), 15, benefit=33)
    pairs[751].insert(len(pairs[751]) // 2, (practice, practice))
    pairs[751].insert(len(pairs[751]) // 2 + 1, (danish, danish))
    return {
        mask(both.cpr): "reported by 101 (Foranstalt 140, 37 h) and by 147 (Foranstalt 165, 37 h), "
                        "both 2026-09-01 … 2026-12-31: written down to 18.5 + 18.5",
        mask(aarhus.cpr): "in 751: Foranstalt 140 at 30 h (2026-10-05 … 2026-12-18) overlapping "
                          "Foranstalt 128 at 15 h (2026-09-01 … 2027-02-26): 45 h, written down to 37",
    }


def mask(cpr: str) -> str:
    return cpr[:6] + "-****"


def place_fault(pairs: list, plan: Planned) -> None:
    """Puts the fault on a copy of the first record at or after `near` it applies to, in the
    planned week only: the other week keeps the clean record (the municipality fixed it, or
    broke it only now)."""
    n = len(pairs)
    for k in range(n):
        i = (int(plan.near * n) + k) % n
        r1, r2 = pairs[i]
        target = r1 if plan.week == 1 else r2
        if target is None or target.fault or not g.FAULTS[plan.fault].applies(target):
            continue
        bad = target.copy()
        bad.fault, bad.fault_arg = plan.fault, int(plan.near * 1000) + i
        pairs[i] = (bad, r2) if plan.week == 1 else (r1, bad)
        return
    raise SystemExit(f"no record fits {plan}")


def place_undefined_byte(data: g.MunicipalityData, pairs: list) -> g.Measure:
    """A second-Friday measure at a workplace whose name came from a DOS code page export."""
    for i, (r1, r2) in enumerate(pairs):
        if r2 is not None and r2.place is not None and r2.place.name and i >= len(pairs) // 2:
            bad = r2.copy()
            bad.place = dataclasses.replace(r2.place, name="Müller Tømrer & Snedker ApS")
            pairs[i] = (r1, bad)
            return bad
    raise SystemExit("no measure at a named workplace for the undefined byte")


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

@dataclass
class Written:
    entry: dict
    tagged: dict[str, int]      # tag -> line number


def write_file(path: Path, supplier: g.Supplier, records: list, fmt, limit: int | None = None,
               blank_after: int | None = None, tags: dict[int, str] | None = None) -> Written:
    w = g.DeliveryWriter(path, supplier, "no stray blank lines", limit)
    w.blank_rate = 0.0
    tagged = {}
    for i, r in enumerate(records):
        if w.full:
            break
        w.write(fmt.render(r), r.fault)
        if tags and id(r) in tags:
            tagged[tags[id(r)]] = w.records + w.blank_lines
        if blank_after is not None and i == blank_after:
            w.blank_line(" " * 12)        # a stray line of blanks between records
    return Written(w.close(), tagged)


def week_stats(pairs: list) -> dict[str, int]:
    stats = {"unchanged": 0, "changed": 0, "moved": 0, "new": 0, "removed": 0}
    for r1, r2 in pairs:
        if r1 is None:
            stats["new"] += 1
        elif r2 is None:
            stats["removed"] += 1
        elif r2 is r1 or (r1.fault or r2.fault):
            stats["unchanged"] += 1
        elif r2.start != r1.start:
            stats["moved"] += 1
        else:
            stats["changed"] += 1
    return stats


def field_text(fmt: g.LineFormat, line: str, name: str) -> str:
    f = next(x for x in fmt.layout.fields if x.name == name)
    return line[f.offset:f.offset + f.length].strip()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=REPO / "samples")
    args = p.parse_args()
    out: Path = args.out

    settings = g.Settings(SEED, FRIDAY1.toordinal(), FRIDAY2.toordinal(), 0.0, 0.0, CHANGES)
    g.init_worker(str(g.DEFAULT_RESOURCES), settings, str(out))
    layouts = g._CTX["layouts"]
    names = g.load_municipalities(g.DEFAULT_RESOURCES)
    for sub in (FRIDAY1.isoformat(), FRIDAY2.isoformat()):
        shutil.rmtree(out / sub, ignore_errors=True)

    datas = {s.komnr: g.MunicipalityData(settings, g.CATALOG, s.komnr, names[s.komnr]) for s in SAMPLES}
    amfora = {s.komnr: list(datas[s.komnr].measure_weeks(s.records, [])) for s in SAMPLES}
    aids = {(s.komnr, kind): list(datas[s.komnr].aid_weeks(n))
            for s in SAMPLES for kind, n in (("HJAELP1", s.aid1), ("HJAELP2", s.aid2))}
    overlaps = add_overlaps(datas, amfora)

    for plan in PLANNED:
        place_fault(amfora[plan.komnr] if plan.kind == "AMFORA" else aids[(plan.komnr, plan.kind)], plan)
    dos_name = place_undefined_byte(datas[UNDEFINED_BYTE[2]], amfora[UNDEFINED_BYTE[2]])

    files: dict[str, dict] = {}
    deliberate: list[dict] = []
    stats: dict[int, dict] = {}
    for s in SAMPLES:
        supplier = g.SUPPLIER_BY_NAME[s.supplier]
        kinds = [("AMFORA", amfora[s.komnr], g.MeasureFormat(g.LineFormat(layouts["52.2-v1"], supplier), s.komnr))]
        aid_fmt = g.AidFormat(g.LineFormat(layouts["57.2-v1"], supplier, date_form="dd-mm-yyyy"), s.komnr)
        kinds += [(k, aids[(s.komnr, k)], aid_fmt) for k in ("HJAELP1", "HJAELP2")]
        stats[s.komnr] = week_stats(amfora[s.komnr])
        for kind, pairs, fmt in kinds:
            for week, friday in ((1, FRIDAY1), (2, FRIDAY2)):
                if week == 2 and s.komnr == MISSING:
                    continue
                name = f"{friday.isoformat()}/{g.file_name(kind, s.komnr, friday.toordinal())}"
                records = [pair[week - 1] for pair in pairs if pair[week - 1] is not None]
                limit = int(len(records) * g.SHRINK_TO) if (week, kind, s.komnr) == (2, "AMFORA", SHRUNKEN) else None
                blank = len(records) // 2 if (week, kind, s.komnr) == (1, "AMFORA", 751) else None
                written = write_file(out / name, supplier, records, fmt, limit, blank, {id(dos_name): "0x81"})
                files[name] = written.entry
                fmt_lines = (out / name).read_bytes().decode("utf-8-sig" if supplier.encoding == "utf-8" else "cp1252")
                lines = fmt_lines.split(supplier.newline)
                for line_no, fault in written.entry["fault_lines"].items():
                    deliberate.append(describe(name, int(line_no), fault, lines[int(line_no) - 1], fmt.f, s.komnr))
                if "0x81" in written.tagged:
                    deliberate.append(break_byte(out / name, written.tagged["0x81"], files[name]))

    check_requirements(out, files)
    deliberate.append(truncate(out, files, *TRUNCATED))
    deliberate.append(not_a_delivery(out, files))
    deliberate.sort(key=lambda d: (d["file"], d["line"] or 0))

    expected = {"note": "written by scripts/make_samples.py; check with scripts/check_findings.py samples/expected.json",
                "fridays": [FRIDAY1.isoformat(), FRIDAY2.isoformat()],
                "missing": MISSING, "shrunken": SHRUNKEN, "files": {}}
    for name, e in sorted(files.items()):
        mine = [d for d in deliberate if d["file"] == name]
        findings: dict[str, int] = {}
        for d in mine:
            findings[d["rule"]] = findings.get(d["rule"], 0) + d["count"]
        entry = {k: e[k] for k in ("records", "blank_lines", "encoding") if k in e}
        entry["findings"] = dict(sorted(findings.items()))
        entry["deliberate"] = [{k: d[k] for k in ("line", "field", "rule", "severity", "count")} for d in mine]
        expected["files"][name] = entry
    (out / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "README.md").write_text(readme(files, deliberate, overlaps, stats), encoding="utf-8")
    print(f"wrote {len(files)} files and {len(deliberate)} deliberate faults to {out}", file=sys.stderr)
    return 0


def describe(name: str, line_no: int, fault: str, line: str, fmt: g.LineFormat, komnr: int) -> dict:
    """One README/expected.json row for a generate_inbox fault, quoting the broken value."""
    fld = FAULT_FIELD.get(fault)
    what = fault_description(fault)
    if fault in ("impossible-date", "end-before-start"):
        what += f": Slutdt `{field_text(fmt, line, 'Slutdt')}`, Startdt `{field_text(fmt, line, 'Startdt')}`"
    elif fault == "legacy-after-cutover":
        what += f": Foranstalt `{field_text(fmt, line, 'Foranstalt')}`, Startdt `{field_text(fmt, line, 'Startdt')}`"
    elif fault == "hovedydelse87-adult":
        cpr = field_text(fmt, line, "CPRnr")
        born = dt.date(g.cpr_century(int(cpr[6]), int(cpr[4:6])) + int(cpr[4:6]), int(cpr[2:4]), int(cpr[:2]))
        start = g.DAY(parse_date(field_text(fmt, line, "Startdt")))
        what += f": person {mask(cpr)} is {g.age_on(born, start)} at Startdt {start.isoformat()}"
    elif fault == "komnr-mismatch":
        what += f": Komnr `{field_text(fmt, line, 'Komnr')}` in a file of {komnr:03d}"
    elif fault == "bad-cvr":
        what += f": `{field_text(fmt, line, 'CVR')}`"
    elif fault == "company-without-stedkode":
        what = f"Foranstalt `{field_text(fmt, line, 'Foranstalt')}` is company-based but Stedkode is blank"
    elif fault == "long-line":
        what += f": `{line[fmt.width:]}` after column {fmt.width}"
    elif fault == "short-line":
        what += f": {len(line)} of {fmt.width} characters"
    rules = g.FAULTS[fault].findings
    (rule, count), = rules.items()
    return {"file": name, "line": line_no, "field": fld, "rule": rule, "count": count,
            "severity": SEVERITY.get(rule, "error"), "what": what}


def parse_date(text: str) -> int:
    """The sample suppliers' date forms (for the README only)."""
    for form in ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%d%m%Y", "%Y-%m-%d", "%d-%m-%y", "%d%m%y"):
        try:
            return dt.datetime.strptime(text, form).date().toordinal()
        except ValueError:
            pass
    raise ValueError(text)


def break_byte(path: Path, line_no: int, entry: dict) -> dict:
    """Writes ü as 0x81 (its code in DOS code pages 437/850), a byte Windows-1252 leaves undefined."""
    data = path.read_bytes()
    assert data.count(b"M\xfcller") == 1 and has_danish_cp1252(data), "must be Windows-1252 apart from 0x81"
    path.write_bytes(data.replace(b"M\xfcller", b"M\x81ller"))
    return {"file": str(path.relative_to(path.parent.parent)), "line": line_no, "field": None,
            "rule": "line.encoding", "count": 1, "severity": "error",
            "what": "byte 0x81 (ü from a DOS code page: `M\\x81ller`) in Navn; undefined in Windows-1252, "
                    "the rest of the file is Windows-1252 (æøå), so it is not UTF-8 either"}


def has_danish_cp1252(data: bytes) -> bool:
    return any(bytes([b]) in data for b in "æøåÆØÅ".encode("cp1252"))


def check_requirements(out: Path, files: dict) -> None:
    """What the samples promise, checked on the bytes written."""
    entries = {n: e for n, e in files.items() if "supplier" in e}
    cp1252 = [n for n, e in entries.items() if "/AMFORA_" in n and e["encoding"] == "Windows-1252"]
    assert any(has_danish_cp1252((out / n).read_bytes()) for n in cp1252), "a Windows-1252 file with æøå"
    assert any(e["bom"] and e["encoding"] == "UTF-8" for e in entries.values()), "a UTF-8 file with BOM"
    assert {e["newline"] for e in entries.values()} == {"CRLF", "LF"}, "both line ends"
    assert all(e["records"] > 0 for e in entries.values()), "no empty delivery"
    for n in entries:
        if n.startswith(FRIDAY2.isoformat()) and f"_{SHRUNKEN:03d}_" in n and "/AMFORA_" in n:
            before = entries[n.replace(FRIDAY2.isoformat(), FRIDAY1.isoformat()).replace(
                FRIDAY2.strftime("%Y%m%d"), FRIDAY1.strftime("%Y%m%d"))]["records"]
            assert entries[n]["records"] < 0.9 * before, "the shrunken file shrinks by more than 10 %"


def truncate(out: Path, files: dict, week: int, kind: str, komnr: int) -> dict:
    """Cuts the last line after 22 of 41 characters, without a line ending: a broken transfer."""
    friday = FRIDAY1 if week == 1 else FRIDAY2
    name = f"{friday.isoformat()}/{g.file_name(kind, komnr, friday.toordinal())}"
    path = out / name
    entry = files[name]
    nl = b"\r\n" if entry["newline"] == "CRLF" else b"\n"
    body = path.read_bytes()
    assert body.endswith(nl) and entry["blank_lines"] == 0
    head, _, last = body[:-len(nl)].rpartition(nl)
    path.write_bytes(head + nl + last[:22])
    entry["records"] -= 1
    return {"file": name, "line": entry["records"] + 1, "field": None, "rule": "file.truncated", "count": 1,
            "severity": "error",
            "what": f"last line ends after 22 of 41 characters (`{last[:22].decode()}`) with no line ending: "
                    "the transfer was cut short; the whole file is rejected"}


def not_a_delivery(out: Path, files: dict) -> dict:
    """A botched upload beside the real delivery: the date in the name has seven digits."""
    real = out / FRIDAY2.isoformat() / g.file_name("AMFORA", 101, FRIDAY2.toordinal())
    name = f"{FRIDAY2.isoformat()}/{NOT_A_DELIVERY}"
    lines = real.read_bytes().split(b"\r\n")[:3]
    (out / name).write_bytes(b"\r\n".join(lines) + b"\r\n")
    files[name] = {"records": 0, "blank_lines": 0, "newline": "CRLF"}
    return {"file": name, "line": None, "field": None, "rule": "file.name", "count": 1, "severity": "error",
            "what": "not a delivery: the date in the name has seven digits (a mistyped re-upload of "
                    "three lines of AMFORA_101_20261127.txt); reported, never read"}


def readme(files: dict, deliberate: list[dict], overlaps: dict[str, str], stats: dict[int, dict]) -> str:
    names = g.load_municipalities(g.DEFAULT_RESOURCES)
    trailing_blank = " and ".join(f"{s.komnr:03d}" for s in SAMPLES if g.SUPPLIER_BY_NAME[s.supplier].trailing_blank_line)
    out = [
        "# Sample inbox: two Fridays, six municipalities",
        "",
        "A small, realistic delivery inbox for **2026-11-20** and **2026-11-27**, written by",
        "`scripts/make_samples.py` (reproducible: run it again and every byte comes out the same).",
        "All CPR, CVR and P-numbers are synthetic. Apart from the deliberate faults listed below the",
        "files are clean: `amfora validate` must report these findings and nothing else, as",
        "`expected.json` states per file. Check with:",
        "",
        "```sh",
        ".build/debug/amfora validate samples/2026-11-20/* samples/2026-11-27/*",
        "python3 scripts/check_findings.py samples/expected.json",
        "```",
        "",
        "## Municipalities and their IT suppliers",
        "",
        "| komnr | municipality | encoding | line ends | dates in §52.2 | numbers | second Friday |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in SAMPLES:
        sup = g.SUPPLIER_BY_NAME[s.supplier]
        enc = "Windows-1252" if sup.encoding == "cp1252" else "UTF-8" + (" with BOM" if sup.bom else "")
        align = ", right-aligned" if sup.date_right else ""
        pad = "zero-padded" if sup.num_pad == "0" else "space-padded"
        st = stats[s.komnr]
        if s.komnr == MISSING:
            week2 = "**no delivery** (missing)"
        else:
            week2 = f"{st['new']} new, {st['changed']} changed, {st['moved']} moved start, {st['removed']} removed"
            if s.komnr == SHRUNKEN:
                week2 += "; **AMFORA cut to 60 %** (shrinks by more than 10 %)"
        out.append(f"| {s.komnr:03d} | {names[s.komnr]} | {enc} | {'CRLF' if sup.newline == chr(13) + chr(10) else 'LF'} "
                   f"| `{sup.date_form}`{align} | {pad} | {week2} |")
    out += [
        "",
        "§57.2 aid files (HJAELP1/HJAELP2) write `Startdtgod` as `dd-mm-yyyy`. Holding only digits,",
        "they are plain ASCII, which the validator reports as UTF-8 whatever the supplier's encoding.",
        f"The files of {trailing_blank} end in an empty line and `AMFORA_751_20261120.txt` has a line",
        "of blanks in the middle: blank lines are counted, never findings.",
        "",
        "## Persons for the 37-hour write-down",
        "",
        "These are not faults (no validator finding):",
        "",
    ]
    out += [f"- `{cpr}`: {text}" for cpr, text in overlaps.items()]
    out += [
        "",
        "## Deliberate faults",
        "",
        "| # | file | line | field | what is wrong | rule (severity) |",
        "|---:|---|---:|---|---|---|",
    ]
    for i, d in enumerate(deliberate, 1):
        count = f" ×{d['count']}" if d["count"] > 1 else ""
        out.append(f"| {i} | `{d['file']}` | {d['line'] or '–'} | {d['field'] or '–'} | {d['what']} | "
                   f"`{d['rule']}` ({d['severity']}){count} |")
    out += [
        "",
        "Week over week, besides the faults: the second Friday is the first one's dataset with new,",
        "changed (Slutdt extended or shortened, Timetal or Hovedydelse corrected, some of measures",
        "that ended long ago: history changes), moved-start (same CPR, Komnr and Foranstalt, Startdt",
        "shifted a few days) and removed records, as counted in the table above. A record faulty on",
        "one Friday is clean on the other.",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
