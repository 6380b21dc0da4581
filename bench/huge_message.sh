#!/usr/bin/env bash
# Time and peak memory of one ticket whose agent message is ~47 MB dense with lexicon hits:
# the matcher, scoring and evidence must stay linear in the message length.
# Usage: bench/huge_message.sh [MEGABYTES]   (default 47)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-47}
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$mb" > "$work/big.jsonl" <<'PY'
import json, sys
phrase = '亲，您好，这个质量太差了，不满意，你自己看吧，加微信聊，'
text = phrase * int(float(sys.argv[1]) * 1e6 / len(phrase.encode()))
print(json.dumps({"ticket_id": "BIG", "agent_id": "A1", "messages": [
    {"role": "customer", "text": "在吗"}, {"role": "agent", "text": text}]}, ensure_ascii=False))
PY
printf 'input: %s bytes in one line\n' "$(stat -c %s "$work/big.jsonl")"
python3 - "$work" <<'PY'
import resource, subprocess, sys, time
work = sys.argv[1]
start = time.time()
subprocess.run(["target/release/zhijian", "audit", f"{work}/big.jsonl", "--out", f"{work}/out", "--quiet"], check=True)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{time.time() - start:.2f} s, peak RSS {rss:.0f} MiB")
PY
