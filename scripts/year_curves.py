#!/usr/bin/env python3
"""The year benchmark's figures and curves (scripts/bench-year.sh writes the input: one JSON line
a Friday). Prints a table per Friday, then the issue's two questions:

- does the weekly run's cost grow with history? The CPU of the last weekly run against the
  second Friday's (the first weekly run), raw and by a least-squares line over every weekly run
  (one Friday's figure moves with the machine's load and that Friday's events, the line less so);
- the same per million activation records delivered that Friday (with --manifest: the
  generator's dataset grows, new measures outnumbering removed ones, and a larger dataset costs
  more to read whatever the history);
- does the warehouse grow with the change? Bytes the warehouse grew per version that changed
  (new versions + measures removed).

Draws the curves as one SVG (no plotting library needed): CPU per stage, wall and peak memory,
warehouse and archive size.

    python3 scripts/year_curves.py year.jsonl [--manifest inbox/manifest.json] [--svg year.svg]
"""
import argparse, json, sys

# "other": the report (which writes run.json, so is not in it), starting and the smaller stages.
STAGES = ["parse → validate → load", "write-down", "reconcile", "other"]


def load(path):
    return [json.loads(l) for l in open(path) if l.strip()]


def stage_cpu(row, prefix):
    """CPU of the stage (0 where the run had none: a run with nothing new skips the load)."""
    if prefix == "other":
        return row["run"]["cpu"] - sum(v["cpu"] or 0 for v in row["stages"].values())
    return (row["stages"].get(prefix) or {}).get("cpu") or 0


def delivered(manifest):
    """Activation records delivered per Friday (late files included), from the generator's manifest."""
    m = json.load(open(manifest))
    out = {d: 0 for d in m["fridays"]}
    for name, e in m["files"].items():
        parts = name.split("/")
        if "AMFORA_" in parts[-1]:
            out[parts[-2]] = out.get(parts[-2], 0) + e["records"]
    return out


