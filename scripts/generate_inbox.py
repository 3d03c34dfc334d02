#!/usr/bin/env python3
"""Generate realistic AMFORA delivery inboxes for consecutive Fridays (two by default).

Writes OUT/<friday>/ for each Friday with one AMFORA, HJAELP1 and HJAELP2 file per municipality
(flat-files.md), plus OUT/manifest.json saying, per file, how many records and blank lines it
holds, which faults were injected and which validator findings they must cause.

Everything about columns comes from the repository's layouts.tsv, codelists.tsv and
kommuner.tsv; this script only knows field *names*. The output is a pure function of the
arguments: every municipality draws from its own random streams seeded by (seed, komnr, purpose),
so files are byte-identical whatever --jobs is and whichever process writes them.

The second Friday is derived from the first record by record while streaming (unchanged, changed,
moved start, removed, new), so memory stays small however many records are asked for. With
--fridays N above 2, each later Friday is evolved from the one before by the same changes, from
one municipality's records of the last Friday held in memory (and written as they are evolved);
over the Fridays some removed measures come back, a municipality skips a Friday, a file is cut
short and complete again the week after, a delivery arrives late (OUT/late/<friday>/), and a
start correction carries a measure across a code list's cut-over (manifest.json: "events").

Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import multiprocessing
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_RESOURCES = REPO / "Sources" / "AmforaCore" / "Resources"

DAY = dt.date.fromordinal


def ordinal(y: int, m: int, d: int) -> int:
    return dt.date(y, m, d).toordinal()


# --------------------------------------------------------------------------------------------
# Reference data the layouts don't carry: sizes and towns (used only to make data look real)
# --------------------------------------------------------------------------------------------

# komnr: (approximate population in thousands — a size weight only, main postal codes and towns)
MUNICIPALITY_FACTS: dict[int, tuple[float, list[tuple[str, str]]]] = {
    101: (660, [("1050", "København K"), ("2100", "København Ø"), ("2200", "København N"),
                ("2300", "København S"), ("2400", "København NV"), ("2450", "København SV"),
                ("2500", "Valby"), ("2700", "Brønshøj"), ("2720", "Vanløse")]),
    147: (105, [("2000", "Frederiksberg")]), 151: (49, [("2750", "Ballerup")]),
    153: (36, [("2605", "Brøndby")]), 155: (14, [("2791", "Dragør")]),
    157: (75, [("2820", "Gentofte"), ("2900", "Hellerup")]),
    159: (70, [("2860", "Søborg"), ("2880", "Bagsværd")]), 161: (24, [("2600", "Glostrup")]),
    163: (30, [("2730", "Herlev")]), 165: (28, [("2620", "Albertslund")]),
    167: (54, [("2650", "Hvidovre")]), 169: (58, [("2630", "Taastrup")]),
    173: (57, [("2800", "Kongens Lyngby")]), 175: (41, [("2610", "Rødovre")]),
    183: (24, [("2635", "Ishøj")]), 185: (44, [("2770", "Kastrup")]),
    187: (17, [("2625", "Vallensbæk")]), 190: (42, [("3520", "Farum")]),
    201: (26, [("3450", "Allerød")]), 210: (41, [("3480", "Fredensborg")]),
    217: (64, [("3000", "Helsingør")]), 219: (53, [("3400", "Hillerød")]),
    223: (25, [("2970", "Hørsholm")]), 230: (57, [("2840", "Holte")]),
    240: (44, [("3660", "Stenløse")]), 250: (46, [("3600", "Frederikssund")]),
    253: (51, [("2670", "Greve")]), 259: (62, [("4600", "Køge")]),
    260: (31, [("3300", "Frederiksværk")]), 265: (90, [("4000", "Roskilde")]),
    269: (24, [("2680", "Solrød Strand")]), 270: (41, [("3200", "Helsinge")]),
    306: (33, [("4500", "Nykøbing Sj")]), 316: (73, [("4300", "Holbæk")]),
    320: (37, [("4640", "Faxe")]), 326: (49, [("4400", "Kalundborg")]),
    329: (36, [("4100", "Ringsted")]), 330: (80, [("4200", "Slagelse")]),
    336: (23, [("4660", "Store Heddinge")]), 340: (30, [("4180", "Sorø")]),
    350: (29, [("4320", "Lejre")]), 360: (40, [("4900", "Nakskov")]),
    370: (84, [("4700", "Næstved")]), 376: (60, [("4800", "Nykøbing F")]),
    390: (46, [("4760", "Vordingborg")]), 400: (39, [("3700", "Rønne")]),
    410: (39, [("5500", "Middelfart")]), 420: (41, [("5610", "Assens")]),
    430: (52, [("5600", "Faaborg")]), 440: (24, [("5300", "Kerteminde")]),
    450: (32, [("5800", "Nyborg")]), 461: (210, [("5000", "Odense C"), ("5200", "Odense V")]),
    479: (59, [("5700", "Svendborg")]), 480: (30, [("5450", "Otterup")]),
    482: (12, [("5900", "Rudkøbing")]), 492: (6, [("5970", "Ærøskøbing"), ("5960", "Marstal")]),
    510: (55, [("6100", "Haderslev")]), 530: (27, [("7190", "Billund")]),
    540: (74, [("6400", "Sønderborg")]), 550: (37, [("6270", "Tønder")]),
    561: (116, [("6700", "Esbjerg")]), 563: (3.5, [("6720", "Fanø")]),
    573: (50, [("6800", "Varde")]), 575: (43, [("6600", "Vejen")]),
    580: (59, [("6200", "Aabenraa")]), 607: (52, [("7000", "Fredericia")]),
    615: (97, [("8700", "Horsens")]), 621: (95, [("6000", "Kolding")]),
    630: (121, [("7100", "Vejle")]), 657: (90, [("7400", "Herning")]),
    661: (59, [("7500", "Holstebro")]), 665: (19, [("7620", "Lemvig")]),
    671: (21, [("7600", "Struer")]), 706: (43, [("8400", "Ebeltoft")]),
    707: (37, [("8500", "Grenaa")]), 710: (50, [("8382", "Hinnerup")]),
    727: (23, [("8300", "Odder")]), 730: (99, [("8900", "Randers C")]),
    740: (100, [("8600", "Silkeborg")]), 741: (3.7, [("8305", "Samsø")]),
    746: (64, [("8660", "Skanderborg")]),
    751: (365, [("8000", "Aarhus C"), ("8200", "Aarhus N"), ("8210", "Aarhus V"),
                ("8220", "Brabrand"), ("8230", "Åbyhøj"), ("8260", "Viby J"), ("8270", "Højbjerg")]),
    756: (42, [("7430", "Ikast")]), 760: (56, [("6950", "Ringkøbing")]),
    766: (48, [("8722", "Hedensted")]), 773: (20, [("7900", "Nykøbing M")]),
    779: (46, [("7800", "Skive")]), 787: (43, [("7700", "Thisted")]),
    791: (98, [("8800", "Viborg")]), 810: (36, [("9700", "Brønderslev")]),
    813: (59, [("9900", "Frederikshavn")]), 820: (36, [("9600", "Aars")]),
    825: (1.8, [("9940", "Læsø")]), 840: (31, [("9530", "Støvring")]),
    846: (42, [("9500", "Hobro")]), 849: (38, [("9440", "Aabybro")]),
    851: (222, [("9000", "Aalborg"), ("9200", "Aalborg SV"), ("9210", "Aalborg SØ"),
                ("9220", "Aalborg Øst"), ("9400", "Nørresundby")]),
    860: (64, [("9800", "Hjørring")]),
}
DEFAULT_WEIGHT = 40.0

SURNAMES = ["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
            "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
            "Thomsen", "Poulsen", "Møller", "Mortensen", "Østergaard", "Bøgh", "Søgaard", "Dahl",
            "Lund", "Holm", "Frølund", "Kjær", "Bæk", "Ågaard", "Bødker", "Skovgård", "Lærke"]
TRADES = ["Tømrer- og Snedkerforretning", "VVS og Blik", "Blomster", "Bageri og Konditori",
          "Autoværksted", "Rengøring", "Malerfirma", "Gartneri", "Køkkener", "Møbelpolstring",
          "Isenkræmmer", "Byggemarked", "Cykelsmed", "Frisørsalon", "Vognmandsforretning",
          "Smørrebrød", "Planteskole", "Fiskehandel", "Låsesmed", "Café og Brød", "Kørskole",
          "Brugsforening", "Grønthandel", "Tøjbutik", "Skomager", "Ejendomsservice"]
COMPANY_SUFFIXES = ["ApS", "A/S", "I/S", "", "IVS", "A.m.b.a."]
MUNICIPAL_UNITS = ["Vej og Park", "Materielgården", "Plejecenter Solbakken", "Børnehuset Mælkebøtten",
                   "Borgerservice", "Genbrugsstationen", "Ældrecenter Åparken", "Skolen ved Søerne",
                   "Køkkenet, Plejecenter Bøgely", "Rådhuskantinen", "Idrætscentret",
                   "Bibliotekerne", "Dagcenter Lærkehøj", "Børne- og Ungeforvaltningen"]
REGIONAL_UNITS = ["Region Hovedstaden, Bispebjerg Hospital", "Region Sjælland, Næstved Sygehus",
                  "Region Syddanmark, Sygehus Sønderjylland", "Region Midtjylland, Regionshospitalet Randers",
                  "Region Nordjylland, Aalborg Universitetshospital", "Region Hovedstaden, Psykiatrisk Center Glostrup",
                  "Region Syddanmark, Odense Universitetshospital", "Region Midtjylland, Hospitalsenheden Vest"]
# State workplaces and the ministry area (codelists.tsv) they belonged to.
STATE_WORKPLACES = [("Skattestyrelsen", 5), ("Forsvarets Ejendomsstyrelse", 7), ("Politiet, Nærpolitiet", 6),
                    ("Statens Museum for Kunst", 15), ("Aarhus Universitet, Institut for Biologi", 12),
                    ("Styrelsen for Arbejdsmarked og Rekruttering", 11), ("Energistyrelsen", 19),
                    ("Fødevarestyrelsen", 17), ("Udlændingestyrelsen", 9), ("Statens Serum Institut", 20),
                    ("Ankestyrelsen", 21), ("Udenrigsministeriet, Borgerservice", 2), ("Moderniseringsstyrelsen", 3),
                    ("Erhvervsstyrelsen", 4), ("Statsministeriet", 1), ("Styrelsen for Undervisning og Kvalitet", 13),
                    ("Vejdirektoratet", 18), ("Naturstyrelsen", 16), ("Kirkeministeriet, Stiftet", 14)]
# When a ministry area is not valid at a start date, the area that held the work then.
MINISTRY_SUCCESSOR = {8: 20, 10: 21, 20: 8, 21: 10}
OTHER_PUBLIC = ["Forsyning A/S", "Havn", "Vandværk", "Affaldsselskab I/S", "Trafikselskab"]
PROJECTS = ["Beskæftigelsesprojekt Værkstedet", "Projekt Grøn Indsats", "Genbrugsværkstedet Ølsted",
            "Projekt Køkkenhaven", "Produktionsværkstedet Ådalen"]
ASSOCIATIONS = ["Røde Kors Genbrug", "Kræftens Bekæmpelse, genbrugsbutik", "Frivilligcenter", "Boldklubben Ørsted",
                "KFUM's Sociale Arbejde", "Dansk Folkehjælp", "Fritidsklubben Æblehaven"]
SELF_GOVERNING = ["Selvejende institution Bøgely", "Fonden Åhuset", "Den selvejende institution Søhuset",
                  "Plejehjemmet Østervang"]
STREETS = ["Østergade", "Vestergade", "Søndergade", "Nørregade", "Algade", "Skovvej", "Bøgevej", "Kærvej",
           "Møllevej", "Åbyvej", "Strandvejen", "Ågade", "Fælledvej", "Gl. Køgevej", "Ørnevej", "Æblehaven",
           "Søvej", "Havnegade", "Industrivej", "Tværgade", "Kirkestræde", "Præstøvej", "Lærkevej",
           "Håndværkervej", "Sønderallé", "Rådhuspladsen", "Jernbanegade", "Bredgade", "Højvangen"]
FLOORS = ["", "", "", "", ", st.", ", 1. th.", ", 2. tv.", ", 3. mf.", ", kld."]

# DISCO-AMS job titles (6 digits) and DISCO-88 employment goals (4 digits)
JOB_TITLES = [913210, 512010, 522010, 931300, 832210, 713100, 741220, 419000, 611300, 514120, 422210,
              532900, 914100, 712910, 723110, 512210, 933200, 343100, 911200, 621010]
EMPLOYMENT_GOALS = [9132, 5122, 5220, 9313, 8322, 7131, 4190, 5133, 9141, 7231, 3431, 4115, 2331, 5139]

# Measure mix: weight, weekly hours offered (weighted), duration in days (low, high).
MEASURE_PROFILE: dict[int, tuple[int, list[tuple[int, int]], tuple[int, int]]] = {
    140: (26, [(15, 1), (20, 2), (25, 2), (30, 3), (37, 4)], (14, 91)),
    139: (11, [(20, 1), (25, 1), (30, 2), (37, 5)], (90, 365)),
    130: (9, [(10, 2), (12, 1), (15, 3), (18, 1), (20, 3), (25, 2), (30, 1)], (365, 3650)),
    143: (1, [(10, 1), (15, 2), (20, 2), (25, 1)], (365, 2920)),
    150: (2, [(37, 1)], (365, 1460)),
    117: (2, [(10, 1), (15, 1), (20, 2), (37, 1)], (30, 365)),
    128: (7, [(5, 2), (6, 1), (8, 1), (10, 3), (12, 1), (15, 2)], (90, 1095)),
    129: (2, [(5, 1), (10, 2), (15, 1)], (90, 730)),
    170: (7, [(1, 1), (2, 2), (3, 2), (4, 1), (5, 2), (8, 1), (10, 1)], (30, 365)),
    175: (3, [(5, 2), (10, 3), (15, 2), (20, 1)], (180, 1825)),
    160: (3, [(10, 1), (15, 2), (20, 2), (37, 2)], (90, 365)),
    161: (5, [(37, 1)], (1, 30)),
    162: (3, [(30, 1), (37, 3)], (180, 1460)),
    163: (1, [(37, 1)], (365, 730)),
    164: (2, [(25, 1), (37, 2)], (365, 1095)),
    165: (13, [(5, 1), (10, 2), (15, 2), (20, 2), (25, 1), (30, 1), (37, 2)], (7, 180)),
    112: (10, [(15, 1), (20, 1), (25, 1), (30, 1), (37, 2)], (30, 365)),
    141: (12, [(15, 1), (20, 2), (30, 2), (37, 2)], (30, 365)),
    142: (10, [(10, 1), (20, 1), (37, 2)], (5, 60)),
}
FLEXJOB = {130, 143}
# Measures that typically run alongside another one (mentor, Danish lessons, personal assistance,
# short courses): where a person's weekly hours add up to more than 37.
ALONGSIDE = [(170, 40), (128, 20), (129, 5), (175, 10), (165, 15), (161, 10)]
# Hovedydelse by measure (weights); 87 is never drawn here: it follows from the person's age.
BENEFITS_DEFAULT = [(10, 45), (60, 15), (50, 8), (51, 4), (37, 3), (33, 4), (20, 3), (80, 3), (90, 3),
                    (88, 5), (42, 2), (40, 3), (70, 2)]
BENEFITS_BY_CODE = {130: [(41, 85), (42, 15)], 143: [(41, 85), (42, 15)],
                    128: [(33, 40), (10, 40), (70, 10), (37, 10)], 129: [(33, 40), (10, 50), (70, 10)],
                    175: [(40, 40), (41, 30), (10, 30)]}
YOUNG_BENEFIT = 87
# Company-based measures take place at one of these; courses sometimes name their school.
COMPANY_PLACES = [(60, 50), (71, 20), (72, 5), (73, 8), (74, 4), (76, 3), (77, 3), (78, 4), (84, 3)]
COURSE_PLACES = [63, 65, 69, 75, 79, 80, 81]

UNKNOWN_MEASURE_CODES = [100, 111, 131, 145, 199, 999]


# --------------------------------------------------------------------------------------------
# Reading the repository's layouts and code lists
# --------------------------------------------------------------------------------------------

def read_tsv(path: Path, header: bool = True) -> list[dict[str, str]] | list[list[str]]:
    rows = [line.rstrip("\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    if not header:
        return rows
    names = rows[0]
    return [dict(zip(names, r + [""] * (len(names) - len(r)))) for r in rows[1:]]


@dataclass(frozen=True)
class FieldDef:
    name: str
    offset: int      # 0-based, in characters
    length: int
    type: str        # char, num, date, bool


@dataclass(frozen=True)
class Layout:
    id: str
    fields: tuple[FieldDef, ...]

    @property
    def width(self) -> int:
        return max(f.offset + f.length for f in self.fields)

    def index(self, name: str) -> int:
        for i, f in enumerate(self.fields):
            if f.name == name:
                return i
        raise KeyError(f"layout {self.id} has no field {name}")


def load_layouts(resources: Path) -> dict[str, Layout]:
    by_id: dict[str, list[FieldDef]] = {}
    for r in read_tsv(resources / "layouts.tsv"):
        by_id.setdefault(r["layout"], []).append(
            FieldDef(r["field"], int(r["start"]) - 1, int(r["length"]), r["type"]))
    return {k: Layout(k, tuple(sorted(v, key=lambda f: f.offset))) for k, v in by_id.items()}


@dataclass(frozen=True)
class Code:
    code: int
    valid_from: int | None   # ordinal, inclusive
    valid_to: int | None     # ordinal, exclusive
    attribute: str

    def valid_on(self, day: int) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (self.valid_to is None or day < self.valid_to)


def load_codelists(resources: Path) -> dict[str, dict[int, Code]]:
    def day(s: str) -> int | None:
        return dt.date.fromisoformat(s).toordinal() if s else None
    lists: dict[str, dict[int, Code]] = {}
    for r in read_tsv(resources / "codelists.tsv"):
        lists.setdefault(r["list"], {})[int(r["code"])] = Code(
            int(r["code"]), day(r["valid_from"]), day(r["valid_to"]), r["attribute"])
    return lists


def load_municipalities(resources: Path) -> dict[int, str]:
    return {int(r[0]): r[1] for r in read_tsv(resources / "kommuner.tsv", header=False)}


class Catalog:
    """The code lists as the generator needs them: what may be drawn on a given day."""

    def __init__(self, lists: dict[str, dict[int, Code]]):
        self.lists = lists
        measures = lists["foranstalt"]
        self.legacy = sorted(c for c, e in measures.items() if e.attribute == "legacy")
        self.current = sorted(c for c, e in measures.items() if e.attribute == "current")
        # Clean data uses legacy codes only before the *first* cut-over (the current codes'
        # start); the validator tolerates them until the later vendor cut-over (valid_to).
        self.current_from = min(measures[c].valid_from for c in self.current)
        self.legacy_until = min(measures[c].valid_to for c in self.legacy)
        self.ministries = lists["ministeromraade"]
        self.places = lists["stedkode"]
        self.benefits = lists["hovedydelse"]

    def measure_ok(self, code: int, day: int) -> bool:
        """Clean data: the code is valid on `day`, and legacy codes stop at the first cut-over."""
        entry = self.lists["foranstalt"].get(code)
        if entry is None or not entry.valid_on(day):
            return False
        return not (code in self.legacy and day >= self.current_from)

    def measure_table(self, day: int) -> list[int]:
        """A weighted draw table of the measure codes usable for a start on `day`. Clean data
        knows two eras only, before and from the first cut-over, so callers keep two tables."""
        return weighted_table([(c, w) for c, (w, _, _) in MEASURE_PROFILE.items() if self.measure_ok(c, day)])

    def ministry_at(self, wanted: int, day: int) -> int | None:
        """The ministry area to report for a state workplace on `day` (None if none applies)."""
        for code in (wanted, MINISTRY_SUCCESSOR.get(wanted)):
            entry = self.ministries.get(code) if code is not None else None
            if entry and entry.valid_on(day):
                return code
        return None


DRAW_BITS = 8
DRAW_SIZE = 1 << DRAW_BITS


def weighted_table(pairs: list[tuple[int, int]]) -> list[int]:
    """Expands (value, weight) pairs into DRAW_SIZE slots, so that a draw is one
    getrandbits(DRAW_BITS) call — the cheapest draw Python has. Largest remainders decide the
    rounding; every value with a weight keeps at least one slot."""
    total = sum(w for _, w in pairs)
    exact = [(v, w * DRAW_SIZE / total) for v, w in pairs if w > 0]
    slots = {v: max(1, int(x)) for v, x in exact}
    by_remainder = sorted(exact, key=lambda vx: vx[1] - int(vx[1]), reverse=True)
    i = 0
    while sum(slots.values()) < DRAW_SIZE:
        slots[by_remainder[i % len(by_remainder)][0]] += 1
        i += 1
    while sum(slots.values()) > DRAW_SIZE:
        v = max(slots, key=slots.get)
        slots[v] -= 1
    return [v for v, _ in pairs if v in slots for _ in range(slots[v])]


# --------------------------------------------------------------------------------------------
# Identifiers and ages
# --------------------------------------------------------------------------------------------

def cpr_century(seventh: int, yy: int) -> int:
    """The 7th-digit century rule of facts.md."""
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800


def century_digits(year: int) -> list[int]:
    yy = year % 100
    return [s for s in range(10) if cpr_century(s, yy) + yy == year]


_CENTURY_DIGITS = {y: century_digits(y) for y in range(1900, 2037)}


_CPR_PREFIXES: dict[int, tuple[list[str], int]] = {}
_THREE_DIGITS = [f"{n:03d}" for n in range(1000)]


def make_cpr(rnd, birth: dt.date) -> str:
    """A CPR number whose 7th digit gives `birth`'s century; `rnd` is a random() function.
    Birth dates repeat across persons, so ddmmyy + 7th digit is built once per date."""
    prefixes = _CPR_PREFIXES.get(birth.toordinal())
    if prefixes is None:
        ddmmyy = f"{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}"
        choices = [ddmmyy + str(d) for d in _CENTURY_DIGITS[birth.year]]
        prefixes = _CPR_PREFIXES[birth.toordinal()] = (choices, len(choices))
    choices, n = prefixes
    return choices[int(rnd() * n)] + _THREE_DIGITS[int(rnd() * 1000)]


CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def make_cvr(rng: random.Random) -> str:
    """Eight digits whose weighted sum is divisible by 11 (the check digit has weight 1)."""
    while True:
        head = str(rng.randint(1000000, 9999999))
        check = -sum(w * int(c) for w, c in zip(CVR_WEIGHTS, head)) % 11
        if check < 10:
            return head + str(check)


def break_cvr(cvr: str, rng: random.Random) -> str:
    """Changes the check digit: changing a weight-1 digit by 1..9 always breaks modulus 11."""
    return cvr[:7] + str((int(cvr[7]) + rng.randint(1, 9)) % 10)


def make_pnr(rng: random.Random) -> str:
    return str(rng.randint(1000000000, 1029999999))


def make_guid(rng: random.Random) -> str:
    """A version-4 GUID (variant nibble fixed to 'a'), lower-case like most exports."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birthday(birth: dt.date, years: int) -> int:
    """Ordinal of the day one turns `years` (29 February: 1 March in other years, as age_on)."""
    y = birth.year + years
    if birth.month == 2 and birth.day == 29 and not (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
        return dt.date(y, 3, 1).toordinal()
    return dt.date(y, birth.month, birth.day).toordinal()


def pension_date(birth: dt.date) -> int:
    """The day before folkepension age (facts.md), the usual planned end of a fleksjob."""
    b = (birth.year, birth.month, birth.day)
    if b < (1954, 1, 1):
        months = 65 * 12
    elif b < (1954, 7, 1):
        months = 65 * 12 + 6
    elif b < (1955, 1, 1):
        months = 66 * 12
    elif b < (1955, 7, 1):
        months = 66 * 12 + 6
    elif b < (1963, 1, 1):
        months = 67 * 12
    else:
        months = (68 + min(2, (birth.year - 1963) // 4)) * 12
    y, m = divmod(birth.month - 1 + months, 12)
    day = min(birth.day, 28 if m == 1 else 30)
    return dt.date(birth.year + y, m + 1, day).toordinal() - 1


# --------------------------------------------------------------------------------------------
# IT suppliers: how a municipality's files look (encoding, line ends, date form, padding)
# --------------------------------------------------------------------------------------------

DATE_FORMS = {
    "dd-mm-yyyy": lambda y, m, d: f"{d:02d}-{m:02d}-{y:04d}",
    "ddmmyyyy": lambda y, m, d: f"{d:02d}{m:02d}{y:04d}",
    "dd/mm/yyyy": lambda y, m, d: f"{d:02d}/{m:02d}/{y:04d}",
    "dd.mm.yyyy": lambda y, m, d: f"{d:02d}.{m:02d}.{y:04d}",
    "ddmmyy": lambda y, m, d: f"{d:02d}{m:02d}{y % 100:02d}",
    "dd-mm-yy": lambda y, m, d: f"{d:02d}-{m:02d}-{y % 100:02d}",
    "dd/mm/yy": lambda y, m, d: f"{d:02d}/{m:02d}/{y % 100:02d}",
    "yyyy-mm-dd": lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
}
TWO_DIGIT_YEAR_FORMS = {"ddmmyy", "dd-mm-yy", "dd/mm/yy"}


@dataclass(frozen=True)
class Supplier:
    """One IT supplier's export conventions; municipalities share suppliers."""
    name: str
    weight: int
    encoding: str            # "cp1252" or "utf-8"
    bom: bool
    newline: str
    date_form: str
    date_right: bool         # dates right-aligned in their field
    num_pad: str             # "0" or " "
    no_flag: str             # how Abtilbud "false" is written ("" = blank)
    yes_flag: str
    trailing_blank_line: bool
    blank_line_rate: float   # stray blank lines between records


SUPPLIERS = [
    Supplier("Alfa Data", 40, "cp1252", False, "\r\n", "dd-mm-yyyy", False, "0", "", "1", False, 0.0),
    Supplier("Bøgh Systemer", 14, "utf-8", False, "\n", "ddmmyyyy", False, " ", "0", "1", False, 0.0),
    Supplier("Cirkel IT", 8, "utf-8", True, "\r\n", "dd/mm/yyyy", False, "0", "", "J", True, 0.0),
    Supplier("Dansk Kommunesoftware", 12, "cp1252", False, "\r\n", "dd.mm.yyyy", False, " ", "N", "J", False, 0.0),
    Supplier("Elmegaard Løn", 8, "cp1252", False, "\n", "ddmmyy", True, "0", "0", "1", False, 0.0002),
    Supplier("Fjord Software", 8, "utf-8", False, "\n", "dd-mm-yy", False, " ", "", "1", True, 0.0),
    Supplier("Grøn Kode", 8, "utf-8", False, "\r\n", "yyyy-mm-dd", False, "0", "", "Y", False, 0.0),
    Supplier("Havnens Data", 8, "utf-8", True, "\n", "dd-mm-yyyy", True, "0", "0", "1", False, 0.0005),
]
SUPPLIER_BY_NAME = {s.name: s for s in SUPPLIERS}


def supplier_for(seed: str, komnr: int) -> Supplier:
    rng = random.Random(f"{seed}/supplier/{komnr}")
    return rng.choices(SUPPLIERS, weights=[s.weight for s in SUPPLIERS])[0]


# --------------------------------------------------------------------------------------------
# Padding values into a layout's columns
# --------------------------------------------------------------------------------------------

FIRST_DAY = ordinal(1990, 1, 1)     # the validator's date range; caches are indexed from here
LAST_DAY = ordinal(2100, 12, 31)


# Padded numbers and dates by (width, style): shared by every municipality of a process whose
# supplier writes them the same way.
_NUM_COLUMNS: dict[tuple, list[str]] = {}
_DATE_COLUMNS: dict[tuple, list[str | None]] = {}


class LineFormat:
    """Pads values into one layout's columns in one supplier's style.

    A line is a list of slots (one per field, plus filler for any gap between fields) joined
    together; each field's slot is found by name, so moving a column is a change to layouts.tsv.
    Numbers and dates repeat endlessly, so their padded forms are cached in lists.
    """

    def __init__(self, layout: Layout, supplier: Supplier, date_form: str | None = None):
        self.layout = layout
        self.supplier = supplier
        self.width = layout.width
        template, self.slot_of = [], {}
        pos = 0
        for f in layout.fields:
            if f.offset > pos:
                template.append(" " * (f.offset - pos))
            self.slot_of[f.name] = len(template)
            template.append(" " * f.length)
            pos = f.offset + f.length
        if pos < self.width:
            template.append(" " * (self.width - pos))
        self.template = template
        self.length = {f.name: f.length for f in layout.fields}
        form = date_form or supplier.date_form
        self._form = DATE_FORMS[form]
        self._two_digit_year = form in TWO_DIGIT_YEAR_FORMS
        self._style = (form, supplier.date_right, supplier.num_pad)

    def slot(self, name: str) -> int:
        return self.slot_of[name]

    def blank(self, name: str) -> str:
        return " " * self.length[name]

    def text(self, name: str, value: str) -> str:
        width = self.length[name]
        if len(value) > width:
            raise ValueError(f"{name} {value!r} is wider than {width}")
        return value.ljust(width)

    def num_column(self, name: str) -> list[str]:
        """Padded forms of 0..999 (or fewer, if the field is narrower), indexed by value."""
        width = self.length[name]
        key = (width, self.supplier.num_pad)
        col = _NUM_COLUMNS.get(key)
        if col is None:
            col = [str(v).rjust(width, self.supplier.num_pad) for v in range(min(1000, 10 ** width))]
            _NUM_COLUMNS[key] = col
        return col

    def num(self, name: str, value: int) -> str:
        col = self.num_column(name)
        if 0 <= value < len(col):
            return col[value]
        s = str(value).rjust(self.length[name], self.supplier.num_pad)
        if len(s) > self.length[name]:
            raise ValueError(f"{name} {value} is wider than {self.length[name]}")
        return s

    def digits(self, name: str, value: str) -> str:
        """A number kept as text (CVR, P-number, postal code): right-aligned, leading zeros kept."""
        return value.rjust(self.length[name], self.supplier.num_pad)

    def date_column(self, name: str) -> tuple[list[str | None], object]:
        """(cache, fill): cache[ordinal - FIRST_DAY] is the padded date or None until fill(ordinal)."""
        key = (self.length[name],) + self._style
        cache = _DATE_COLUMNS.get(key)
        if cache is None:
            cache = _DATE_COLUMNS[key] = [None] * (LAST_DAY - FIRST_DAY + 1)

        def fill(day: int) -> str:
            d = DAY(day)
            s = self.raw_date(name, d.year, d.month, d.day)
            cache[day - FIRST_DAY] = s
            return s
        return cache, fill

    def date(self, name: str, day: int) -> str:
        cache, fill = self.date_column(name)
        return cache[day - FIRST_DAY] or fill(day)

    def raw_date(self, name: str, y: int, m: int, d: int) -> str:
        """Writes y-m-d in the supplier's form even when it is not a real date (faults)."""
        if self._two_digit_year and not 2000 <= y <= 2099:
            raise ValueError(f"{name} year {y} cannot be written with two digits")
        s = self._form(y, m, d)
        width = self.length[name]
        return s.rjust(width) if self.supplier.date_right else s.ljust(width)

    def flag(self, name: str, value: bool) -> str:
        return self.text(name, self.supplier.yes_flag if value else self.supplier.no_flag)


# --------------------------------------------------------------------------------------------
# The records
# --------------------------------------------------------------------------------------------

class Person:
    """A CPR number and its owner's birth date. Ages decide Hovedydelse 87 (15–17) and who is
    still of working age (under 67); most persons are far from those limits, so a comparison of
    day counts answers first and calendar arithmetic only runs near a birthday."""
    __slots__ = ("cpr", "birth", "born")

    YOUNG_BEFORE = 15 * 365 + 3        # fewer days than this: certainly not 15 yet
    ADULT_AFTER = 18 * 365 + 5         # more days than this: certainly 18 already
    WORKING_BEFORE = 67 * 365 + 16     # fewer days than this: certainly not 67 yet

    def __init__(self, cpr: str, birth: dt.date):
        self.cpr = cpr
        self.birth = birth
        self.born = birth.toordinal()

    def young_on(self, day: int) -> bool:
        days = day - self.born
        if days < self.YOUNG_BEFORE or days > self.ADULT_AFTER:
            return False
        return birthday(self.birth, 15) <= day < birthday(self.birth, 18)

    def working_age_on(self, day: int) -> bool:
        return day - self.born < self.WORKING_BEFORE or day < birthday(self.birth, 67)


@dataclass(frozen=True)
class Workplace:
    stedkode: int
    cvr: str
    pnr: str | None
    name: str | None
    address: str | None
    postnr: str | None
    town: str | None
    ministry: int | None          # state workplaces: the ministry area they belong to


@dataclass(frozen=True)
class Provider:
    """A course provider (KursusCVR/KursusPnr)."""
    cvr: str
    pnr: str | None


class Measure:
    """One §52.2 activation record. Dates are proleptic ordinals."""
    __slots__ = ("person", "code", "start", "end", "hours", "benefit", "offer", "jobplan", "place",
                 "ministry", "title", "course", "fault", "fault_arg", "line", "fix")

    def __init__(self, person: Person, code: int, start: int, end: int, hours: int, benefit: int):
        self.person = person
        self.code = code
        self.start = start
        self.end = end
        self.hours = hours
        self.benefit = benefit
        self.offer: tuple[int, int] | None = None                           # StdtAb, SldtAB
        self.jobplan: tuple[str, int, int | None, int | None] | None = None  # id, created, revised, goal
        self.place: Workplace | None = None
        self.ministry: int | None = None
        self.title: int | None = None
        self.course: tuple[Provider, str | None, int | None] | None = None  # provider, HoldID, Stedkode
        self.fault: str | None = None
        self.fault_arg = 0                      # seeds the fault's own choices
        self.line: str | None = None            # rendered line, reused when next week is unchanged
        self.fix: tuple[int, int] | None = None  # a cut-over move: (Friday index, start) it is undone on

    def copy(self) -> "Measure":
        m = Measure(self.person, self.code, self.start, self.end, self.hours, self.benefit)
        for a in ("offer", "jobplan", "place", "ministry", "title", "course", "fault", "fault_arg"):
            setattr(m, a, getattr(self, a))
        return m


class Aid:
    """One §57.2 aid grant."""
    __slots__ = ("cvr", "pnr", "approved", "ident", "fault", "fault_arg", "line")

    def __init__(self, cvr: str | None, pnr: str | None, approved: int, ident: str):
        self.cvr = cvr
        self.pnr = pnr
        self.approved = approved
        self.ident = ident
        self.fault: str | None = None
        self.fault_arg = 0
        self.line: str | None = None

    def copy(self) -> "Aid":
        a = Aid(self.cvr, self.pnr, self.approved, self.ident)
        a.fault, a.fault_arg = self.fault, self.fault_arg
        return a


class MeasureFormat:
    """Renders measures (layout 52.2) for one municipality."""

    def __init__(self, fmt: LineFormat, komnr: int):
        if fmt.length["CPRnr"] != 10:
            raise ValueError("a CPR number is ten characters; the layout says otherwise")
        self.f = fmt
        s = fmt.slot
        self.s_kom, self.s_code, self.s_benefit = s("Komnr"), s("Foranstalt"), s("Hovedydelse")
        self.s_start, self.s_end, self.s_hours = s("Startdt"), s("Slutdt"), s("Timetal")
        self.s_flag, self.s_ostart, self.s_oend = s("Abtilbud"), s("StdtAb"), s("SldtAB")
        self.s_place, self.s_cvr, self.s_ccvr = s("Stedkode"), s("CVR"), s("KursusCVR")
        self.s_cpnr, self.s_hold = s("KursusPnr"), s("HoldID")
        self.komnr = fmt.num("Komnr", komnr)
        self.yes_flag = fmt.flag("Abtilbud", True)
        self.no_flag = fmt.flag("Abtilbud", False)
        self.slots = self._slot_filler()

    @staticmethod
    def _place_slots(f: LineFormat, w: Workplace) -> list[tuple[int, str]]:
        s = f.slot
        out = [(s("Stedkode"), f.num("Stedkode", w.stedkode)), (s("CVR"), f.digits("CVR", w.cvr))]
        if w.pnr:
            out.append((s("Pnr"), f.digits("Pnr", w.pnr)))
        if w.name:
            out += [(s("Navn"), f.text("Navn", w.name)), (s("Adresse"), f.text("Adresse", w.address)),
                    (s("Postnummer"), f.digits("Postnummer", w.postnr)), (s("By"), f.text("By", w.town))]
        return out

    def _slot_filler(self):
        """Builds slots(measure) -> list of padded fields. A closure, because this is the hot
        loop: every column index and padding table is a local of the closure. It must not
        refer to self (a reference cycle, and the garbage collector is off)."""
        f, s = self.f, self.f.slot
        template = f.template
        s_cpr, s_kom, s_code, s_start, s_end = s("CPRnr"), s("Komnr"), s("Foranstalt"), s("Startdt"), s("Slutdt")
        s_hours, s_benefit, s_flag, s_ostart, s_oend = s("Timetal"), s("Hovedydelse"), s("Abtilbud"), s("StdtAb"), s("SldtAB")
        s_plan, s_planc, s_planr, s_goal = s("JobplanID"), s("JobplanOprettet"), s("JobplanRevideret"), s("Beskaeftigelsesmaal")
        s_ministry, s_title = s("Ministeromraade"), s("Stillingsbetegnelse")
        s_ccvr, s_cpnr, s_hold, s_place = s("KursusCVR"), s("KursusPnr"), s("HoldID"), s("Stedkode")
        komnr, yes, no = self.komnr, self.yes_flag, f.flag("Abtilbud", False)
        codes, hours, benefits = f.num_column("Foranstalt"), f.num_column("Timetal"), f.num_column("Hovedydelse")
        ministries, places = f.num_column("Ministeromraade"), f.num_column("Stedkode")
        start_d, start_fill = f.date_column("Startdt")
        end_d, end_fill = f.date_column("Slutdt")
        ostart_d, ostart_fill = f.date_column("StdtAb")
        oend_d, oend_fill = f.date_column("SldtAB")
        planc_d, planc_fill = f.date_column("JobplanOprettet")
        planr_d, planr_fill = f.date_column("JobplanRevideret")
        plan_w, hold_w = f.length["JobplanID"], f.length["HoldID"]
        if min(plan_w, hold_w) < 36:
            raise ValueError("JobplanID and HoldID must hold a 36-character GUID")
        titles = {t: f.num("Stillingsbetegnelse", t) for t in JOB_TITLES}
        goals = {g: f.num("Beskaeftigelsesmaal", g) for g in EMPLOYMENT_GOALS}
        num, digits = f.num, f.digits
        place_cache: dict[int, list[tuple[int, str]]] = {}
        place_slots = self._place_slots
        first = FIRST_DAY

        def slots(m: Measure) -> list[str]:
            s = template[:]
            s[s_cpr] = m.person.cpr
            s[s_kom] = komnr
            s[s_code] = codes[m.code]
            s[s_start] = start_d[m.start - first] or start_fill(m.start)
            s[s_end] = end_d[m.end - first] or end_fill(m.end)
            s[s_hours] = hours[m.hours]
            s[s_benefit] = benefits[m.benefit]
            if m.offer:
                o_start, o_end = m.offer
                s[s_flag] = yes
                s[s_ostart] = ostart_d[o_start - first] or ostart_fill(o_start)
                s[s_oend] = oend_d[o_end - first] or oend_fill(o_end)
            else:
                s[s_flag] = no
            if m.jobplan:
                guid, created, revised, goal = m.jobplan
                s[s_plan] = guid.ljust(plan_w)
                s[s_planc] = planc_d[created - first] or planc_fill(created)
                if revised:
                    s[s_planr] = planr_d[revised - first] or planr_fill(revised)
                if goal:
                    s[s_goal] = goals.get(goal) or num("Beskaeftigelsesmaal", goal)
            w = m.place
            if w:
                cols = place_cache.get(id(w))
                if cols is None:
                    cols = place_cache[id(w)] = place_slots(f, w)
                for i, v in cols:
                    s[i] = v
                if m.ministry:
                    s[s_ministry] = ministries[m.ministry]
                if m.title:
                    s[s_title] = titles.get(m.title) or num("Stillingsbetegnelse", m.title)
            elif m.course:
                provider, hold, place = m.course
                s[s_ccvr] = digits("KursusCVR", provider.cvr)
                if provider.pnr:
                    s[s_cpnr] = digits("KursusPnr", provider.pnr)
                if hold:
                    s[s_hold] = hold.ljust(hold_w)
                if place:
                    s[s_place] = places[place]
            return s
        return slots

    def render(self, m: Measure) -> str:
        if m.fault is None:
            return "".join(self.slots(m))
        return FAULTS[m.fault].apply(self, m)


class AidFormat:
    """Renders aid grants (layout 57.2)."""

    def __init__(self, fmt: LineFormat, komnr: int):
        self.f = fmt
        s = fmt.slot
        self.s_kom, self.s_cvr, self.s_pnr = s("Komnr"), s("CVR"), s("Pnr")
        self.s_date, self.s_ident = s("Startdtgod"), s("Identnr")
        self.komnr = fmt.num("Komnr", komnr)

    def slots(self, a: Aid) -> list[str]:
        f = self.f
        s = f.template[:]
        s[self.s_kom] = self.komnr
        if a.cvr:
            s[self.s_cvr] = f.digits("CVR", a.cvr)
        if a.pnr:
            s[self.s_pnr] = f.digits("Pnr", a.pnr)
        s[self.s_date] = f.date("Startdtgod", a.approved)
        s[self.s_ident] = f.text("Identnr", a.ident)
        return s

    def render(self, a: Aid) -> str:
        if a.fault is None:
            return "".join(self.slots(a))
        return FAULTS[a.fault].apply(self, a)


# --------------------------------------------------------------------------------------------
# Injected faults: each breaks exactly one thing and says which findings it must cause
# --------------------------------------------------------------------------------------------

COMPANY_BASED = {139, 140, 130, 143, 150}
COURSES = set(range(160, 166))
WAGE_SUBSIDY, STATE_WORKPLACE = 139, 73

# Set by init_worker from the repository's code lists.
CATALOG: "Catalog | None" = None
UNKNOWN_CODES: list[int] = []
MUNICIPALITY_CODES: list[int] = []


@dataclass(frozen=True)
class Fault:
    kind: str
    findings: dict[str, int]        # rule id -> findings the validator must report for it
    for_measure: object = None      # (Measure) -> bool: applies to this measure; None: never
    for_aid: object = None          # (Aid) -> bool; None: never
    edit_slots: object = None       # (fmt, record, slots, rng) -> None
    edit_line: object = None        # (line, rng) -> line, for faults of the line as a whole

    def applies(self, record) -> bool:
        test = self.for_measure if isinstance(record, Measure) else self.for_aid
        return test is not None and test(record)

    def apply(self, fmt, record) -> str:
        s = fmt.slots(record)
        rng = random.Random(record.fault_arg)
        if self.edit_slots:
            self.edit_slots(fmt, record, s, rng)
        line = "".join(s)
        return self.edit_line(line, rng) if self.edit_line else line


def _impossible_date(fmt, r, s, rng):
    """30 or 31 February of the real date's year, in the supplier's date form."""
    if isinstance(r, Measure):
        s[fmt.s_end] = fmt.f.raw_date("Slutdt", DAY(r.end).year, 2, 30 + int(rng.random() * 2))
    else:
        s[fmt.s_date] = fmt.f.raw_date("Startdtgod", DAY(r.approved).year, 2, 30 + int(rng.random() * 2))


def _end_before_start(fmt, m, s, rng):
    s[fmt.s_end] = fmt.f.date("Slutdt", m.start - 1 - int(rng.random() * 30))


def _unknown_code(fmt, m, s, rng):
    s[fmt.s_code] = fmt.f.num("Foranstalt", rng.choice(UNKNOWN_CODES))


def _legacy_code(fmt, m, s, rng):
    s[fmt.s_code] = fmt.f.num("Foranstalt", rng.choice(CATALOG.legacy))


def _young_benefit(fmt, m, s, rng):
    s[fmt.s_benefit] = fmt.f.num("Hovedydelse", YOUNG_BENEFIT)


def _other_komnr(fmt, r, s, rng):
    own = int(fmt.komnr)
    s[fmt.s_kom] = fmt.f.num("Komnr", rng.choice([k for k in MUNICIPALITY_CODES if k != own]))


def _no_place(fmt, m, s, rng):
    s[fmt.s_place] = fmt.f.blank("Stedkode")


def _bad_cvr(fmt, r, s, rng):
    if isinstance(r, Measure) and r.place is None:
        s[fmt.s_ccvr] = fmt.f.digits("KursusCVR", break_cvr(r.course[0].cvr, rng))
    else:
        cvr = r.place.cvr if isinstance(r, Measure) else r.cvr
        s[fmt.s_cvr] = fmt.f.digits("CVR", break_cvr(cvr, rng))


def _zero_hours(fmt, m, s, rng):
    s[fmt.s_hours] = fmt.f.num("Timetal", 0)


def _offer_without_dates(fmt, m, s, rng):
    s[fmt.s_flag] = fmt.yes_flag
    s[fmt.s_ostart] = fmt.f.blank("StdtAb")
    s[fmt.s_oend] = fmt.f.blank("SldtAB")


def _course_without_pnr(fmt, m, s, rng):
    s[fmt.s_cpnr] = fmt.f.blank("KursusPnr")


def _course_without_hold(fmt, m, s, rng):
    s[fmt.s_hold] = fmt.f.blank("HoldID")


def _fleksjob_past_pension(fmt, m, s, rng):
    end = min(LATEST_END, pension_date(m.person.birth) + 366 + int(rng.random() * 3000))
    s[fmt.s_end] = fmt.f.date("Slutdt", max(end, m.start))


def _offer_dates_without_flag(fmt, m, s, rng):
    s[fmt.s_flag] = fmt.no_flag
    s[fmt.s_ostart] = fmt.f.date("StdtAb", m.start)
    s[fmt.s_oend] = fmt.f.date("SldtAB", m.end)


def _cut_trailing_blanks(line, rng):
    return line.rstrip(" ")


def _text_beyond_width(line, rng):
    return line + rng.choice(["J", "0", ";1", " X", "  00000000"])


def _always(record) -> bool:
    return True


CUTOVER_MOVE = "cutover-move"


FAULTS: dict[str, Fault] = {f.kind: f for f in [
    Fault("impossible-date", {"date.impossible": 1}, _always, _always, _impossible_date),
    Fault("end-before-start", {"dates.order": 1}, _always, None, _end_before_start),
    Fault("unknown-foranstalt", {"code.unknown": 1}, _always, None, _unknown_code),
    Fault("legacy-after-cutover", {"foranstalt.period": 1},
          lambda m: m.start >= CATALOG.legacy_until, None, _legacy_code),
    Fault("hovedydelse87-adult", {"hovedydelse.87-age": 1},
          lambda m: m.benefit != YOUNG_BENEFIT, None, _young_benefit),
    Fault("komnr-mismatch", {"komnr.mismatch": 1}, _always, _always, _other_komnr),
    Fault("company-without-stedkode", {"company.stedkode": 1},
          lambda m: m.code in COMPANY_BASED, None, _no_place),
    Fault("bad-cvr", {"cvr.modulus11": 1},
          lambda m: m.place is not None or m.course is not None, lambda a: a.cvr is not None, _bad_cvr),
    # Only a measure whose last field (HoldID) is blank has blanks to lose at the end.
    Fault("short-line", {"line.short": 1}, lambda m: not (m.course and m.course[1]), None,
          edit_line=_cut_trailing_blanks),
    Fault("long-line", {"line.long": 1}, _always, _always, edit_line=_text_beyond_width),
    Fault("timetal-zero", {"timetal.range": 1}, _always, None, _zero_hours),
    Fault("open-offer-without-dates", {"abtilbud.dates": 2}, _always, None, _offer_without_dates),
    # Warnings: the measure is loaded, and the supplier told.
    Fault("course-without-pnr", {"course.kursuspnr": 1}, lambda m: m.course is not None, None, _course_without_pnr),
    Fault("course-without-hold", {"course.holdid": 1}, lambda m: m.course is not None, None, _course_without_hold),
    Fault("fleksjob-past-pension", {"fleksjob.slutdt": 1},
          lambda m: m.code in FLEXJOB and pension_date(m.person.birth) + 367 < LATEST_END, None, _fleksjob_past_pension),
    Fault("offer-dates-without-flag", {"abtilbud.dates": 2}, lambda m: m.offer is None, None, _offer_dates_without_flag),
    # Not drawn: a start correction that carried the measure across its Foranstalt code's
    # cut-over (MunicipalityData._across_cutover). The line is as the record says.
    Fault(CUTOVER_MOVE, {"foranstalt.period": 1}),
]}
# The kinds pick_fault draws from (their number and order decide every draw: keep them).
FAULT_KINDS = [k for k, f in FAULTS.items() if f.for_measure or f.for_aid]


def pick_fault(record, rng: random.Random) -> str | None:
    """A fault kind that applies to the record, spread evenly over the kinds."""
    first = int(rng.random() * len(FAULT_KINDS))
    for k in range(len(FAULT_KINDS)):
        kind = FAULT_KINDS[(first + k) % len(FAULT_KINDS)]
        if FAULTS[kind].applies(record):
            return kind
    return None


# --------------------------------------------------------------------------------------------
# What a municipality reports
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WeekChanges:
    """How the second Friday differs from the first, as fractions of the first's records."""
    new: float = 0.01
    removed: float = 0.005
    changed: float = 0.01
    moved: float = 0.003
    history: float = 0.05        # chance that a change due lands on a measure that ended long ago
    aid_new: float = 0.01
    aid_removed: float = 0.003

    @property
    def rate(self) -> float:
        """The share of measures new, changed, moved or removed between the Fridays."""
        return self.new + self.removed + self.changed + self.moved

    def scaled(self, rate: float) -> "WeekChanges":
        """The same mix of changes, scaled to `rate` (aid alike)."""
        f = rate / self.rate
        return WeekChanges(self.new * f, self.removed * f, self.changed * f, self.moved * f, self.history,
                           self.aid_new * f, self.aid_removed * f)

    def steady(self) -> "WeekChanges":
        """As many measures (and aid grants) removed as new, at the same rate: a dataset that keeps
        its size, so that a year's cost can be compared Friday with Friday as it is."""
        m, a = (self.new + self.removed) / 2, (self.aid_new + self.aid_removed) / 2
        return WeekChanges(m, m, self.changed, self.moved, self.history, a, a)


@dataclass(frozen=True)
class SharedPerson:
    """A person who moved between two municipalities; both report a measure around the move."""
    cpr: str
    birth: dt.date
    moved: int           # ordinal of the move
    leaving: bool        # True: this municipality is the one moved from


@dataclass
class Settings:
    seed: str
    friday1: int
    friday2: int
    fault_rate: float
    aid_ratio: float
    changes: WeekChanges = field(default_factory=WeekChanges)
    fridays: tuple[int, ...] = ()    # every Friday written, oldest first; empty: the two above

    def __post_init__(self):
        if not self.fridays:
            self.fridays = (self.friday1, self.friday2)


EPOCH = ordinal(2007, 1, 1)            # "fulde datamængder fra 1. januar 2007"
JOBPLANS_FROM = ordinal(2009, 1, 1)
LATEST_END = ordinal(2099, 12, 31)     # two-digit-year suppliers cannot write later dates

# Over more than two Fridays (MunicipalityData.next_measures):
REAPPEAR = 0.03          # share of removed measures that come back ...
REAPPEAR_AFTER = 6       # ... 1 to this many Fridays later
START_SHIFT = 10         # the largest start correction, in days (as _moved)
CUTOVER_UNDONE = 0.5     # share of cut-over moves corrected back ...
CUTOVER_UNDONE_AFTER = 4  # ... 1 to this many Fridays later


class Away:
    """A removed measure that the municipality's system will report again on Friday `back`
    (an index into Settings.fridays). It keeps its place among the records, since an export's
    order comes from the system, not from the week it was changed in."""
    __slots__ = ("measure", "back")

    def __init__(self, measure: "Measure", back: int):
        self.measure = measure
        self.back = back


class MunicipalityData:
    """Draws one municipality's records. Separate random streams for content, week-over-week
    changes and faults keep the first Friday's clean content independent of the other options."""

    def __init__(self, settings: Settings, catalog: Catalog, komnr: int, name: str):
        self.s = settings
        self.catalog = catalog
        self.komnr = komnr
        self.name = name
        seed = settings.seed
        self.rng = random.Random(f"{seed}/content/{komnr}")
        self.change_rng = random.Random(f"{seed}/changes/{komnr}")
        self.fault_rng = random.Random(f"{seed}/faults/{komnr}")
        facts = MUNICIPALITY_FACTS.get(komnr)
        self.towns = facts[1] if facts else [(f"{5000 + komnr % 4000:04d}", name)]
        self.workplaces: list[Workplace] = []
        self.providers: list[Provider] = []
        benefit_default = weighted_table([(c, w) for c, w in BENEFITS_DEFAULT if c in catalog.benefits])
        # code -> (hours table, shortest, longest duration, benefit table); one lookup per measure
        self.kinds = {c: (weighted_table(h), low, high,
                          weighted_table([(b, w) for b, w in BENEFITS_BY_CODE[c] if b in catalog.benefits])
                          if c in BENEFITS_BY_CODE else benefit_default)
                      for c, (_, h, (low, high)) in MEASURE_PROFILE.items()}
        self.company_places = weighted_table([(c, w) for c, w in COMPANY_PLACES if c in catalog.places])
        self.current_from = catalog.current_from
        self.measures_new = catalog.measure_table(catalog.current_from)
        self.measures_old = catalog.measure_table(catalog.current_from - 1)
        self.alongside_new, self.alongside_old = (
            weighted_table([(c, w) for c, w in ALONGSIDE if catalog.measure_ok(c, day)])
            for day in (catalog.current_from, catalog.current_from - 1))
        self.pending_changes = 0
        self.pending_moves = 0
        # The Friday a change is made for and the one before it: the first two, then one
        # further per next_measures.
        self.before, self.friday = settings.friday1, settings.friday2
        # Draws that only exist over more than two Fridays have their own stream, so the first
        # two Fridays stay those a two-Friday run writes.
        self.year_rng = random.Random(f"{seed}/fridays/{komnr}")
        self.reappeared = [0] * len(settings.fridays)     # per Friday index
        self.cutover_moves = [0] * len(settings.fridays)

    # -- workplaces and course providers -----------------------------------------------------

    def prepare(self, expected_records: int) -> None:
        n_places = max(6, min(4000, expected_records // 25))
        self.workplaces = [self._workplace() for _ in range(n_places)]
        n_providers = max(3, min(200, expected_records // 200))
        self.providers = [Provider(make_cvr(self.rng), make_pnr(self.rng))
                          for _ in range(n_providers)]

    def _workplace(self) -> Workplace:
        r = self.rng
        place = self.company_places[r.getrandbits(DRAW_BITS)]
        ministry = None
        if place == 60:
            name = f"{r.choice(SURNAMES)}s {r.choice(TRADES)} {r.choice(COMPANY_SUFFIXES)}".strip()
        elif place == 71:
            name = f"{self.name} Kommune, {r.choice(MUNICIPAL_UNITS)}"
        elif place == 72:
            name = r.choice(REGIONAL_UNITS)
        elif place == STATE_WORKPLACE:
            name, ministry = r.choice(STATE_WORKPLACES)
        elif place == 74:
            name = f"{self.towns[0][1]} {r.choice(OTHER_PUBLIC)}"
        elif place in (76, 77):
            name = r.choice(PROJECTS)
        elif place == 78:
            name = r.choice(ASSOCIATIONS)
        else:
            name = r.choice(SELF_GOVERNING)
        postnr, town = r.choice(self.towns)
        address = f"{r.choice(STREETS)} {r.randint(1, 180)}{r.choice(FLOORS)}"
        pnr = make_pnr(r) if r.random() < 0.85 else None
        if pnr is None or r.random() < 0.7:       # without a P-number, name and address are a must
            return Workplace(place, make_cvr(r), pnr, name[:50], address, postnr, town, ministry)
        return Workplace(place, make_cvr(r), pnr, None, None, None, None, ministry)

    # -- persons and their measures ----------------------------------------------------------

    def person(self, first_start: int, young: bool = False) -> Person:
        """Someone exactly 15–17 (young) or about 18–61 years old on first_start. Only the young
        need calendar precision; Hovedydelse follows the exact age either way (Person)."""
        rnd = self.rng.random
        if young:
            age = 15 + int(rnd() * 3)
            start = DAY(first_start)
            anniversary = dt.date(start.year - age, start.month, min(start.day, 28)).toordinal()
            birth = DAY(anniversary - int(rnd() * 365))
        else:
            birth = DAY(first_start - int((18.5 + (rnd() ** 1.3) * 43) * 365.2425))
        return Person(make_cpr(rnd, birth), birth)

    def person_measures(self, p: Person, first_start: int, until: int) -> list[Measure]:
        """A person's measures over the years: some one after another, some at the same time
        (those are where hours can add up to more than 37)."""
        rnd = self.rng.random
        out: list[Measure] = []
        start = first_start
        alongside = False
        count = 1
        while rnd() < 0.55 and count < 8:
            count += 1
        for _ in range(count):
            if start > until or not p.working_age_on(start):
                break
            m = self.measure(p, start, until, alongside)
            out.append(m)
            alongside = rnd() < 0.15
            if alongside:
                start = m.start + int(rnd() * (m.end - m.start + 1))
            else:
                start = m.end + 1 + int(rnd() * 240)
        return out

    def measure(self, p: Person, start: int, until: int, alongside: bool = False) -> Measure:
        """One measure starting on `start`; `alongside`: one that runs beside another."""
        r = self.rng
        rnd, draw = r.random, r.getrandbits
        young = start - p.born <= Person.ADULT_AFTER and p.young_on(start)
        if alongside:
            table = self.alongside_new if start >= self.current_from else self.alongside_old
        else:
            table = self.measures_new if start >= self.current_from else self.measures_old
        code = table[draw(DRAW_BITS)]
        while young and code in COMPANY_BASED and code != 140:    # no fleksjob at 16
            code = table[draw(DRAW_BITS)]
        while code in FLEXJOB and start > pension_date(p.birth):   # nor past retirement (52.1 item 5)
            code = table[draw(DRAW_BITS)]
        hours_table, low, high, benefits = self.kinds[code]
        hours = hours_table[draw(DRAW_BITS)] if rnd() >= 0.05 else 1 + int(rnd() * 37)
        x = rnd()
        if x < 0.1:
            end = start + int(rnd() * low)                     # broken off early
        elif x < 0.4 and code in FLEXJOB:
            end = pension_date(p.birth)                        # until expected retirement
        else:
            end = start + low + int(rnd() * (high - low + 1))
        if code in FLEXJOB:
            end = min(end, pension_date(p.birth))             # 52.1 item 5: no later than retirement
        end = start if end < start else LATEST_END if end > LATEST_END else end
        benefit = YOUNG_BENEFIT if young else benefits[draw(DRAW_BITS)]
        m = Measure(p, code, start, end, hours, benefit)
        if rnd() < 0.04:
            o_start = min(end, start + int(rnd() * 14))
            m.offer = (o_start, min(end, o_start + 30 + int(rnd() * 150)))
        if start >= JOBPLANS_FROM and rnd() < 0.35:
            created = max(EPOCH, start - int(rnd() * 60))
            revised = min(until, created + int(rnd() * 200)) if rnd() < 0.5 else None
            goal = EMPLOYMENT_GOALS[int(rnd() * len(EMPLOYMENT_GOALS))] if rnd() < 0.7 else None
            m.jobplan = (make_guid(r), created, revised, goal)
        if code in COMPANY_BASED:
            self.place_at_company(m)
        elif code in COURSES:
            provider = self.providers[int(rnd() * len(self.providers))]
            hold = make_guid(r)  # 52.1 items 18-19: a course names its provider's P-number and its team
            place = COURSE_PLACES[int(rnd() * len(COURSE_PLACES))] if rnd() < 0.4 else None
            m.course = (provider, hold, place)
        return m

    def place_at_company(self, m: Measure) -> None:
        """Workplace, job title and — for wage subsidy at a state workplace — ministry area,
        which must be one valid at the start (the list begins 2009-06-23)."""
        rnd = self.rng.random
        places = self.workplaces
        for _ in range(20):
            w = places[int(rnd() * len(places))]
            if w.stedkode != STATE_WORKPLACE or m.code != WAGE_SUBSIDY:
                break
            ministry = self.catalog.ministry_at(w.ministry, m.start)
            if ministry is not None:
                m.ministry = ministry
                break
        else:
            w = next((x for x in places if x.stedkode != STATE_WORKPLACE), None) or self._private_workplace()
        m.place = w
        m.title = JOB_TITLES[int(rnd() * len(JOB_TITLES))]

    def _private_workplace(self) -> Workplace:
        w = Workplace(60, make_cvr(self.rng), make_pnr(self.rng), None, None, None, None, None)
        self.workplaces.append(w)
        return w

    def shared_measure(self, sp: SharedPerson) -> Measure:
        """The leaving municipality's measure runs past the move (not closed in time); the
        arriving one starts around it: the person is reported by both for a while."""
        p = Person(sp.cpr, sp.birth)
        rnd = self.rng.random
        if sp.leaving:
            m = self.measure(p, sp.moved - 20 - int(rnd() * 300), self.s.friday1)
            m.end = max(m.start, sp.moved + int(rnd() * 45))
            if m.offer:
                m.offer = (m.offer[0], min(m.offer[1], m.end)) if m.offer[0] <= m.end else None
        else:
            m = self.measure(p, min(self.s.friday1, sp.moved - 15 + int(rnd() * 45)), self.s.friday1)
        return m

    def is_clean(self, m: Measure) -> bool:
        """The rules a clean record keeps, checked after a week-over-week edit."""
        return self.catalog.measure_ok(m.code, m.start) and self.clean_but_code(m)

    def clean_but_code(self, m: Measure) -> bool:
        """is_clean, apart from whether the Foranstalt code may be used at the start."""
        c = self.catalog
        if not EPOCH <= m.start <= m.end <= LATEST_END:
            return False
        if m.person.young_on(m.start) != (m.benefit == YOUNG_BENEFIT):
            return False
        if m.ministry is not None and not c.ministries[m.ministry].valid_on(m.start):
            return False
        return m.offer is None or m.offer[0] <= m.offer[1]

    def add_fault(self, record) -> None:
        record.fault = pick_fault(record, self.fault_rng)
        record.fault_arg = self.fault_rng.getrandbits(32)

    # -- the two Fridays ---------------------------------------------------------------------

    def measure_weeks(self, n_records: int, shared: list[SharedPerson]):
        """Yields (first-Friday measure or None, second-Friday measure or None). An unchanged
        measure is the same object in both. Streams: only one person's measures are held."""
        f1 = self.s.friday1
        ch = self.s.changes
        rnd = self.rng.random
        crnd = self.change_rng.random
        frnd = self.fault_rng.random
        fault_rate = self.s.fault_rate
        change_due = ch.removed + ch.changed + ch.moved
        new_rate = ch.new
        span = f1 - EPOCH + 1
        self.prepare(n_records)
        spacing = n_records // (len(shared) + 1) if shared else 0
        shared_left = list(shared)
        next_shared = spacing
        emitted = 0
        kept = 0                        # second-Friday records so far
        while emitted < n_records:
            if shared_left and emitted >= next_shared:
                measures = [self.shared_measure(shared_left.pop())]
                next_shared += spacing
            else:
                first = EPOCH + int(rnd() * span)
                measures = self.person_measures(self.person(first, young=rnd() < 0.02), first, f1)
            for m in measures:
                if fault_rate and frnd() < fault_rate:
                    self.add_fault(m)
                emitted += 1
                x = crnd()
                m2 = m if x >= change_due and not (self.pending_changes or self.pending_moves) else self._next_week(m, x)
                kept += m2 is not None
                yield m, m2
                if crnd() < new_rate:
                    kept += 1
                    yield None, self._new_measure(m.person)
        for sp in shared_left:          # tiny municipalities: shared persons still get reported
            m = self.shared_measure(sp)
            kept += 1
            yield m, m
        if not kept:                    # a full dataset is never empty
            yield None, self._new_measure(self.person(f1))

    def _next_week(self, m: Measure, x: float) -> Measure | None:
        """What the second Friday says about a first-Friday measure. Changes and moves that fall
        on a measure long ended are carried to the next recent one: corrections concentrate on
        current measures, and only a few touch history."""
        ch = self.s.changes
        if x < ch.removed:
            return None
        if x < ch.removed + ch.changed:
            self.pending_changes += 1
        elif x < ch.removed + ch.changed + ch.moved:
            self.pending_moves += 1
        if m.fault:
            return m                      # a faulty record stays as it is
        recent = self.recent(m)
        if self.pending_moves and recent:
            moved = self._moved(m)
            if moved is not None:
                self.pending_moves -= 1
                return moved
        if self.pending_changes and (recent or self.change_rng.random() < ch.history):
            changed = self._changed(m, recent)
            if changed is not None:
                self.pending_changes -= 1
                return changed
        return m

    def recent(self, m: Measure) -> bool:
        """Still running at the last Friday, or started lately: where corrections concentrate."""
        return m.end >= self.before - 28 or m.start >= self.before - 120

    def _changed(self, m: Measure, recent: bool) -> Measure | None:
        cr = self.change_rng
        n = m.copy()
        what = cr.random()
        if recent and what < 0.6:
            n.end = min(LATEST_END, max(n.end, self.friday) + 7 + int(cr.random() * 120))  # extended
            if n.code in FLEXJOB:
                n.end = min(n.end, pension_date(n.person.birth))  # 52.1 item 5, as a new fleksjob's end
        elif recent and what < 0.75:
            n.end = max(n.start, min(n.end, self.friday - int(cr.random() * 10)))           # ended early
        elif what < 0.9:
            n.hours = self.kinds[n.code][0][cr.getrandbits(DRAW_BITS)]
            if n.hours == m.hours:
                n.hours = m.hours - 1 if m.hours > 1 else m.hours + 1
        elif n.benefit != YOUNG_BENEFIT:
            n.benefit = self.kinds[n.code][3][cr.getrandbits(DRAW_BITS)]
        if (n.end, n.hours, n.benefit) == (m.end, m.hours, m.benefit):
            n.end = max(n.start, n.end - 1 - int(cr.random() * 5))                            # corrected
        if n.offer and n.offer[1] > n.end:
            n.offer = (min(n.offer[0], n.end), n.end)
        same = (n.end, n.hours, n.benefit) == (m.end, m.hours, m.benefit)
        return n if not same and self.is_clean(n) else None

    def _moved(self, m: Measure) -> Measure | None:
        """Same person, municipality and measure; the start corrected by a few days, so that
        the periods still overlap (reconciliation.md, identity rule 2)."""
        cr = self.change_rng
        shift = (1 + int(cr.random() * 10)) * (1 if cr.random() < 0.5 else -1)
        n = m.copy()
        n.start = m.start + shift
        if n.start > self.friday or n.start > m.end:
            return None
        if n.offer:
            n.offer = (max(n.start, n.offer[0]), max(n.start, n.offer[1]))
        return n if self.is_clean(n) else None

    def _new_measure(self, previous: Person) -> Measure:
        """A measure first reported on the second Friday: mostly started lately, for a new or an
        already known person."""
        r, f2 = self.change_rng, self.friday
        start = f2 - int(r.random() * 21) if r.random() < 0.85 else EPOCH + int(r.random() * (f2 - EPOCH))
        known = r.random() < 0.4 and previous.working_age_on(start)
        p = previous if known else self.person(start, r.random() < 0.02)
        m = self.measure(p, start, f2)
        if self.s.fault_rate and self.fault_rng.random() < self.s.fault_rate:
            self.add_fault(m)
        return m

    # -- later Fridays ------------------------------------------------------------------------

    def step_to(self, i: int) -> None:
        """Changes from now on are made for Friday i (an index into Settings.fridays)."""
        self.before, self.friday = self.s.fridays[i - 1], self.s.fridays[i]

    def next_measures(self, state: list, i: int, render, cutovers: int = 0) -> list:
        """Friday i's measures (i >= 2) from Friday i - 1's, in the same order: the changes
        measure_weeks makes between the first two Fridays, from the same streams and at the
        same rates, plus what only shows over weeks — removed measures coming back (Away)
        and `cutovers` start corrections across a code's cut-over. `state` holds Measures and
        Aways; unchanged measures stay the same objects and keep their lines, new and changed
        ones are rendered (render: MeasureFormat.render) as they are made."""
        self.step_to(i)
        ch = self.s.changes
        crnd = self.change_rng.random
        change_due = ch.removed + ch.changed + ch.moved
        new_rate = ch.new
        near = self._cutover_window() if cutovers else None
        out: list = []
        keep = out.append
        kept = 0
        for m in state:
            if m.__class__ is Away:
                if m.back == i:
                    m = self._returned(m.measure, i)
                    if m.line is None:
                        m.line = render(m)
                    kept += 1
                keep(m)
                continue
            undone = m.fix is not None and m.fix[0] <= i
            if undone:
                m = self._undo_cutover(m, i)
            x = crnd()
            m2 = m if x >= change_due and not (self.pending_changes or self.pending_moves) else self._next_week(m, x)
            if m2 is None:
                away = self.away(m, i)
                if away is not None:
                    keep(away)
            else:
                if near is not None and m2 is m and near[0] <= m.start < near[1] and m.fault is None and not undone:
                    moved = self._across_cutover(m, i)
                    if moved is not None:
                        m2 = moved
                        cutovers -= 1
                        near = near if cutovers else None
                if m2.line is None:
                    m2.line = render(m2)
                keep(m2)
                kept += 1
            if crnd() < new_rate:
                n = self._new_measure(m.person)
                n.line = render(n)
                keep(n)
                kept += 1
        if not kept:                    # a full dataset is never empty
            n = self._new_measure(self.person(self.friday))
            n.line = render(n)
            keep(n)
        return out

    def away(self, m: Measure, i: int) -> Away | None:
        """Whether a measure removed on Friday i is reported again later (a deletion undone, a
        case reopened), and when; None also when that would be after the last Friday."""
        r = self.year_rng.random
        if r() >= REAPPEAR:
            return None
        back = i + 1 + int(r() * REAPPEAR_AFTER)
        return Away(m, back) if back < len(self.s.fridays) else None

    def _returned(self, m: Measure, i: int) -> Measure:
        """A removed measure reported again: as it was, or with a change made meanwhile. Its
        key (person, code, start) is the one it had."""
        self.reappeared[i] += 1
        if m.fault is None and self.year_rng.random() < 0.5:
            changed = self._changed(m, self.recent(m))
            if changed is not None:
                return changed
        return m

    def _cutover_window(self) -> tuple[int, int] | None:
        """Starts within START_SHIFT days of some Foranstalt code's cut-over: the only measures
        a start correction can carry across one (a cheap test before _across_cutover's)."""
        days = [d for e in self.catalog.lists["foranstalt"].values() for d in (e.valid_from, e.valid_to) if d]
        return (min(days) - START_SHIFT, max(days) + START_SHIFT) if days else None

    def _across_cutover(self, m: Measure, i: int) -> Measure | None:
        """A start corrected by a few days, as _moved does, that carries the measure across its
        Foranstalt code's cut-over (codelists.tsv: valid at the old start, not at the new): a
        course of the current table (160-165, a warning) begun a few days before that table
        applies, or a legacy measure (an error) whose corrected start falls on or after the
        legacy codes' end — clean data has none that close, as it uses legacy codes only
        before the current table starts. Nothing else breaks; the validator's finding is the
        manifest's cutover-move fault. Some are corrected back a few Fridays later (fix)."""
        entry = self.catalog.lists["foranstalt"].get(m.code)
        if entry is None or not entry.valid_on(m.start):
            return None
        r = self.year_rng.random
        if entry.valid_from is not None and m.start - entry.valid_from < START_SHIFT:
            start = entry.valid_from - 1 - int(r() * (START_SHIFT - (m.start - entry.valid_from)))
        elif entry.valid_to is not None and entry.valid_to - m.start <= START_SHIFT:
            start = entry.valid_to + int(r() * (START_SHIFT + 1 - (entry.valid_to - m.start)))
        else:
            return None
        n = m.copy()
        n.start = start
        if n.start > self.friday or n.start > n.end:
            return None
        if n.offer:
            n.offer = (max(n.start, n.offer[0]), max(n.start, n.offer[1]))
        if entry.valid_on(n.start) or not self.clean_but_code(n):
            return None
        n.fault, n.fault_arg = CUTOVER_MOVE, 0
        if r() < CUTOVER_UNDONE:
            n.fix = (i + 1 + int(r() * CUTOVER_UNDONE_AFTER), m.start)
        self.cutover_moves[i] += 1
        return n

    def _undo_cutover(self, m: Measure, i: int) -> Measure:
        """The municipality corrects a cut-over move back: the start it had, valid again."""
        n = m.copy()
        n.start, n.fault, n.fault_arg = m.fix[1], None, 0
        if n.offer:
            n.offer = (max(n.start, n.offer[0]), max(n.start, n.offer[1]))
        if not self.is_clean(n):
            m.fix = None
            return m
        self.cutover_moves[i] += 1
        return n

    def next_aids(self, state: list, i: int, render) -> list:
        """Friday i's aid grants from Friday i - 1's, as aid_weeks changes them; new ones
        rendered (render: AidFormat.render)."""
        self.step_to(i)
        cr, ch = self.change_rng.random, self.s.changes
        removed, new, friday = ch.aid_removed, ch.aid_new, self.friday
        out: list = []
        keep = out.append
        for a in state:
            if cr() >= removed:
                keep(a)
            if cr() < new:
                keep(self._aid(friday - int(cr() * 7)))
        if not out:                     # a full dataset is never empty
            keep(self._aid(friday - int(cr() * 7)))
        for a in out:
            if a.line is None:
                a.line = render(a)
        return out

    # -- aid grants --------------------------------------------------------------------------

    def aid_weeks(self, n_records: int):
        """Yields (first-Friday grant or None, second-Friday grant or None) for one aid file."""
        r, cr, ch = self.rng, self.change_rng, self.s.changes
        f1, f2 = self.s.friday1, self.s.friday2
        kept = 0
        for _ in range(n_records):
            a = self._aid(EPOCH + int(r.random() * (f1 - EPOCH + 1)))
            a2 = None if cr.random() < ch.aid_removed else a
            kept += a2 is not None
            yield a, a2
            if cr.random() < ch.aid_new:
                kept += 1
                yield None, self._aid(f2 - int(cr.random() * 7))
        if not kept:                    # a full dataset is never empty
            yield None, self._aid(f2 - int(cr.random() * 7))

    def _aid(self, approved: int) -> Aid:
        r = self.rng
        cvr = pnr = None
        if self.workplaces and r.random() < 0.3:           # the company receives the grant
            w = r.choice(self.workplaces)
            cvr, pnr = w.cvr, (w.pnr if r.random() < 0.9 else None)
        if r.random() < 0.01:
            ident = "U" + str(r.randint(100000000, 999999999))   # foreigner without a CPR number
        else:
            ident = self.person(approved).cpr
        a = Aid(cvr, pnr, approved, ident)
        if self.s.fault_rate and self.fault_rng.random() < self.s.fault_rate:
            self.add_fault(a)
        return a


# --------------------------------------------------------------------------------------------
# Writing files
# --------------------------------------------------------------------------------------------

class DeliveryWriter:
    """Writes one delivery with large buffered writes and keeps its manifest entry."""

    FLUSH_LINES = 8192
    PIECE_LINES = 1024      # write_lines

    def __init__(self, path: Path, supplier: Supplier, blank_seed: str, record_limit: int | None = None):
        self.path = path
        self.supplier = supplier
        self.limit = record_limit
        self.blank_rate = supplier.blank_line_rate
        self.blank_rng = random.Random(blank_seed)
        self.buf: list[str] = []
        self.lines = 0
        self.records = 0
        self.blank_lines = 0
        self.faults: dict[str, int] = {}
        self.fault_lines: dict[int, str] = {}
        self.bytes = 0
        self.ascii = True
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(path, "wb", buffering=0)
        if supplier.bom:
            self._put(b"\xef\xbb\xbf")

    @property
    def full(self) -> bool:
        return self.limit is not None and self.records >= self.limit

    def write(self, line: str, fault: str | None = None) -> None:
        buf = self.buf
        buf.append(line)
        self.records += 1
        if fault or self.blank_rate:
            self._extras(fault)
        if len(buf) >= self.FLUSH_LINES:
            self.flush()

    def write_lines(self, lines: list[str], faults: list[tuple[int, str]]) -> None:
        """Writes many records, as write() one by one would; faults: (1-based index into lines,
        kind). Where no stray blank lines are drawn, only the faulty records need a look."""
        if self.blank_rate:
            at = dict(faults)
            write = self.write
            for j, line in enumerate(lines, 1):
                write(line, at.get(j))
            return
        first = self.records + self.blank_lines
        for j, kind in faults:
            self.faults[kind] = self.faults.get(kind, 0) + 1
            self.fault_lines[first + j] = kind
        self.records += len(lines)
        # Smaller pieces than write()'s: text and bytes of this size reuse the heap's memory,
        # where larger ones are fresh pages every time (half the page faults, a second of system
        # time a Friday at a million records).
        for k in range(0, len(lines), self.PIECE_LINES):
            self.buf.extend(lines[k:k + self.PIECE_LINES])
            self.flush()

    def _extras(self, fault: str | None) -> None:
        if fault:
            self.faults[fault] = self.faults.get(fault, 0) + 1
            self.fault_lines[self.records + self.blank_lines] = fault
        if self.blank_rate and self.blank_rng.random() < self.blank_rate:
            self.blank_line("" if self.blank_rng.random() < 0.5 else " " * 20)

    def blank_line(self, text: str = "") -> None:
        self.buf.append(text)
        self.blank_lines += 1

    def flush(self) -> None:
        if self.buf:
            nl = self.supplier.newline
            text = nl.join(self.buf) + nl
            self.buf.clear()
            self.ascii = self.ascii and text.isascii()
            self._put(encode(text, self.supplier.encoding))

    def _put(self, data: bytes) -> None:
        self.fh.write(data)
        self.bytes += len(data)

    def close(self) -> dict:
        if self.supplier.trailing_blank_line:
            self.blank_line()
        self.flush()
        self.fh.close()
        return self.entry()

    def entry(self) -> dict:
        findings: dict[str, int] = {}
        for kind, n in self.faults.items():
            for rule, k in FAULTS[kind].findings.items():
                findings[rule] = findings.get(rule, 0) + n * k
        s = self.supplier
        return {
            "supplier": s.name,
            # What the validator will detect: a file of pure ASCII is valid UTF-8 as well.
            "encoding": "UTF-8" if s.encoding == "utf-8" or self.ascii else "Windows-1252",
            "bom": s.bom,
            "newline": "CRLF" if s.newline == "\r\n" else "LF",
            "records": self.records,
            "blank_lines": self.blank_lines,
            "bytes": self.bytes,
            "faults": dict(sorted(self.faults.items())),
            "fault_lines": {str(k): v for k, v in sorted(self.fault_lines.items())},
            "findings": dict(sorted(findings.items())),
        }


def encode(text: str, encoding: str) -> bytes:
    """Windows-1252 agrees with ISO-8859-1 on ASCII and U+00A0–U+00FF (æøåÆØÅé…), and Python's
    latin-1 codec is many times faster than its cp1252 one. Text outside that range (€ fails in
    latin-1; C1 controls U+0080–U+009F differ) takes the cp1252 codec and its strict errors."""
    if encoding == "cp1252":
        try:
            data = text.encode("latin-1")
            if len(data.translate(None, C1_BYTES)) == len(data):
                return data
        except UnicodeEncodeError:
            pass
    return text.encode(encoding)


C1_BYTES = bytes(range(0x80, 0xA0))


def file_name(kind: str, komnr: int, friday: int) -> str:
    return f"{kind}_{komnr:03d}_{DAY(friday).strftime('%Y%m%d')}.txt"


# --------------------------------------------------------------------------------------------
# One municipality, every Friday (the unit of work of a process)
# --------------------------------------------------------------------------------------------

# What happens to a municipality's delivery on a Friday, besides being delivered as usual.
MISSING = "missing"        # no files at all
SHRUNKEN = "shrunken"      # the AMFORA file cut to SHRINK_TO of its records
LATE = "late"              # the files arrive after the run: OUT/late/<friday>/


@dataclass(frozen=True)
class Job:
    komnr: int
    name: str
    records: int
    shared: tuple[SharedPerson, ...]
    events: tuple[str | None, ...]      # per Friday (Settings.fridays): MISSING, SHRUNKEN, LATE or None
    cutovers: tuple[int, ...]           # per Friday: start corrections across a cut-over to make


_CTX: dict = {}
SHRINK_TO = 0.6
AID_SPLIT = 0.35     # share of aid grants that are teaching material (HJAELP1)


def init_worker(resources: str, settings: Settings, out: str) -> None:
    """Loads the repository's layouts and code lists once per process."""
    global CATALOG
    # Millions of small acyclic objects: the cyclic garbage collector would scan them over and
    # over for nothing (it cost about 40% of the run time). Reference counting frees them.
    gc.disable()
    res = Path(resources)
    CATALOG = Catalog(load_codelists(res))
    UNKNOWN_CODES[:] = [c for c in UNKNOWN_MEASURE_CODES if c not in CATALOG.lists["foranstalt"]]
    MUNICIPALITY_CODES[:] = sorted(load_municipalities(res))
    _CTX.update(layouts=load_layouts(res), settings=settings, out=Path(out))


def write_weeks(w1: DeliveryWriter, w2: DeliveryWriter | None, pairs, fmt) -> None:
    """Writes both Fridays of one kind from (first, second) pairs; a record unchanged since the
    first Friday is not rendered twice."""
    write1, write2 = w1.write, (w2.write if w2 else None)
    render = fmt.render
    for r1, r2 in pairs:
        if r1 is not None:
            r1.line = line = render(r1)
            write1(line, r1.fault)
        if r2 is not None and write2 is not None and not w2.full:
            line = r2.line
            if line is None:
                r2.line = line = render(r2)     # kept: later Fridays may write it again
            write2(line, r2.fault)


def keep_second(pairs, state: list, render, away=None):
    """Passes (first, second) pairs on, keeping the second Friday's records in `state` for the
    Fridays after, each with its line (one the second Friday did not write is rendered here) —
    and, in its place, a removed measure that will come back (away: MunicipalityData.away)."""
    keep = state.append
    for r1, r2 in pairs:
        yield r1, r2
        if r2 is not None:
            if r2.line is None:
                r2.line = render(r2)
            keep(r2)
        elif away is not None and r1 is not None:
            back = away(r1, 1)
            if back is not None:
                keep(back)


def write_records(w: DeliveryWriter, records: list) -> None:
    """Writes one Friday's records of one kind, each rendered already (a shrunken file: the
    first ones)."""
    if w.limit is not None:
        records = records[:w.limit]
    w.write_lines([r.line for r in records],
                  [(j, r.fault) for j, r in enumerate(records, 1) if r.fault is not None])


def run_job(job: Job) -> tuple[list[tuple[str, dict]], dict[str, list[int]]]:
    """Writes one municipality's files for every Friday, Friday by Friday, holding one Friday's
    records per kind. Returns the manifest entries and, per Friday, how many measures came
    back and how many start corrections crossed a cut-over."""
    settings: Settings = _CTX["settings"]
    layouts: dict[str, Layout] = _CTX["layouts"]
    out: Path = _CTX["out"]
    fridays = settings.fridays
    supplier = supplier_for(settings.seed, job.komnr)
    data = MunicipalityData(settings, CATALOG, job.komnr, job.name)
    entries: list[tuple[str, dict]] = []

    def writer(kind: str, i: int, limit: int | None = None) -> DeliveryWriter | None:
        """Friday i's file of `kind` where that Friday's event puts it; None: not delivered."""
        event = job.events[i]
        if event == MISSING:
            return None
        day = DAY(fridays[i]).isoformat()
        folder = out / "late" / day if event == LATE else out / day
        return DeliveryWriter(folder / file_name(kind, job.komnr, fridays[i]), supplier,
                              f"{settings.seed}/blank/{kind}/{job.komnr}/{i + 1}",
                              limit if event == SHRUNKEN else None)

    def close(w: DeliveryWriter | None) -> None:
        if w is not None:
            entries.append((str(w.path.relative_to(out)), w.close()))

    def first_two(kind: str, pairs, fmt, limit: int | None = None, away=None) -> list:
        """Writes the first two Fridays; returns the second's records when more follow."""
        state: list = []
        if len(fridays) > 2:
            pairs = keep_second(pairs, state, fmt.render, away)
        w1, w2 = writer(kind, 0), writer(kind, 1, limit)
        write_weeks(w1, w2, pairs, fmt)
        close(w1)
        close(w2)
        return state

    def later(kind: str, i: int, state: list) -> None:
        records = [r for r in state if r.__class__ is not Away]
        w = writer(kind, i, max(1, int(len(records) * SHRINK_TO)) if kind == "AMFORA" else None)
        if w is not None:
            write_records(w, records)
            close(w)

    measures = MeasureFormat(LineFormat(layouts["52.2-v1"], supplier), job.komnr)
    limit = max(1, int(job.records * SHRINK_TO))
    measure_state = first_two("AMFORA", data.measure_weeks(job.records, list(job.shared)), measures, limit,
                              data.away)

    # §57.2 writes Startdtgod as dd-mm-yyyy whatever the supplier does with §52.2 dates.
    aids = AidFormat(LineFormat(layouts["57.2-v1"], supplier, date_form="dd-mm-yyyy"), job.komnr)
    n_aid = job.records * settings.aid_ratio
    aid_kinds = ("HJAELP1", "HJAELP2")
    aid_states = [first_two(kind, data.aid_weeks(max(1, round(n_aid * share))), aids)
                  for kind, share in zip(aid_kinds, (AID_SPLIT, 1 - AID_SPLIT))]

    for i in range(2, len(fridays)):
        measure_state = data.next_measures(measure_state, i, measures.render, job.cutovers[i])
        later("AMFORA", i, measure_state)
        for k, kind in enumerate(aid_kinds):
            aid_states[k] = data.next_aids(aid_states[k], i, aids.render)
            later(kind, i, aid_states[k])
    return entries, {"reappeared": data.reappeared, "cutover_moves": data.cutover_moves}


# --------------------------------------------------------------------------------------------
# Planning the inbox
# --------------------------------------------------------------------------------------------

def distribute(total: int, codes: list[int]) -> dict[int, int]:
    """Records per municipality in proportion to its size (at least one each)."""
    weights = {k: MUNICIPALITY_FACTS.get(k, (DEFAULT_WEIGHT, []))[0] for k in codes}
    w = sum(weights.values())
    return {k: max(1, round(total * weights[k] / w)) for k in codes}


def shared_persons(seed: str, counts: dict[int, int], friday1: int) -> dict[int, list[SharedPerson]]:
    """Persons reported by two municipalities: drawn once, globally, then handed to both."""
    out: dict[int, list[SharedPerson]] = {k: [] for k in counts}
    codes = sorted(counts)
    if len(codes) < 2:
        return out
    rng = random.Random(f"{seed}/shared")
    weights = [counts[k] for k in codes]
    for _ in range(max(1, sum(counts.values()) // 400)):
        a, b = rng.choices(codes, weights=weights, k=2)
        if a == b:
            continue
        moved = friday1 - 30 - int(rng.random() * (friday1 - 30 - (EPOCH + 400)))
        birth = DAY(moved - int((20 + rng.random() * 35) * 365.25))
        cpr = make_cpr(rng.random, birth)
        out[a].append(SharedPerson(cpr, birth, moved, True))
        out[b].append(SharedPerson(cpr, birth, moved, False))
    return out


def choose(option: str | None, codes: list[int], rng: random.Random, avoid: set[int], what: str) -> int | None:
    if option is not None and option.lower() == "none":
        return None
    if option is not None:
        k = int(option)
        if k not in codes:
            raise SystemExit(f"--{what} {k} is not among the generated municipalities")
        return k
    pool = [k for k in codes if k not in avoid]
    return rng.choice(pool) if pool else None


MAX_FRIDAYS = 104
# Over more than two Fridays: about one Friday in this many has the event (never the first).
EVENT_EVERY = {MISSING: 8, SHRUNKEN: 8, LATE: 10}
CUTOVER_EVERY = 8
CUTOVER_MUNICIPALITIES = 2      # drawn by size on such a Friday: where measures near a cut-over are


def plan_events(seed: str, codes: list[int], counts: dict[int, int], n: int):
    """For n > 2 Fridays: which municipality skips a Friday, delivers a file cut short or
    delivers late on which Friday, and where a start correction is to cross a cut-over.
    Returns ({komnr: per-Friday event or None}, {komnr: per-Friday cut-over moves due}).

    A skip is never on the last Friday, so that the Friday after shows the catch-up. A
    municipality has one event a Friday at most and none on the Friday after one (it delivers
    normally then: the skipped weeks' changes, the complete file); picks prefer municipalities
    no event has hit yet, so they vary between Fridays."""
    rng = random.Random(f"{seed}/events")
    events: dict[int, list[str | None]] = {k: [None] * n for k in codes}
    cutovers: dict[int, list[int]] = {k: [0] * n for k in codes}

    def some(first: int, last: int, every: int) -> set[int]:
        eligible = list(range(first, last))
        return set(rng.sample(eligible, max(1, round(len(eligible) / every)))) if eligible else set()

    when = {kind: some(1, n - 1 if kind == MISSING else n, every) for kind, every in EVENT_EVERY.items()}
    cut = some(2, n, CUTOVER_EVERY)       # from the third Friday: MunicipalityData.next_measures
    hit: set[int] = set()
    for i in range(1, n):
        busy = {k for k in codes if events[k][i - 1]}
        for kind in EVENT_EVERY:
            pool = [k for k in codes if k not in busy]
            if i not in when[kind] or not pool:
                continue
            k = rng.choice([k for k in pool if k not in hit] or pool)
            events[k][i] = kind
            busy.add(k)
            hit.add(k)
        pool = [k for k in codes if events[k][i] is None]
        if i in cut and pool:
            for k in sorted(set(rng.choices(pool, weights=[counts[k] for k in pool], k=CUTOVER_MUNICIPALITIES))):
                cutovers[k][i] = 1
    return events, cutovers


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--out", required=True, type=Path, help="inbox directory to create")
    p.add_argument("--friday", default="2026-11-27", help="the latest Friday, yyyy-mm-dd")
    p.add_argument("--fridays", type=int, default=2,
                   help=f"consecutive Fridays to write, ending with --friday (2..{MAX_FRIDAYS}). Above 2, each "
                        "is evolved from the one before by the same changes, and over the Fridays some removed "
                        "measures come back, a municipality skips a Friday (about one in eight), a file is cut "
                        "to ~60%% and complete the week after (one in eight), a delivery is late and written to "
                        "OUT/late/<friday>/ (one in ten), and start corrections cross a Foranstalt cut-over; "
                        "manifest.json's \"events\" says which, per Friday. The records grow by the new less the "
                        "removed each Friday: 0.5%% a Friday at the default --change-rate, 9%% at 0.5")
    p.add_argument("--records", type=int, default=100000, help="about this many activation records per Friday (the first, with --fridays above 2)")
    p.add_argument("--municipalities", help="comma-separated municipality codes; all of kommuner.tsv when omitted")
    p.add_argument("--fault-rate", type=float, default=0.001, help="share of records with an injected fault")
    p.add_argument("--seed", default="1", help="random seed; same arguments and seed give the same bytes")
    p.add_argument("--missing", help="municipality with no delivery on the second Friday ('none' to disable); "
                                     "--fridays 2 only (above, refused: the skipped Fridays are drawn)")
    p.add_argument("--shrunken", help="municipality whose second-Friday AMFORA file is cut to ~60%% ('none'); "
                                      "--fridays 2 only (above, refused: the truncated files are drawn)")
    p.add_argument("--aid-ratio", type=float, default=0.05, help="aid grant records per activation record")
    p.add_argument("--change-rate", type=float, default=WeekChanges().rate,
                   help="share of measures new, changed, moved or removed from one Friday to the next (the mix kept)")
    p.add_argument("--steady", action="store_true",
                   help="as many measures removed as new (the mix otherwise kept): the dataset keeps its size "
                        "instead of growing by new measures outnumbering removed ones two to one")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="worker processes (the output does not depend on it)")
    p.add_argument("--resources", type=Path, default=DEFAULT_RESOURCES, help="directory of layouts.tsv etc.")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    latest = dt.date.fromisoformat(args.friday)
    if latest.weekday() != 4:
        raise SystemExit(f"--friday {args.friday} is a {latest.strftime('%A')}, not a Friday")
    n = args.fridays
    if not 2 <= n <= MAX_FRIDAYS:
        raise SystemExit(f"--fridays {n} must be from 2 to {MAX_FRIDAYS}")
    if n > 2 and (args.missing is not None or args.shrunken is not None):
        raise SystemExit("--missing and --shrunken are for --fridays 2; over more Fridays the generator draws "
                         "the skipped and truncated deliveries itself (manifest.json: events)")
    fridays = [latest - dt.timedelta(days=7 * (n - 1 - i)) for i in range(n)]
    friday1, friday2 = fridays[0], fridays[1]
    municipalities = load_municipalities(args.resources)
    codes = sorted(municipalities) if not args.municipalities else [int(k) for k in args.municipalities.split(",")]
    unknown = [k for k in codes if k not in municipalities]
    if unknown:
        raise SystemExit(f"not municipality codes: {unknown}")

    counts = distribute(args.records, codes)
    missing = shrunken = None
    if n == 2:
        pick = random.Random(f"{args.seed}/pick")
        missing = choose(args.missing, codes, pick, set(), "missing")
        shrunken = choose(args.shrunken, codes, pick, {missing} if missing else set(), "shrunken")
        events = {k: [None, MISSING if k == missing else SHRUNKEN if k == shrunken else None] for k in codes}
        cutovers = {k: [0, 0] for k in codes}
    else:
        events, cutovers = plan_events(args.seed, codes, counts, n)
    shared = shared_persons(args.seed, counts, friday1.toordinal())
    if not 0 < args.change_rate <= 0.5:
        raise SystemExit(f"--change-rate {args.change_rate} must be above 0 and at most 0.5")
    settings = Settings(args.seed, friday1.toordinal(), friday2.toordinal(), args.fault_rate, args.aid_ratio,
                        changes=(lambda c: c.steady() if args.steady else c)(WeekChanges().scaled(args.change_rate)),
                        fridays=tuple(f.toordinal() for f in fridays))
    jobs = sorted((Job(k, municipalities[k], counts[k], tuple(shared[k]), tuple(events[k]), tuple(cutovers[k]))
                   for k in codes), key=lambda j: -j.records)   # biggest first: better load balance

    args.out.mkdir(parents=True, exist_ok=True)
    init = (str(args.resources), settings, str(args.out))
    entries: list[tuple[str, dict]] = []
    counted = {"reappeared": [0] * n, "cutover_moves": [0] * n}

    def take(result: tuple[list, dict]) -> None:
        entries.extend(result[0])
        for key, per_friday in result[1].items():
            counted[key] = [a + b for a, b in zip(counted[key], per_friday)]

    if args.jobs <= 1:
        init_worker(*init)
        for j in jobs:
            take(run_job(j))
    else:
        with multiprocessing.Pool(args.jobs, initializer=init_worker, initargs=init) as pool:
            for result in pool.imap_unordered(run_job, jobs):
                take(result)

    files = dict(sorted(entries))
    manifest = {
        "generator": "scripts/generate_inbox.py",
        "seed": args.seed,
        "fridays": [f.isoformat() for f in fridays],
        "records_requested": args.records,
        "fault_rate": args.fault_rate,
        "aid_ratio": args.aid_ratio,
        "change_rate": args.change_rate,
        "steady": args.steady,
        "municipalities": codes,
        "missing": missing,             # --fridays 2: on the second Friday; otherwise null (see events)
        "shrunken": shrunken,
        # Per Friday: the municipalities without files, with a cut AMFORA file, with files under
        # late/; measures reported again after a removal; start corrections across a cut-over,
        # either way (both counted in the municipalities' data, delivered that Friday or not).
        "events": {f.isoformat(): {kind: sorted(k for k in codes if events[k][i] == kind) for kind in EVENT_EVERY}
                   | {key: counted[key][i] for key in counted}
                   for i, f in enumerate(fridays)},
        "fault_kinds": {k: f.findings for k, f in FAULTS.items()},
        "files": files,
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
    report_speed(files, time.perf_counter() - t0, args.jobs, n)
    return 0


def report_speed(files: dict[str, dict], elapsed: float, jobs: int, fridays: int) -> None:
    records = sum(e["records"] for e in files.values())
    per_friday = sum(e["records"] for n, e in files.items() if "/AMFORA_" in n) / fridays
    mb = sum(e["bytes"] for e in files.values()) / 1e6
    faults = sum(sum(e["faults"].values()) for e in files.values())
    over = "both Fridays" if fridays == 2 else f"{fridays} Fridays"
    print(f"{len(files)} files, {records} records over {over} ({per_friday:.0f} activation records "
          f"per Friday), {faults} injected faults, {mb:.1f} MB in {elapsed:.2f} s with {jobs} processes: "
          f"{records / elapsed:,.0f} records/s written, {mb / elapsed:.1f} MB/s", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
