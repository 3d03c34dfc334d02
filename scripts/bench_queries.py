#!/usr/bin/env python3
"""Times the analysts' everyday questions on a warehouse (the national benchmark's, after
scripts/bench-run.sh): one week of v_person_week by week_start and by iso_week, one week of
v_activity_week (in total and by municipality and Foranstalt), a year of national weekly totals, one week of
v_week_stats joined to the label views, and one person's whole week history. Each query runs
three times; the first (cold) and the best are printed, with the bound the issue sets.

    python3 scripts/bench_queries.py WAREHOUSE [--week 2026-11-16]
"""
import argparse, datetime, os, sqlite3, time

p = argparse.ArgumentParser()
p.add_argument("warehouse")
p.add_argument("--week", default="2026-11-16")
a = p.parse_args()
monday = datetime.date.fromisoformat(a.week)
iso = "%d-W%02d" % monday.isocalendar()[:2]
year_from, year_to = (monday - datetime.timedelta(weeks=52)).isoformat(), a.week
db = sqlite3.connect(f"file:{a.warehouse}?mode=ro", uri=True)
# A person with measures in the week: the history query's subject (the CPR is never printed).
person = db.execute("SELECT cpr FROM v_person_week WHERE week_start = ? LIMIT 1 OFFSET 1000", (a.week,)).fetchone()[0]

queries = [
    ("one week of v_person_week by week_start", 1.0,
     "SELECT count(*), sum(hours_written_down) FROM v_person_week WHERE week_start = ?", (a.week,)),
    ("one week of v_person_week by iso_week", 1.0,
     "SELECT count(*), sum(hours_written_down) FROM v_person_week WHERE iso_week = ?", (iso,)),
    ("one week of v_activity_week", 1.0,
     "SELECT count(*), sum(hours_written_down) FROM v_activity_week WHERE week_start = ?", (a.week,)),
    # Grouped by the view's own columns this is v_week_stats' question, which answers it from
    # its table (below); timed for information, under the same bound.
    ("one week of v_activity_week by komnr × foranstalt", 1.0,
     "SELECT komnr, foranstalt, count(*), sum(hours_written_down) FROM v_activity_week WHERE week_start = ? GROUP BY komnr, foranstalt", (a.week,)),
    ("a year of national weekly totals (v_week_stats)", 10.0,
     "SELECT week_start, sum(measures), sum(hours), sum(hours_written_down) FROM v_week_stats WHERE week_start BETWEEN ? AND ? GROUP BY week_start", (year_from, year_to)),
    ("a year of national weekly persons (v_person_week)", 60.0,
     "SELECT week_start, count(*), sum(hours_written_down) FROM v_person_week WHERE week_start BETWEEN ? AND ? GROUP BY week_start", (year_from, year_to)),
    ("one week of v_week_stats with labels", 1.0,
     """SELECT m.name, c.label, s.persons, s.measures, s.hours_written_down FROM v_week_stats s
        JOIN v_municipality m ON m.komnr = s.komnr LEFT JOIN v_code c ON c.list = 'foranstalt' AND c.code = s.foranstalt
        WHERE s.week_start = ?""", (a.week,)),
    ("one person's whole v_person_week history", 0.05,
     "SELECT * FROM v_person_week WHERE cpr = ?", (person,)),
    ("one person's whole v_activity_week history", 0.05,
     "SELECT * FROM v_activity_week WHERE cpr = ?", (person,)),
]
print(f"warehouse {a.warehouse} ({os.path.getsize(a.warehouse) / 1e9:.2f} GB), week {a.week} ({iso})")
for label, bound, sql, args in queries:
    times, rows = [], 0
    for _ in range(3):
        t = time.perf_counter()
        rows = len(db.execute(sql, args).fetchall())
        times.append(time.perf_counter() - t)
    verdict = "within" if min(times) < bound else "OVER"
    print(f"  {label:<52} first {times[0]:7.3f} s, best {min(times):7.3f} s ({rows} rows; bound {bound:g} s: {verdict})")
