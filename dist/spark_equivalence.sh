#!/usr/bin/env bash
# Spark equivalence: a generated corpus audited by one `zhijian audit` process, and through
# Spark SQL (`SELECT TRANSFORM ... USING 'zhijian map --rows'`, then `zhijian combine` over
# `DISTRIBUTE BY key`, then `zhijian render`) in several partitionings, must give the same report
# directory byte for byte. Only manifest.json's run-specific fields may differ: `runtime`, and
# each input's `bytes` and `sha256` (a shard never sees a whole file). Exit 1 on any difference.
#
#   dist/spark_equivalence.sh [ZHIJIAN_BINARY]      (default target/release/zhijian)
#
# Needs python3 and Java 17 (installed from Debian's openjdk-17-jre-headless when missing and
# run as root); pyspark goes into a virtualenv kept in target/spark-venv, so only the first run
# downloads it. ZHIJIAN_SPARK_MASTER overrides the master (default local-cluster[2,1,1024]:
# two executor JVMs that fetch the binary like a cluster's executors do; local[2] also works).
# ZHIJIAN_SPARK_KEEP=1 keeps the work directory (corpus, reports, Spark log) and prints it.
# docs/spark.md explains what is checked and how to run the same job on a cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
started=$(date +%s)
PYSPARK_VERSION=3.5.3
master=${ZHIJIAN_SPARK_MASTER:-local-cluster[2,1,1024]}
partitionings=(as_read one random3 hash7 dupsplit4)

say() { echo "spark-equivalence: $*"; }
fail() { echo "spark-equivalence: FAILED: $*" >&2; exit 1; }

# --- the binary -------------------------------------------------------------------------------
bin=${1:-target/release/zhijian}
if [ ! -x "$bin" ]; then
    [ "$bin" = target/release/zhijian ] || fail "$bin is not an executable file"
    say "building target/release/zhijian"
    cargo build --release --locked
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

# --- Java 17 ----------------------------------------------------------------------------------
java_major() { # 0 when there is no java or its version does not read
    local major
    major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
    echo "${major:-0}"
}
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing openjdk-17-jre-headless (Spark 3.5 needs Java 17 here)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless </dev/null
        for candidate in /usr/lib/jvm/java-17-openjdk-*/bin; do
            [ -x "$candidate/java" ] && export PATH="$candidate:$PATH"
        done
    else
        fail "Java 17 or newer is needed (java not found or older); as root with apt-get this" \
             "script installs openjdk-17-jre-headless"
    fi
fi
[ "$(java_major)" -ge 17 ] || fail "java is version $(java_major), Spark here needs 17 or newer"
JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
export JAVA_HOME

# --- pyspark in a throwaway virtualenv, kept between runs -------------------------------------
venv=$repo/target/spark-venv
if ! "$venv/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" \
        >/dev/null 2>&1; then
    say "installing pyspark==$PYSPARK_VERSION into $venv"
    rm -rf "$venv"
    if ! python3 -m venv "$venv" 2>/dev/null; then
        # Debian's python3 needs python3-venv for `-m venv`.
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq
            apt-get install -y -qq --no-install-recommends python3-venv </dev/null
            rm -rf "$venv"
            python3 -m venv "$venv"
        else
            fail "python3 -m venv does not work here (install python3-venv)"
        fi
    fi
    "$venv/bin/pip" install --quiet --no-input "pyspark==$PYSPARK_VERSION" </dev/null
fi
export PYSPARK_PYTHON=$venv/bin/python
SPARK_HOME=$("$venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
export SPARK_HOME

# --- corpus and the one-process reference -----------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/zhijian-spark.XXXXXX")
cleanup() {
    # local-cluster executors work in $SPARK_HOME/work (a copy of the binary per executor).
    rm -rf "$SPARK_HOME/work"
    if [ "${ZHIJIAN_SPARK_KEEP:-}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work"
# Shipped to the executors as ./zhijian, the name dist/spark_job.sql runs.
mkdir bin
cp "$bin" bin/zhijian
python3 "$repo/dist/spark_corpus.py" corpus
"$bin" audit --quiet --out ref corpus </dev/null
# The SQL run uses other options, so map and render must both honour them.
sql_options="--seed 7 --sample-rate 0.5 --sla-seconds 20"
# shellcheck disable=SC2086
"$bin" audit --quiet --out ref_sql $sql_options corpus </dev/null
diff -q ref/review_queue.csv ref_sql/review_queue.csv >/dev/null \
    && fail "--seed 7 --sample-rate 0.5 sampled the same tickets as the defaults: the SQL run would test nothing"
lines=$(python3 -c 'import json; c = json.load(open("ref/manifest.json"))["counts"]
print("%(lines)s lines: %(audited)s audited, %(rejected)s rejected, %(sampled)s sampled" % c)')
say "reference (one process): $lines"

# --- Spark -------------------------------------------------------------------------------------
args=()
for p in "${partitionings[@]}"; do args+=(--partitioning "$p"); done
spark_started=$(date +%s)
if ! "$venv/bin/python" "$repo/dist/spark_job.py" --master "$master" \
        --ship bin/zhijian --zhijian ./zhijian --root "$work" \
        --split-bytes 32768 --collect combined "${args[@]}" --sql "$repo/dist/spark_job.sql" \
        --sql-options "$sql_options" corpus \
        </dev/null >spark.out 2>spark.log; then
    cat spark.out
    grep -v -E '^\s+at |^WARN|WARN [A-Za-z]' spark.log | tail -n 40 >&2
    fail "the Spark job failed (log above)"
fi
say "Spark ($master): $(($(date +%s) - spark_started)) s for ${#partitionings[@]} partitionings and the SQL file"
cat combined/sql/part-* >combined/sql.tsv
partitionings+=(sql)

# --- render and compare -----------------------------------------------------------------------
failed=0
for p in "${partitionings[@]}"; do
    ref=ref
    if [ "$p" = sql ]; then
        # As on a cluster: the output directory's part files, concatenated, on render's stdin.
        ref=ref_sql
        # shellcheck disable=SC2086
        cat combined/sql/part-* | "$bin" render --quiet $sql_options --out "out_$p" -
    else
        "$bin" render --quiet --out "out_$p" "combined/$p.tsv" </dev/null
    fi
    records=$(wc -l <"combined/$p.tsv")
    if ! diff -r --exclude=manifest.json "$ref" "out_$p" >"diff_$p.txt"; then
        say "$p: DIFFERENT from one process ($records combined records)"
        head -c 6000 "diff_$p.txt"
        failed=1
        continue
    fi
    if ! python3 - "$ref/manifest.json" "out_$p/manifest.json" <<'EOF'
import difflib, json, sys

def comparable(path):
    manifest = json.load(open(path, encoding="utf-8"))
    manifest.pop("runtime", None)  # the run's start time, duration and threads
    for entry in manifest.get("inputs", []):
        entry.pop("bytes", None)  # a shard never sees a whole file
        entry.pop("sha256", None)
    return json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).splitlines()

ref, out = (comparable(p) for p in sys.argv[1:3])
if ref != out:
    sys.stdout.writelines(line + "\n" for line in difflib.unified_diff(ref, out, *sys.argv[1:3], lineterm=""))
    sys.exit(1)
EOF
    then
        say "$p: manifest.json DIFFERENT beyond runtime, bytes and sha256"
        failed=1
        continue
    fi
    say "$p: identical to one process ($records combined records; manifest.json differs only in runtime, bytes, sha256)"
done
say "total $(($(date +%s) - started)) s"
[ "$failed" = 0 ] || fail "a Spark run differs from one process (see above)"
