#!/usr/bin/env bash
# Peak RSS of `zhijian audit` at two sizes of synthetic input and its growth per added ticket,
# ΔRSS ÷ Δtickets (issue #13's target: ≤ 100 B), with an older binary beside this one in the
# same run (interleaved, so machine load touches both alike; RSS barely depends on load).
# Usage: bench/memory.sh [--base OLD_BINARY] [--rounds R] [--threads T] [SMALL LARGE]
#        (default: 100000 and 1000000 tickets, 200 agents, 2 threads, 1 round; median of rounds)
# With --base it first checks that both binaries write the same reports (manifest.json's
# runtime aside) on 20,000 synthetic tickets at 1 and 2 threads, with --per-ticket, and with
# every ticket given twice (each second copy a duplicate-id reject); it fails if any differ.
set -euo pipefail
cd "$(dirname "$0")/.."
base="" rounds=1 threads=2 sizes=()
while [ $# -gt 0 ]; do
    case $1 in
        --base) base=$(realpath "$2"); shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        *) sizes+=("$1"); shift ;;
    esac
done
small=${sizes[0]:-100000}
large=${sizes[1]:-1000000}

cargo build --release --quiet
bin=$(realpath target/release/zhijian)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The report set without the run's own facts (start time, elapsed seconds, threads).
strip_runtime() {
    python3 - "$1" <<'PY'
import json, sys
path = sys.argv[1]
manifest = json.load(open(path))
manifest.pop("runtime")
json.dump(manifest, open(path, "w"), ensure_ascii=False, indent=1, sort_keys=True)
PY
}

if [ -n "$base" ]; then
    "$bin" synth --tickets 20000 --seed 1 -o "$work/same.jsonl"
    cp "$work/same.jsonl" "$work/same-copy.jsonl"
    cases=("1|same.jsonl" "2|same.jsonl" "2|same.jsonl --per-ticket" "1|same.jsonl same-copy.jsonl"
        "2|same.jsonl same-copy.jsonl")
    for case in "${cases[@]}"; do
        n=${case%%|*}
        read -r -a args <<<"${case#*|}"
        for who in base new; do
            exe=$bin
            [ "$who" = base ] && exe=$base
            rm -rf "$work/$who"
            (cd "$work" && "$exe" audit --quiet --threads "$n" --out "$who" "${args[@]}") ||
                [ $? = 3 ] # the duplicated input rejects half its lines: exit 3, reports written
            strip_runtime "$work/$who/manifest.json"
        done
        if ! diff -r "$work/base" "$work/new" >/dev/null; then
            echo "reports differ from the base binary's: --threads $n ${args[*]}" >&2
            diff -r "$work/base" "$work/new" | head -20 >&2
            exit 1
        fi
        echo "same reports as the base binary: --threads $n ${args[*]}"
    done
    rm -rf "$work/base" "$work/new" "$work"/same*.jsonl
fi

for n in "$small" "$large"; do
    "$bin" synth --tickets "$n" --agents 200 --seed 1 -o "$work/t$n.jsonl"
done

peak() { # peak RSS in KiB of one audit by binary $1 of $2 tickets
    python3 - "$1" "$work" "$2" "$threads" <<'PY'
import json, resource, shutil, subprocess, sys
binary, work, tickets, threads = sys.argv[1:5]
out = f"{work}/out"
shutil.rmtree(out, ignore_errors=True)
subprocess.run([binary, "audit", f"{work}/t{tickets}.jsonl", "--out", out,
                "--threads", threads, "--quiet"], check=True)
audited = json.load(open(f"{out}/manifest.json"))["counts"]["audited"]
if audited != int(tickets):
    sys.exit(f"audited {audited} of {tickets} tickets")
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

who=(new)
[ -n "$base" ] && who=(base new)
for _ in $(seq "$rounds"); do
    for n in "$small" "$large"; do
        for w in "${who[@]}"; do
            exe=$bin
            [ "$w" = base ] && exe=$base
            peak "$exe" "$n" >>"$work/$w-$n.kib"
        done
    done
done

printf 'peak RSS of zhijian audit --threads %s, synth --agents 200, median of %s round(s)\n' \
    "$threads" "$rounds"
printf '%-6s %14s %14s %22s\n' binary "$small tickets" "$large tickets" "growth per ticket"
for w in "${who[@]}"; do
    a=$(median <"$work/$w-$small.kib")
    b=$(median <"$work/$w-$large.kib")
    printf '%-6s %10.1f MiB %10.1f MiB %18.0f B\n' "$w" "$(echo "$a / 1024" | bc -l)" \
        "$(echo "$b / 1024" | bc -l)" "$(echo "($b - $a) * 1024 / ($large - $small)" | bc -l)"
done
