#!/usr/bin/env bash
# Per-turn flag precision and recall on the hand-labeled JDDC chat turns (bench/labels/, ids
# and labels only; the text is read from ../shared/data, internal data never copied into the
# repo). Skips cleanly when that folder is absent, as in a user's clone.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/jddc2019-chat-sample/chat_0.1per.txt
if [ ! -f "$data" ]; then
    echo "chat_eval: $data not found, skipping"
    exit 0
fi
cargo run --release --quiet --example chat_eval -- "$data" bench/labels "$@"