def fit(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    return my - b * mx, b


def table(rows):
    print(f"{'Friday':>6} {'date':<10} {'wall s':>7} {'CPU s':>7} " + " ".join(f"{s.split(' ')[0][:10]:>10}" for s in STAGES)
          + f" {'peak MB':>8} {'wareh. MB':>9} {'archive MB':>10} {'new v.':>8} {'removed':>8}  events")
    for r in rows:
        ev = []
        if r["late"]:
            ev.append(f"{len(r['late'])} late, rerun {sum(x['wall'] for x in r['reruns']):.1f} s")
        ev += [s for s in r["states"] if s not in ("loaded",)]
        print(f"{r['friday']:>6} {r['date']:<10} {r['run']['wall']:7.1f} {r['run']['cpu']:7.1f} "
              + " ".join(f"{stage_cpu(r, s):10.1f}" for s in STAGES)
              + f" {r['run']['rss_mb']:8.0f} {r['warehouse_bytes'] / 1e6:9.0f} {r['archive_bytes'] / 1e6:10.0f}"
              f" {r['new_versions']:8} {r['removed']:8}  {', '.join(ev)}")


def summary(rows):
    weekly = rows[1:]
    if len(weekly) < 2:
        return
    xs = [r["friday"] for r in weekly]
    cpu = [r["run"]["cpu"] for r in weekly]
    a, b = fit(xs, cpu)
    first, last = weekly[0], weekly[-1]
    print(f"\nweekly run CPU: Friday {first['friday']} {first['run']['cpu']:.1f} s, Friday {last['friday']} {last['run']['cpu']:.1f} s "
          f"= {last['run']['cpu'] / first['run']['cpu']:.3f} × (target at most 1.05 ×)")
    print(f"least-squares over Fridays {xs[0]}–{xs[-1]}: {a + b * xs[0]:.2f} → {a + b * xs[-1]:.2f} s, "
          f"{b * 1000:+.1f} ms a Friday = {(a + b * xs[-1]) / (a + b * xs[0]):.3f} ×")
    if all("delivered" in r for r in weekly):
        per = [r["run"]["cpu"] / r["delivered"] * 1e6 for r in weekly]
        pa, pb = fit(xs, per)
        print(f"per million activation records delivered: Friday {first['friday']} {per[0]:.2f} s ({first['delivered']:,} records), "
              f"Friday {last['friday']} {per[-1]:.2f} s ({last['delivered']:,}) = {per[-1] / per[0]:.3f} ×; "
              f"least-squares {pa + pb * xs[0]:.2f} → {pa + pb * xs[-1]:.2f} s = {(pa + pb * xs[-1]) / (pa + pb * xs[0]):.3f} ×")
    for s in STAGES:
        ys = [stage_cpu(r, s) for r in weekly]
        sa, sb = fit(xs, ys)
        print(f"    {s:<22} {sa + sb * xs[0]:6.2f} → {sa + sb * xs[-1]:6.2f} s CPU ({sb * 1000:+.1f} ms a Friday)")
    grown = last["warehouse_bytes"] - first["warehouse_bytes"]
    changed = sum(r["new_versions"] + r["removed"] for r in weekly[1:])
    print(f"warehouse: {first['warehouse_bytes'] / 1e6:.0f} MB after Friday {first['friday']}, {last['warehouse_bytes'] / 1e6:.0f} MB after "
          f"Friday {last['friday']}: {grown / 1e6:.0f} MB for {changed:,} changed versions = {grown / max(changed, 1):.0f} bytes a changed version")
    print(f"archive: {last['archive_bytes'] / 1e6:.0f} MB after Friday {last['friday']} (largest {max(r['archive_bytes'] for r in rows) / 1e6:.0f} MB)")
    print(f"peak memory: largest {max(r['run']['rss_mb'] for r in weekly):.0f} MB, weekly runs median "
          f"{sorted(r['run']['rss_mb'] for r in weekly)[len(weekly) // 2]:.0f} MB")
    mbs = sorted(r["inbox_bytes"] / 1e6 / r["run"]["wall"] for r in weekly)
    line = f"weekly runs' throughput: median {mbs[len(mbs) // 2]:.0f} MB/s of the Friday's inbox"
    if all("delivered" in r for r in weekly):
        rps = sorted(r["delivered"] / r["run"]["wall"] for r in weekly)
        line += f", {rps[len(rps) // 2]:,.0f} activation records/s"
    print(line)
    m = [r["maintain"] for r in weekly if r["maintain"]]
    if m:
        print(f"maintain: median {sorted(x['wall'] for x in m)[len(m) // 2]:.1f} s, longest {max(x['wall'] for x in m):.1f} s")


def svg(rows, path):
    W, H, pad = 760, 220, 48
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    def panel(y0, title, series, unit):
        top = max(max(ys) for _, ys in series) * 1.1 or 1
        xs = [r["friday"] for r in rows]
        lo, hi = min(xs), max(xs)
        px = lambda x: pad + (x - lo) / max(hi - lo, 1) * (W - 2 * pad)
        py = lambda y: y0 + H - pad + 10 - y / top * (H - pad - 20)
        out = [f'<text x="{pad}" y="{y0 + 16}" font-weight="bold">{title}</text>',
               f'<line x1="{pad}" y1="{py(0)}" x2="{W - pad}" y2="{py(0)}" stroke="#999"/>',
               f'<line x1="{pad}" y1="{py(0)}" x2="{pad}" y2="{py(top)}" stroke="#999"/>']
        for k in range(5):
            v = top * k / 4
            out.append(f'<text x="{pad - 4}" y="{py(v) + 4}" text-anchor="end" font-size="10">{v:.0f}</text>')
        for x in range(lo, hi + 1, max(1, (hi - lo) // 13)):
            out.append(f'<text x="{px(x)}" y="{py(0) + 14}" text-anchor="middle" font-size="10">{x}</text>')
        for n, (label, ys) in enumerate(series):
            c = colours[n % len(colours)]
            pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys))
            out.append(f'<polyline fill="none" stroke="{c}" stroke-width="1.5" points="{pts}"/>')
            out.append(f'<text x="{W - pad - 146}" y="{y0 + 16 + 13 * n}" fill="{c}" font-size="11">{label}</text>')
        out.append(f'<text x="{W / 2}" y="{py(0) + 28}" text-anchor="middle" font-size="10">Friday ({unit})</text>')
        return out

    body = panel(0, "CPU seconds per Friday", [("run", [r["run"]["cpu"] for r in rows])]
                 + [(s, [stage_cpu(r, s) for r in rows]) for s in STAGES], "CPU s")
    body += panel(H, "Wall seconds and peak memory per Friday", [("wall s", [r["run"]["wall"] for r in rows]),
                                                                   ("peak GB × 10", [r["run"]["rss_mb"] / 102.4 for r in rows])], "s")
    body += panel(2 * H, "Warehouse and archive (MB)", [("warehouse", [r["warehouse_bytes"] / 1e6 for r in rows]),
                                                          ("archive", [r["archive_bytes"] / 1e6 for r in rows])], "MB")
    doc = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{3 * H}" font-family="sans-serif" font-size="12">'
           f'<rect width="100%" height="100%" fill="white"/>' + "".join(body) + "</svg>\n")
    open(path, "w").write(doc)
    print(f"curves: {path}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("log")
    p.add_argument("--svg")
    p.add_argument("--manifest")
    a = p.parse_args()
    rows = load(a.log)
    if a.manifest:
        counts = delivered(a.manifest)
        for r in rows:
            r["delivered"] = counts.get(r["date"], 0)
    if not rows:
        sys.exit(f"{a.log}: no Fridays")
    table(rows)
    summary(rows)
    if a.svg:
        svg(rows, a.svg)


if __name__ == "__main__":
    main()
