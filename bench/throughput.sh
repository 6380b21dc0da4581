#!/usr/bin/env bash
# Throughput and memory of `zhijian audit` on synthetic tickets, 1 thread vs N.
# Usage: bench/throughput.sh [TICKETS] [THREADS...]   (default: 100000 tickets, threads 1 and nproc)
# Prints tickets/s, MB/s and peak RSS per run, and fails if any run audits a different count.
set -euo pipefail
cd "$(dirname "$0")/.."
tickets=${1:-100000}
shift || true
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 "$(nproc)")

cargo build --release --quiet
bin=target/release/zhijian
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" synth --tickets "$tickets" --agents 200 --seed 1 -o "$work/tickets.jsonl"
bytes=$(stat -c %s "$work/tickets.jsonl")
printf 'input: %d tickets, %.1f MB\n' "$tickets" "$(echo "$bytes / 1000000" | bc -l)"

for n in "${threads[@]}"; do
    start=$(date +%s.%N)
    # Peak RSS from the kernel's accounting of the child (KiB), without GNU time.
    python3 - "$bin" "$work" "$n" <<'PY' > "$work/rss"
import resource, subprocess, sys
binary, work, threads = sys.argv[1:4]
subprocess.run([binary, "audit", f"{work}/tickets.jsonl", "--out", f"{work}/out-{threads}",
                "--threads", threads, "--quiet"], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
    end=$(date +%s.%N)
    audited=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['counts']['audited'])" "$work/out-$n/manifest.json")
    if [ "$audited" != "$tickets" ]; then
        echo "threads=$n audited $audited of $tickets tickets" >&2
        exit 1
    fi
    secs=$(echo "$end - $start" | bc -l)
    printf 'threads=%-2s %6.2f s  %8.0f tickets/s  %6.2f MB/s  peak RSS %6.1f MiB\n' \
        "$n" "$secs" "$(echo "$tickets / $secs" | bc -l)" "$(echo "$bytes / 1000000 / $secs" | bc -l)" \
        "$(echo "$(cat "$work/rss") / 1024" | bc -l)"
done
