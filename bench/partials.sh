#!/usr/bin/env bash
# Map throughput per core beside `audit`'s, and the size of partial records per ticket, measured
# side by side in one run on the same synthetic tickets (every one audited: no rejects).
# Usage: bench/partials.sh [TICKETS] [ROUNDS]   (default: 50000 tickets, 3 rounds; best round kept)
# Prints CPU seconds per command at one thread, map ÷ audit, the partial's bytes per ticket and per
# input byte, and the time of combine and render; fails unless render gives audit's reports.
set -euo pipefail
cd "$(dirname "$0")/.."
tickets=${1:-50000}
rounds=${2:-3}

cargo build --release --quiet
bin=target/release/zhijian
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" synth --tickets "$tickets" --agents 200 --seed 1 -o "$work/tickets.jsonl"
input_bytes=$(stat -c %s "$work/tickets.jsonl")

best() { sort -n | head -1; }
timed() { # CPU seconds (user + system) of one run of the command: steadier than the wall
    # clock on a shared machine, and the same thing at one thread
    python3 - "$@" <<'PY'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_utime + usage.ru_stime)
PY
}
: >"$work/audit.s"; : >"$work/map.s"; : >"$work/combine.s"; : >"$work/render.s"
for _ in $(seq "$rounds"); do
    # Interleaved, so a change in machine load touches both alike.
    timed "$bin" audit --quiet --threads 1 --out "$work/audit" "$work/tickets.jsonl" >>"$work/audit.s"
    timed "$bin" map --quiet --threads 1 --out "$work/p.tsv" "$work/tickets.jsonl" >>"$work/map.s"
    timed "$bin" combine -o "$work/c.tsv" "$work/p.tsv" >>"$work/combine.s"
    timed "$bin" render --quiet --threads 1 --out "$work/render" "$work/c.tsv" >>"$work/render.s"
done
audited=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['counts']['audited'])" "$work/audit/manifest.json")
[ "$audited" = "$tickets" ] || { echo "audited $audited of $tickets tickets" >&2; exit 1; }
diff -r -x manifest.json "$work/audit" "$work/render" >/dev/null \
    || { echo "render's reports differ from audit's" >&2; exit 1; }

a=$(best <"$work/audit.s"); m=$(best <"$work/map.s"); c=$(best <"$work/combine.s"); r=$(best <"$work/render.s")
partial_bytes=$(stat -c %s "$work/p.tsv")
gzipped_bytes=$(gzip -1 -c "$work/p.tsv" | wc -c)
printf 'input: %d tickets, %.1f MB (%d bytes per ticket)\n' "$tickets" \
    "$(echo "$input_bytes / 1000000" | bc -l)" "$((input_bytes / tickets))"
printf 'audit   1 thread %7.2f s  %8.0f tickets/s\n' "$a" "$(echo "$tickets / $a" | bc -l)"
printf 'map     1 thread %7.2f s  %8.0f tickets/s  = %.2f x audit'"'"'s throughput\n' "$m" \
    "$(echo "$tickets / $m" | bc -l)" "$(echo "$a / $m" | bc -l)"
printf 'combine          %7.2f s\n' "$c"
printf 'render  1 thread %7.2f s\n' "$r"
printf 'partial records: %.1f MB = %d bytes per ticket = %.2f x the input\n' \
    "$(echo "$partial_bytes / 1000000" | bc -l)" "$((partial_bytes / tickets))" \
    "$(echo "$partial_bytes / $input_bytes" | bc -l)"
printf 'gzip -1: %d bytes per ticket\n' "$((gzipped_bytes / tickets))"
flagged=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['counts']['flagged'])" "$work/audit/manifest.json")
printf 'flagged tickets (each carries its conversation): %d of %d\n' "$flagged" "$tickets"
