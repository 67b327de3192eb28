#!/usr/bin/env python3
"""Run a command and report its wall time and peak RSS.

    measure.py -o OUT.json -- CMD [ARG...]
        run CMD, write the result
    measure.py -o OUT.json --stat0 F0 --stat1 F1 --parse-time TIME_V_OUTPUT
        convert `/usr/bin/time -v` output; F0/F1 hold the first line of
        /proc/stat saved just before and after that run
    measure.py --wait-idle SECONDS
        wait (at most SECONDS) until other processes use < 0.25 cores

The result is JSON: {"wall_s", "maxrss_kb", "rc", "cpu_s", "other_cores"}.
Peak RSS comes from getrusage(RUSAGE_CHILDREN).ru_maxrss, i.e. the largest
resident set of any waited-for descendant (what GNU time -v reports too; this
fallback's floor is ~14 MB, the forked Python before exec). cpu_s is the
command's user+system time; other_cores is the average number of cores the
rest of the machine kept busy meanwhile (from /proc/stat), to flag runs
disturbed by other work. Stdlib only; bench/run.sh uses the run mode when
/usr/bin/time is missing.
"""

import json
import os
import resource
import subprocess
import sys
import time


def parse_time_v(text):
    wall = rss = rc = None
    cpu = 0.0
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            v = line.rsplit(": ", 1)[1].strip()
            wall = 0.0
            for p in v.split(":"):
                wall = wall * 60 + float(p)
        elif line.startswith("Maximum resident set size"):
            rss = int(line.rsplit(":", 1)[1])
        elif line.startswith(("User time (seconds)", "System time (seconds)")):
            cpu += float(line.rsplit(":", 1)[1])
        elif line.startswith("Exit status"):
            rc = int(line.rsplit(":", 1)[1])
        elif line.startswith("Command terminated by signal"):
            rc = 128 + int(line.split()[-1])
    return {"wall_s": wall, "maxrss_kb": rss, "rc": 0 if rc is None else rc, "cpu_s": round(cpu, 2)}


def busy_seconds(line):
    """CPU-seconds all CPUs spent busy, from the 'cpu' line of /proc/stat."""
    v = [int(x) for x in line.split()[1:9]]
    idle = v[3] + v[4]  # idle + iowait
    return (sum(v) - idle) / float(os.sysconf("SC_CLK_TCK"))


def proc_stat():
    try:
        with open("/proc/stat") as f:
            return f.readline()
    except OSError:
        return None


def add_other(res, s0, s1):
    if s0 and s1 and res.get("wall_s"):
        other = busy_seconds(s1) - busy_seconds(s0) - (res.get("cpu_s") or 0.0)
        res["other_cores"] = round(max(other, 0.0) / res["wall_s"], 2)


def wait_idle(limit, threshold=0.25, window=3.0):
    """Wait up to limit seconds for the machine to be idle (busy < threshold
    cores over a window). Returns the last busy figure."""
    end = time.monotonic() + limit
    while True:
        s0 = proc_stat()
        if s0 is None:
            return 0.0
        time.sleep(window)
        busy = (busy_seconds(proc_stat()) - busy_seconds(s0)) / window
        if busy < threshold or time.monotonic() >= end:
            return busy
        print("bench: machine busy (%.1f cores used by others), waiting" % busy, file=sys.stderr)


def main():
    args = sys.argv[1:]
    if args[:1] == ["--wait-idle"]:
        busy = wait_idle(float(args[1]))
        if busy >= 0.25:
            print("bench: still busy (%.1f cores) after %s s, measuring anyway" % (busy, args[1]), file=sys.stderr)
        return
    opts = {}
    while args and args[0] in ("-o", "--stat0", "--stat1", "--parse-time"):
        opts[args[0]] = args[1]
        del args[:2]
    if "--parse-time" in opts:
        with open(opts["--parse-time"]) as f:
            res = parse_time_v(f.read())
        s0 = s1 = None
        if "--stat0" in opts and "--stat1" in opts:
            with open(opts["--stat0"]) as f:
                s0 = f.readline()
            with open(opts["--stat1"]) as f:
                s1 = f.readline()
        add_other(res, s0, s1)
    else:
        if args and args[0] == "--":
            args = args[1:]
        if not args:
            sys.exit("usage: measure.py -o OUT.json -- CMD [ARG...]")
        s0 = proc_stat()
        t0 = time.perf_counter()
        rc = subprocess.call(args)
        wall = time.perf_counter() - t0
        s1 = proc_stat()
        if rc < 0:  # killed by a signal: report it as a shell would
            rc = 128 - rc
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        res = {"wall_s": round(wall, 3), "maxrss_kb": ru.ru_maxrss, "rc": rc,
               "cpu_s": round(ru.ru_utime + ru.ru_stime, 2)}
        add_other(res, s0, s1)
    text = json.dumps(res)
    if "-o" in opts:
        with open(opts["-o"], "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
