#!/usr/bin/env python3
"""zhijian's map and combine on Spark: reads JSON Lines files with Spark's text reader, carries
each line's file name and physical line number in the row, pipes the rows through
`zhijian map --rows` and the partial records through `zhijian combine` with Spark SQL's
`SELECT TRANSFORM`, and writes the combined records (`KEY<TAB>JSON` lines) for
`zhijian render`. dist/spark_equivalence.sh runs it over several partitionings and compares
each result with a one-process `zhijian audit`; docs/spark.md shows it on a cluster.

    spark-submit --files target/release/zhijian dist/spark_job.py \\
        --zhijian ./zhijian --root /exports --save hdfs:///qa/partials/dt=2026-11-21 \\
        /exports/2026-11-21

Line numbers: the reader gives no line number, so each row keeps the split it came from
(`_metadata.file_block_start`) and its place in the scan (`monotonically_increasing_id`, which
is consecutive within a split); one small aggregate per split then gives each split's first
line. A line is read by the split it starts in, so the count is exact however a file is split.

Names: a row's FILE is its path relative to --root (Spark's paths are URIs, percent-encoded:
they are decoded), the same name `zhijian audit` shows when it is run in --root on the same
relative inputs.
"""

import argparse
import os
import re
import sys
import urllib.parse

from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

ROWS = T.StructType([
    T.StructField("file", T.StringType(), False),
    T.StructField("line", T.LongType(), False),
    T.StructField("text", T.StringType(), False),
])

PARTITIONINGS = {
    "as_read": "the reader's splits, unchanged (each file in several splits)",
    "one": "repartition(1): every row in one map process",
    "random3": "3 partitions by a random number, rows in random order within each",
    "hash7": "repartition(7, text): 7 partitions by a hash of the line",
    "dupsplit4": "4 partitions by occurrence of the ticket id: every duplicate apart from its "
                 "first occurrence, later occurrences in earlier partitions, lines reversed",
}


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", help="files or directories (searched recursively for "
                    "*.jsonl and *.jsonl.gz), local paths or URIs")
    ap.add_argument("--zhijian", required=True,
                    help="the binary as executors run it: an absolute path on every node, or "
                         "./zhijian when shipped with --files / --ship")
    ap.add_argument("--ship", help="a local binary to add to the job (SparkContext.addFile); "
                    "give --zhijian ./NAME to run it from the executors' working directory")
    ap.add_argument("--options", default="",
                    help="audit options for map, as one string (e.g. \"--seed 7\")")
    ap.add_argument("--root", default=".",
                    help="row names are input paths relative to this directory (default: .)")
    ap.add_argument("--partitioning", action="append", choices=sorted(PARTITIONINGS),
                    help="repeatable; default as_read")
    ap.add_argument("--split-bytes", type=int,
                    help="spark.sql.files.maxPartitionBytes (small: files in several splits)")
    ap.add_argument("--shuffle-partitions", type=int, default=4,
                    help="combine processes per partitioning (spark.sql.shuffle.partitions)")
    ap.add_argument("--master", help="Spark master when not given by spark-submit")
    ap.add_argument("--sql", metavar="FILE",
                    help="also run this SQL file (dist/spark_job.sql) on the first input, "
                         "shipping --ship, its output in the --collect DIR/sql/ (run \"sql\")")
    ap.add_argument("--sql-options", help="map's options in the SQL run [default: --options]")
    out = ap.add_mutually_exclusive_group(required=True)
    out.add_argument("--collect", metavar="DIR",
                     help="write each partitioning's combined records to DIR/NAME.tsv on the "
                          "driver")
    out.add_argument("--save", metavar="URI",
                     help="write them as text under URI/NAME/ (one file per combine task)")
    return ap.parse_args(argv)


def session(args):
    builder = SparkSession.builder.appName("zhijian map/combine")
    if args.master:
        builder = builder.master(args.master)
    builder = builder.config("spark.sql.shuffle.partitions", str(args.shuffle_partitions))
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    if args.split_bytes:
        builder = builder.config("spark.sql.files.maxPartitionBytes", str(args.split_bytes))
        builder = builder.config("spark.sql.files.openCostInBytes", "0")
    return builder.getOrCreate()


