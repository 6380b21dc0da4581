#!/usr/bin/env bash
# Negative-sentiment accuracy on the labeled reviews in ../shared/data (internal data: never
# copied into the repo). Skips cleanly when that folder is absent, as in a user's clone.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/online_shopping_10_cats/online_shopping_10_cats.csv
if [ ! -f "$data" ]; then
    echo "sentiment_eval: $data not found, skipping"
    exit 0
fi
cargo run --release --quiet --example sentiment_eval -- "$data" lexicons
