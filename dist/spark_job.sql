-- zhijian map and combine in Spark SQL alone (the same job as dist/spark_job.py), for a
-- platform where jobs are SQL files. dist/spark_equivalence.sh runs this file too ("sql") and
-- compares its report with one process. Settings (spark-sql --conf, or SET lines added here):
--   spark.zhijian.binary   the static binary, any path Spark reads (hdfs:///apps/zhijian/zhijian)
--   spark.zhijian.input    the export: a directory (searched recursively) or a glob
--   spark.zhijian.root     the prefix cut from each file's decoded URI to give the name that
--                          `zhijian audit` shows, as `SELECT input_file_name() FROM
--                          zhijian_raw` spells it: hdfs://nn:8020/exports/ (or file:///exports/)
--                          gives names such as 2026-11-21/a.jsonl
--   spark.zhijian.output   where the combined KEY<TAB>JSON lines go
--   spark.zhijian.options  audit options for map ("--sla-seconds 20"); a space when none
-- Then: cat OUTPUT/part-* | zhijian render --out REPORT [the same options]

-- Shipped to every executor's working directory (and made executable), so USING runs ./zhijian.
ADD FILE ${spark.zhijian.binary};

-- One row per physical line, '\n'-separated: a CRLF line keeps its '\r' (map drops it), and
-- Hadoop's reader has already dropped a BOM at the start of a file.
CREATE OR REPLACE TEMPORARY VIEW zhijian_raw
USING text
OPTIONS (path '${spark.zhijian.input}', lineSep '\n', recursiveFileLookup 'true',
         pathGlobFilter '*.{jsonl,jsonl.gz}');

-- Each row keeps its split (input_file_block_start(); a view hides the _metadata column that
-- dist/spark_job.py uses) and its place in the scan; ids are consecutive within a split, and the
-- scan is the same each time it is planned.
CREATE OR REPLACE TEMPORARY VIEW zhijian_scan AS
SELECT value AS text, input_file_name() AS path, input_file_block_start() AS start,
       monotonically_increasing_id() AS id
FROM zhijian_raw;

-- One small row per split: the number of lines in the file before it.
CREATE OR REPLACE TEMPORARY VIEW zhijian_splits AS
SELECT path, start, first,
       coalesce(sum(n) OVER (PARTITION BY path ORDER BY start
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS base
FROM (SELECT path, start, count(*) AS n, min(id) AS first FROM zhijian_scan GROUP BY path, start);

-- FILE<TAB>LINE<TAB>TEXT rows. Paths are URIs: decode them (url_decode alone would turn a '+'
-- in a file name into a space) and cut the root, so FILE is the name `zhijian audit` shows.
CREATE OR REPLACE TEMPORARY VIEW zhijian_rows AS
SELECT /*+ BROADCAST(s) */
       CASE WHEN startswith(url_decode(replace(s.path, '+', '%2B')), '${spark.zhijian.root}')
            THEN substring(url_decode(replace(s.path, '+', '%2B')), length('${spark.zhijian.root}') + 1)
            ELSE url_decode(replace(s.path, '+', '%2B')) END AS file,
       s.base + r.id - s.first + 1 AS line,
       r.text
FROM zhijian_scan r JOIN zhijian_splits s
  ON r.path = s.path AND r.start = s.start;

-- map in every task, combine per key; a non-zero exit fails the job. A map line without a
-- tab would arrive as a NULL value: stop there instead of combining less than was mapped.
INSERT OVERWRITE DIRECTORY '${spark.zhijian.output}' USING text
SELECT CASE WHEN key IS NULL OR value IS NULL
            THEN raise_error('zhijian combine wrote a line that is not KEY<TAB>JSON')
            ELSE concat(key, '\t', value) END
FROM (
    SELECT TRANSFORM (key, value)
        ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
        USING './zhijian combine'
        AS (key STRING, value STRING)
        ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
    FROM (
        SELECT key,
               CASE WHEN key IS NULL OR value IS NULL
                    THEN raise_error('zhijian map wrote a line that is not KEY<TAB>JSON')
                    ELSE value END AS value
        FROM (
            SELECT TRANSFORM (file, line, text)
                ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
                USING './zhijian map --rows --quiet --out - - ${spark.zhijian.options}'
                AS (key STRING, value STRING)
                ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
            FROM zhijian_rows
        ) mapped
        DISTRIBUTE BY key
    ) grouped
) combined;
