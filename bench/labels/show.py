#!/usr/bin/env python3
"""Print sampled turns in context for (re-)labeling: two turns before, the turn, one after.

Usage:
    python3 bench/labels/show.py DATA SAMPLE_TSV [START [END]]

SAMPLE_TSV has columns session_id, message, ... (a header line first); only the first two
columns are read, so labels in later columns are never shown. Rows START..END-1 (0-based,
header not counted) are printed. Text goes to the terminal only; nothing is written.
Exits 0 with a note when DATA is absent.
"""
import os
import sys


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    data, sample = argv[1], argv[2]
    if not os.path.isfile(data):
        print(f"show.py: {data} not found; skipping")
        return 0
    sessions = {}
    with open(data, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 7:
                sessions.setdefault(p[0], []).append((p[2], "\t".join(p[6:])))
    with open(sample, encoding="utf-8") as f:
        rows = [l.rstrip("\n").split("\t") for l in f][1:]
    start = int(argv[3]) if len(argv) > 3 else 0
    end = int(argv[4]) if len(argv) > 4 else len(rows)
    who = {"0": "C", "1": "A"}
    for n in range(start, min(end, len(rows))):
        sid, idx = rows[n][0], int(rows[n][1])
        turns = sessions[sid]
        print(f"=== #{n} {sid[:8]} m{idx}")
        for j in range(max(0, idx - 2), min(len(turns), idx + 2)):
            mark = ">>" if j == idx else "  "
            print(f"{mark} {who.get(turns[j][0], '?')}: {turns[j][1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
