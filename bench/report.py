#!/usr/bin/env python3
"""Bookkeeping for bench/run.sh (stdlib only).

    report.py check-marker MARKER EVENTS SEED GEN_PY
        exit 0 if MARKER describes a complete export made by this GEN_PY
    report.py record --tool T --label L --measure M.json [M2.json...] --out R.json
                     [--sqlite-count DB SQL | --log-count LOG] [--store FILE...]
                     [--log LOG]
        combine one measured run into a result file
    report.py skip --tool T --label L --out R.json --note TEXT
    report.py table --results DIR --marker MARKER --expected N --fresh T1,T2,..
        print the markdown report; exit 1 if a fresh run failed validation
"""

import argparse
import glob
import hashlib
import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import time

ORDER = ["zcat", "trailsift", "python", "duckdb"]
TARGET_PY = 5.0      # trailsift events/s >= 5x Python
TARGET_DUCK = 1.0    # trailsift events/s > DuckDB
TARGET_RSS_MB = 256  # trailsift peak RSS < 256 MB (MiB)
BUSY_CORES = 0.25    # other work above this (average cores) makes a run suspect


def check_marker(a):
    try:
        with open(a.marker) as f:
            m = json.load(f)
        with open(a.gen_py, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
    except (OSError, ValueError):
        return 1
    ok = (m.get("events") == int(a.events) and str(m.get("seed")) == str(a.seed)
          and m.get("gen_sha256") == sha and m.get("uncompressed_bytes"))
    return 0 if ok else 1


def _tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()[-n:]
    except OSError:
        return []


def record(a):
    runs = []
    for path in a.measure:
        with open(path) as f:
            runs.append(json.load(f))
    walls = sorted(r["wall_s"] for r in runs if r.get("wall_s") is not None)
    rcs = [r.get("rc") for r in runs if r.get("rc")]
    m = {"rc": rcs[0] if rcs else 0}
    res = {"tool": a.tool, "label": a.label,
           "wall_s": statistics.median(walls) if walls else None,
           "walls": [r.get("wall_s") for r in runs],
           "maxrss_kb": max((r.get("maxrss_kb") or 0) for r in runs) or None,
           "rc": m["rc"], "events": None, "store_bytes": None, "note": "",
           "cpu_s": [r.get("cpu_s") for r in runs],
           "other_cores": [r.get("other_cores") for r in runs],
           "when": time.strftime("%Y-%m-%d %H:%M")}
    if a.sqlite_count and m.get("rc") == 0:
        db, sql = a.sqlite_count
        try:
            con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
            res["events"] = con.execute(sql).fetchone()[0]
            con.close()
        except sqlite3.Error as e:
            res["note"] = "count failed: %s" % e
    if a.log_count and m.get("rc") == 0:
        for line in _tail(a.log_count, 50):
            mm = re.search(r"(\d+) events", line)
            if mm:
                res["events"] = int(mm.group(1))
                mv = re.search(r"\((DuckDB [^,]+), mode=(\w+)", line)
                if mv:
                    res["version"] = mv.group(1)
                    res["mode"] = mv.group(2)
    if a.store:
        res["store_bytes"] = sum(os.path.getsize(p) for p in a.store if os.path.isfile(p))
    if m.get("rc") != 0:
        res["note"] = "exit status %s; log tail:\n%s" % (
            m.get("rc"), "\n".join(_tail(a.log or "", 15)) or "(empty log)")
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    return 0


def skip(a):
    with open(a.out, "w") as f:
        json.dump({"tool": a.tool, "label": a.label, "skipped": True, "note": a.note,
                   "when": time.strftime("%Y-%m-%d %H:%M")}, f, indent=1)
    return 0


def _cmd_version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return None


def _cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _mem_gib():
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        return "%.0f GiB" % (kb / 2 ** 20)
    except (OSError, ValueError, IndexError):
        return "?"


def fmt_int(v):
    return "{:,}".format(int(round(v)))


def table(a):
    with open(a.marker) as f:
        mk = json.load(f)
    fresh = set(t for t in a.fresh.split(",") if t)
    expected = int(a.expected)
    ub = mk["uncompressed_bytes"]
    results = {}
    for p in glob.glob(os.path.join(a.results, "*.json")):
        with open(p) as f:
            r = json.load(f)
        results[r["tool"]] = r
    failed = []
    print()
    print("### Ingest benchmark: %s events" % fmt_int(expected))
    print()
    print("Export: %s files, %.1f MB gzip, %.1f MB JSON (%s B/record avg), seed %s. "
          "Machine: %d cores (%s), %s RAM; %s; Python %s, SQLite %s%s." % (
              fmt_int(mk["files"]), mk["compressed_bytes"] / 1e6, ub / 1e6, fmt_int(ub / mk["events"]),
              mk["seed"], os.cpu_count() or 0, _cpu(), _mem_gib(), platform.platform(terse=True),
              platform.python_version(), sqlite3.sqlite_version,
              "; Node %s, %s" % (_cmd_version(["node", "--version"]), results["duckdb"]["version"])
              if results.get("duckdb", {}).get("version") else ""))
    print()
    print("| tool | wall s | events/s | MB/s (JSON) | peak RSS MB | store MB | events loaded | check |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    rate = {}
    notes = []
    for t in ORDER:
        r = results.get(t)
        if not r:
            continue
        label = r["label"]
        if t not in fresh:
            label += " (cached %s)" % r.get("when", "?")
        if r.get("skipped"):
            print("| %s | - | - | - | - | - | - | skipped |" % label)
            notes.append("%s: %s" % (r["label"], r["note"]))
            continue
        wall = r["wall_s"] or 0.0
        ok = r["rc"] == 0
        if t == "zcat":
            check = "ok" if ok else "FAIL (exit %s)" % r["rc"]
            loaded = "-"
        else:
            loaded = fmt_int(r["events"]) if r.get("events") is not None else "?"
            if not ok:
                check = "FAIL (exit %s)" % r["rc"]
            elif r.get("events") == expected:
                check = "ok"
            else:
                check = "FAIL (want %s)" % fmt_int(expected)
        if check != "ok" and t in fresh:
            failed.append(t)
        if r.get("note"):
            notes.append("%s: %s" % (r["label"], r["note"]))
        eps = expected / wall if wall > 0 else 0.0
        if check == "ok":
            rate[t] = eps
        store = "%.0f" % (r["store_bytes"] / 1e6) if r.get("store_bytes") else "-"
        rss = "%.0f" % (r["maxrss_kb"] / 1024.0) if r.get("maxrss_kb") else "?"
        if not ok:
            print("| %s | - | - | - | %s | - | - | %s |" % (label, rss, check))
            continue
        walls = [w for w in r.get("walls") or [] if w is not None]
        wcell = "%.2f" % wall
        if len(walls) > 1:
            wcell += " (%.2f-%.2f)" % (min(walls), max(walls))
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, wcell, fmt_int(eps) if wall > 0 else "-", "%.0f" % (ub / 1e6 / wall) if wall > 0 else "-",
            rss, store, loaded, check))
    print()
    reps = max(len(r.get("walls") or []) for r in results.values())
    print("events/s and MB/s use wall time%s; MB/s counts uncompressed JSON (10^6 B); "
          "RSS is the peak resident set (MiB) of the process tree; store is the database on disk." % (
              " (median of %d runs, range in brackets)" % reps if reps > 1 else ""))
    print()
    print("| target | measured | goal | result |")
    print("|---|---:|---:|---|")
    ts = results.get("trailsift")
    ts_ok = "trailsift" in rate

    def line(name, val, goal, passed):
        print("| %s | %s | %s | %s |" % (name, val, goal, passed))

    for other, goal, key in (("python", TARGET_PY, "Python"), ("duckdb", TARGET_DUCK, "DuckDB")):
        g = (">= %gx" % goal) if other == "python" else ("> %gx" % goal)
        if ts_ok and other in rate:
            x = rate["trailsift"] / rate[other]
            passed = x >= goal if other == "python" else x > goal
            line("trailsift events/s vs %s" % key, "%.2fx" % x, g, "PASS" if passed else "MISS")
        else:
            who = "trailsift" if not ts_ok else other
            why = "failed" if results.get(who) and not results[who].get("skipped") else "not measured"
            line("trailsift events/s vs %s" % key, "n/a", g, "n/a (%s %s)" % (who, why))
    if ts and not ts.get("skipped") and ts.get("maxrss_kb"):
        mb = ts["maxrss_kb"] / 1024.0
        line("trailsift peak RSS", "%.0f MB" % mb, "< %d MB" % TARGET_RSS_MB,
             "PASS" if mb < TARGET_RSS_MB and ts_ok else ("MISS" if ts_ok else "n/a (run failed)"))
    else:
        line("trailsift peak RSS", "n/a", "< %d MB" % TARGET_RSS_MB, "n/a (trailsift not measured)")
    busy = []
    for t in ORDER:
        r = results.get(t)
        if r and not r.get("skipped"):
            oc = [x for x in r.get("other_cores") or [] if x is not None]
            if oc and max(oc) > BUSY_CORES:
                busy.append("%s %s" % (r["label"], "/".join("%.1f" % x for x in oc)))
    if busy:
        print()
        print("WARNING: other processes kept the machine busy during some runs (average cores used "
              "by others, per run): %s. Those timings are not reliable; rerun on an idle machine." % "; ".join(busy))
    if "zcat" in rate and ts_ok:
        print()
        print("trailsift wall time is %.2fx the single-stream inflate floor (zcat)." % (
            rate["zcat"] / rate["trailsift"]))
    if notes:
        print()
        for n in notes:
            print("- " + n.replace("\n", "\n    "))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("check-marker")
    p.add_argument("marker"); p.add_argument("events"); p.add_argument("seed"); p.add_argument("gen_py")
    p = sub.add_parser("record")
    p.add_argument("--tool", required=True); p.add_argument("--label", required=True)
    p.add_argument("--measure", required=True, nargs="+"); p.add_argument("--out", required=True)
    p.add_argument("--sqlite-count", nargs=2, metavar=("DB", "SQL"))
    p.add_argument("--log-count")
    p.add_argument("--log")
    p.add_argument("--store", nargs="*")
    p = sub.add_parser("skip")
    p.add_argument("--tool", required=True); p.add_argument("--label", required=True)
    p.add_argument("--out", required=True); p.add_argument("--note", required=True)
    p = sub.add_parser("table")
    p.add_argument("--results", required=True); p.add_argument("--marker", required=True)
    p.add_argument("--expected", required=True); p.add_argument("--fresh", default="")
    a = ap.parse_args()
    sys.exit({"check-marker": check_marker, "record": record, "skip": skip, "table": table}[a.cmd](a))


if __name__ == "__main__":
    main()
