#!/usr/bin/env python3
"""pgvector's side of `cargo xtask bench --via sql --filter-selectivity …`: the same
filtered queries on PostgreSQL with pgvector, for BENCH.md's comparison.

It loads a TEXMEX directory (base.fvecs, queries.fvecs) into
`items (id bigint, embedding vector(D), f0 int, f1 int, …)` with one filter column per
selectivity, valued exactly as the SQL bench target values them (0 on the rows the
harness's hashed filter keeps), a btree on each filter column and an HNSW index
(vector_cosine_ops, m = 16, ef_construction = 64), then runs
`SELECT id FROM items WHERE fN = 0 ORDER BY embedding <=> $1 LIMIT 10` for each query,
once with pgvector's defaults and once with `hnsw.iterative_scan = relaxed_order`, one
query at a time on one connection, and prints rows per query, recall@10 against the
exact filtered answer and queries per second.

    python3 xtask/scripts/pgvector_filtered.py --dsn "host=127.0.0.1 port=55432 user=postgres" \\
        --data ../shared/datasets/pypi-minilm --queries 200 --selectivity 0.01,0.1

Needs numpy and psycopg 3. The database named by --db is dropped and created again.
"""

import argparse
import time

import numpy as np
import psycopg

U64 = (1 << 64) - 1


def mix64(value):
    z = value & U64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & U64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & U64
    return z ^ (z >> 31)


def passes_filter(row_id, selectivity):
    threshold = int(min(max(selectivity, 0.0), 1.0) * float(U64))
    return mix64(row_id ^ 0x5EEDF11E) < threshold


def filter_value(row_id, selectivity):
    if passes_filter(row_id, selectivity):
        return 0
    others = max(int(np.ceil(1.0 / selectivity)) - 1, 1)
    return 1 + row_id % others


def read_fvecs(path):
    raw = np.fromfile(path, dtype=np.int32)
    dims = raw[0]
    return raw.reshape(-1, dims + 1)[:, 1:].view(np.float32)


def text(vector):
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--db", default="vecsh_filtered_bench")
    parser.add_argument("--data", required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--selectivity", default="0.01,0.1")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    selectivities = [float(s) for s in args.selectivity.split(",")]
    base = read_fvecs(f"{args.data}/base.fvecs")
    queries = read_fvecs(f"{args.data}/queries.fvecs")[: args.queries]
    if not args.skip_load:
        with psycopg.connect(args.dsn + " dbname=postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {args.db}")
            admin.execute(f"CREATE DATABASE {args.db}")
    with psycopg.connect(args.dsn + f" dbname={args.db}", autocommit=True) as conn:
        if not args.skip_load:
            started = time.time()
            conn.execute("CREATE EXTENSION vector")
            columns = "".join(f", f{i} int" for i in range(len(selectivities)))
            conn.execute(f"CREATE TABLE items (id bigint, embedding vector({base.shape[1]}){columns})")
            with conn.cursor().copy("COPY items FROM STDIN") as copy:
                for row_id, vector in enumerate(base):
                    values = [str(row_id), text(vector)]
                    values += [str(filter_value(row_id, s)) for s in selectivities]
                    copy.write_row(values)
            for i in range(len(selectivities)):
                conn.execute(f"CREATE INDEX ON items (f{i})")
            conn.execute("SET maintenance_work_mem = '2GB'")
            conn.execute(
                "CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops) "
                "WITH (m = 16, ef_construction = 64)"
            )
            conn.execute("VACUUM ANALYZE items")
            print(f"loaded and indexed in {time.time() - started:.1f} s")
        normalized = base / np.linalg.norm(base, axis=1, keepdims=True)
        version = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()[0]
        print(f"pgvector {version}; {len(queries)} queries, LIMIT 10")
        for i, selectivity in enumerate(selectivities):
            kept = np.array([passes_filter(r, selectivity) for r in range(len(base))])
            kept_ids = np.nonzero(kept)[0]
            truth = []
            for query in queries:
                q = query / np.linalg.norm(query)
                scores = normalized[kept_ids] @ q
                truth.append(set(kept_ids[np.argsort(-scores, kind="stable")[:10]].tolist()))
            for mode in ["off", "relaxed_order"]:
                conn.execute(f"SET hnsw.iterative_scan = {mode}")
                sql = f"SELECT id FROM items WHERE f{i} = 0 ORDER BY embedding <=> %s::vector LIMIT 10"
                for query in queries[:20]:
                    conn.execute(sql, (text(query),), prepare=True).fetchall()
                rows = found = 0
                started = time.perf_counter()
                answers = []
                for query in queries:
                    answers.append([r[0] for r in conn.execute(sql, (text(query),), prepare=True).fetchall()])
                elapsed = time.perf_counter() - started
                for answer, true in zip(answers, truth):
                    rows += len(answer)
                    found += len(set(answer) & true)
                print(
                    f"selectivity {selectivity}: iterative_scan={mode}: "
                    f"{rows / len(queries):.2f} rows/query, recall@10 {found / (10 * len(queries)):.3f}, "
                    f"{len(queries) / elapsed:.1f} QPS"
                )


if __name__ == "__main__":
    main()
