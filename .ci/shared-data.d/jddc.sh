#!/usr/bin/env bash
# Real data: audit the JDDC 2019 chat sample (TSV, one message per row, no header) directly,
# with the mapping the README documents, and check invariant 1 on it: every one of its 994
# sessions audited, and rows = audited_lines + rejected. Run by .ci/run only when
# ../shared/data exists; skips cleanly when the sample is absent. Never copies the data.
set -euo pipefail
cd "$(dirname "$0")/../.."
input=../shared/data/jddc2019-chat-sample/chat_0.1per.txt
if [ ! -f "$input" ]; then
    echo "jddc: $input absent, skipping"
    exit 0
fi
lexicons=lexicons
[ -d "$lexicons" ] || lexicons=tests/fixtures/lexicons
out=$(mktemp -d)/jddc-out
trap 'rm -rf "$(dirname "$out")"' EXIT
cargo run --release --locked --quiet -- audit "$input" --mapping samples/jddc.mapping \
    --lexicons "$lexicons" --out "$out"
# The manifest is pretty-printed, one key a line; read the counts without extra tools.
count() { sed -n '/"counts"/,$p' "$out/manifest.json" | grep -m1 -o "\"$1\": [0-9]*" | grep -o '[0-9]*$'; }
lines=$(count lines) audited_lines=$(count audited_lines) rejected=$(count rejected)
audited=$(count audited)
echo "jddc: $lines rows = $audited_lines audited + $rejected rejected; $audited sessions audited"
[ "$audited" -eq 994 ] || { echo "jddc: expected 994 sessions audited" >&2; exit 1; }
[ "$lines" -eq $((audited_lines + rejected)) ] || { echo "jddc: rows unbalanced" >&2; exit 1; }
