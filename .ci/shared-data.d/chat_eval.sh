#!/usr/bin/env bash
# Per-turn flag precision and recall on the hand-labeled JDDC turns (prints the table; fails if
# complaint detection regresses below the previous release).
set -euo pipefail
exec "$(dirname "$0")/../../bench/chat_eval.sh"