def path_of(uri):
    """A file URI's decoded path; any other URI stays whole (decoded)."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme in ("", "file"):
        return urllib.parse.unquote(parsed.path)
    return urllib.parse.unquote(uri)


def name_of(uri, root):
    path = path_of(uri)
    prefix = root.rstrip("/") + "/"
    return path[len(prefix):] if path.startswith(prefix) else path


def read_rows(spark, inputs, root):
    """(file, line, text) for every physical line of the inputs, blank ones included."""
    raw = (spark.read
           .option("lineSep", "\n")
           .option("recursiveFileLookup", "true")
           .option("pathGlobFilter", "*.{jsonl,jsonl.gz}")
           .text(inputs)
           .select(F.col("value").alias("text"),
                   F.col("_metadata.file_path").alias("path"),
                   F.col("_metadata.file_block_start").alias("start"),
                   F.monotonically_increasing_id().alias("id")))
    splits = (raw.groupBy("path", "start")
              .agg(F.count("*").alias("n"), F.min("id").alias("first"), F.max("id").alias("last"))
              .collect())
    bases, seen = [], {}
    for s in sorted(splits, key=lambda s: (s.path, s.start)):
        if s.last - s.first + 1 != s.n:
            sys.exit(f"spark_job: split {s.path}@{s.start}: its rows are not consecutive in the "
                     "scan, so line numbers cannot be given")
        base = seen.get(s.path, 0)
        bases.append((s.path, s.start, base, s.first, name_of(s.path, root)))
        seen[s.path] = base + s.n
    print(f"spark_job: read {sum(seen.values())} lines of {len(seen)} files in {len(splits)} "
          "splits")
    table = spark.createDataFrame(
        bases, "path string, start long, base long, first long, file string")
    return (raw.join(F.broadcast(table), ["path", "start"])
            .select("file",
                    (F.col("base") + F.col("id") - F.col("first") + 1).alias("line"),
                    F.coalesce(F.col("text"), F.lit("")).alias("text")))


def partitioned(rows, name, spark):
    if name == "as_read":
        return rows
    if name == "one":
        return rows.repartition(1)
    if name == "random3":
        return (rows.withColumn("r", F.rand(3)).repartition(3, "r")
                .sortWithinPartitions("r").drop("r"))
    if name == "hash7":
        return rows.repartition(7, "text")
    if name == "dupsplit4":
        tid = F.coalesce(F.get_json_object("text", "$.ticket_id"), F.concat_ws(":", "file", "line"))
        occurrence = F.row_number().over(Window.partitionBy(tid).orderBy("file", "line")) - 1
        keyed = rows.withColumn("occ", occurrence)
        # Occurrence k goes to partition 3 - k mod 4: the first occurrence of a duplicated id
        # sits in a later partition than the copies that must be rejected for it.
        pairs = (keyed.rdd.map(lambda r: (3 - r.occ % 4, (r.file, r.line, r.text)))
                 .partitionBy(4, lambda k: k).values())
        return spark.createDataFrame(pairs, ROWS).sortWithinPartitions(F.col("line").desc())
    raise ValueError(name)


def transform(zhijian, view, args):
    """The two TRANSFORMs. A line without a tab comes back with a NULL value: fail on it
    rather than merge less than was mapped (concat_ws would drop it silently)."""
    def checked(query, step):
        return f"""
            SELECT key,
                   CASE WHEN key IS NULL OR value IS NULL
                        THEN raise_error('zhijian {step} wrote a line that is not KEY<TAB>JSON')
                        ELSE value END AS value
            FROM ({query}) {step}_out"""
    mapped = f"""
        SELECT TRANSFORM (file, line, text)
            ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'
            USING '{zhijian} map --rows --quiet --out - - {args}'
            AS (key STRING, value STRING)
            ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'
        FROM {view}"""
    combined = f"""
        SELECT TRANSFORM (key, value)
            ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'
            USING '{zhijian} combine'
            AS (key STRING, value STRING)
            ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'
        FROM ({checked(mapped, "map")} DISTRIBUTE BY key) grouped"""
    return checked(combined, "combine")


def run_sql_file(spark, path, settings):
    """Runs a file of `;`-terminated statements like `spark-sql -f`, after setting the
    `spark.zhijian.*` values it refers to as ${...}."""
    for key, value in settings.items():
        spark.conf.set(f"spark.zhijian.{key}", value)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for statement in re.split(r";[ \t]*$", text, flags=re.M):
        code = "\n".join(l for l in statement.splitlines() if not l.lstrip().startswith("--"))
        if code.strip():
            spark.sql(statement)


def main(argv):
    args = parse_args(argv)
    spark = session(args)
    spark.sparkContext.setLogLevel("ERROR")
    if args.ship:
        spark.sparkContext.addFile(os.path.abspath(args.ship))
    root = path_of(args.root) if "://" in args.root else os.path.abspath(args.root)
    rows = read_rows(spark, args.inputs, root)
    for name in args.partitioning or ["as_read"]:
        view = f"zhijian_rows_{name}"
        partitioned(rows, name, spark).createOrReplaceTempView(view)
        combined = spark.sql(transform(args.zhijian, view, args.options))
        if args.save:
            (combined.select(F.concat_ws("\t", "key", "value"))
             .write.mode("overwrite").text(f"{args.save.rstrip('/')}/{name}"))
            continue
        os.makedirs(args.collect, exist_ok=True)
        records = 0
        with open(os.path.join(args.collect, f"{name}.tsv"), "w", encoding="utf-8",
                  newline="\n") as out:
            for r in combined.toLocalIterator():
                out.write(f"{r.key}\t{r.value}\n")
                records += 1
        print(f"spark_job: {name}: {records} combined records ({PARTITIONINGS[name]})")
    if args.sql:
        if not (args.ship and args.collect):
            sys.exit("spark_job: --sql needs --ship and --collect")
        output = os.path.abspath(os.path.join(args.collect, "sql"))
        run_sql_file(spark, args.sql, {
            "binary": os.path.abspath(args.ship),
            "input": args.inputs[0] if "://" in args.inputs[0] else os.path.abspath(args.inputs[0]),
            "root": "file://" + root.rstrip("/") + "/",  # as input_file_name() spells it
            "output": "file://" + urllib.parse.quote(output),
            "options": (args.options if args.sql_options is None else args.sql_options) or " ",
        })
        print(f"spark_job: sql: {args.sql} wrote {output}")
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
