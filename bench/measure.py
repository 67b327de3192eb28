#!/usr/bin/env python3
"""Run a command and report its wall time and peak RSS.

    measure.py -o OUT.json -- CMD [ARG...]     run CMD, write the result
    measure.py --parse-time TIME_V_OUTPUT -o OUT.json
                                               convert `/usr/bin/time -v` output

The result is JSON: {"wall_s": float, "maxrss_kb": int, "rc": int}.
Peak RSS comes from getrusage(RUSAGE_CHILDREN).ru_maxrss, i.e. the largest
resident set of any waited-for descendant (what GNU time -v reports too).
Stdlib only; used by bench/run.sh when /usr/bin/time is missing.
"""

import json
import re
import resource
import subprocess
import sys
import time


def parse_time_v(text):
    wall = rss = rc = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            v = line.rsplit(": ", 1)[1].strip()
            parts = [float(p) for p in v.split(":")]
            wall = 0.0
            for p in parts:
                wall = wall * 60 + p
        elif line.startswith("Maximum resident set size"):
            rss = int(line.rsplit(":", 1)[1])
        elif line.startswith("Exit status"):
            rc = int(line.rsplit(":", 1)[1])
        elif line.startswith("Command terminated by signal"):
            rc = 128 + int(re.findall(r"\d+", line)[-1])
    return {"wall_s": wall, "maxrss_kb": rss, "rc": 0 if rc is None else rc}


def main():
    args = sys.argv[1:]
    out = None
    if "-o" in args[:3]:
        i = args.index("-o")
        out = args[i + 1]
        del args[i:i + 2]
    if args and args[0] == "--parse-time":
        with open(args[1]) as f:
            res = parse_time_v(f.read())
    else:
        if args and args[0] == "--":
            args = args[1:]
        if not args:
            sys.exit("usage: measure.py -o OUT.json -- CMD [ARG...]")
        t0 = time.perf_counter()
        rc = subprocess.call(args)
        if rc < 0:  # killed by a signal: report it as a shell would
            rc = 128 - rc
        wall = time.perf_counter() - t0
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        res = {"wall_s": round(wall, 3), "maxrss_kb": ru.ru_maxrss, "rc": rc}
    text = json.dumps(res)
    if out:
        with open(out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
    sys.exit(0)


if __name__ == "__main__":
    main()
