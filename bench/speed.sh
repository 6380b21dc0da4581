#!/usr/bin/env bash
# Issue 13's speed table in one run (bench/speed.py does the work; see docs/speed.md):
#   1. 1-thread MB/s of message text ÷ jieba-rs `cut` (HMM) alone over the same text, on real
#      JDDC chat (../shared/data, internal use; rows skipped when it is absent), every ticket id
#      unique and every line audited (checked in the manifest);
#   2. the 1 → 2 thread speed-up on the same input;
#   3. a Python peer (jieba + pyahocorasick, 2 processes, the same lexicons) in a throwaway
#      virtualenv (row skipped when pip cannot install them);
#   4. peak RSS growth per added ticket, 100k → BIG synthetic tickets, 2 threads;
#   5. BIG synthetic tickets at 2 threads;
#   6. 5,000 agents: the share of the run spent writing agent pages;
#   7. instructions executed by the 1-thread real-chat audit (valgrind's callgrind; skipped
#      without valgrind): a count a busy machine does not disturb, for comparing two binaries.
# Repetitions are interleaved and medians reported. Usage: bench/speed.sh [options of speed.py]
#   --reps N (3)  --copies N (8)  --big N (1000000)  --agent-tickets N (100000)
#   --base PATH   another zhijian binary measured alongside (before → after in one run)
#   --only real|peer|memory|agents|instructions   (repeatable; default all)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet --bin zhijian --example jieba_floor
exec python3 bench/speed.py --bin target/release/zhijian \
    --floor target/release/examples/jieba_floor --lexicons lexicons "$@"
