#!/usr/bin/env bash
# Negative-sentiment accuracy on the labeled reviews (prints the table; fails only if the
# rules stop beating a plain keyword count).
set -euo pipefail
exec "$(dirname "$0")/../../bench/sentiment_eval.sh"
