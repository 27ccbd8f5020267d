"""The semantic-search golden path through psycopg 3 and pgvector-python against
`vecsh serve`: register_vector, a table of halfvec embeddings loaded with binary COPY,
an HNSW index, and prepared KNN queries whose answers are checked against an exact
scan. The vectors are random (queries near stored rows) or, with VECSH_DATASET, the
first rows of a directory's base.fvecs and queries.fvecs.

Run by the Rust test `server_python` (which starts the server and passes its port in
VECSH_PORT); it prints "skipped: ..." and exits 0 when psycopg or pgvector is missing.
With VECSH_BENCH=1 it also times the prepared queries and prints queries per second.
"""

import os
import sys
import time

try:
    import numpy as np
    import psycopg
    from pgvector import HalfVector
    from pgvector.psycopg import register_vector
except ImportError as error:  # pragma: no cover - depends on the machine
    print(f"skipped: {error.name} is not installed (pip install 'psycopg[binary]' pgvector numpy)")
    sys.exit(0)


def read_fvecs(path: str, count: int) -> "np.ndarray":
    """The first `count` vectors of an .fvecs file (each: int32 dimension, then floats)."""
    raw = np.fromfile(path, dtype=np.int32)
    dims = int(raw[0])
    rows = raw.reshape(-1, dims + 1)[:count, 1:]
    return rows.view(np.float32).copy()


def main() -> None:
    port = int(os.environ["VECSH_PORT"])
    rows = int(os.environ.get("VECSH_ROWS", "2000"))
    dims = int(os.environ.get("VECSH_DIMS", "384"))
    queries = int(os.environ.get("VECSH_QUERIES", "50"))
    host = os.environ.get("VECSH_HOST", "127.0.0.1")
    user = os.environ.get("VECSH_USER", "golden")
    dbname = os.environ.get("VECSH_DBNAME", "vecsh")
    dataset = os.environ.get("VECSH_DATASET")
    if dataset:
        # A directory with base.fvecs and queries.fvecs (the pypi-minilm set).
        data = read_fvecs(os.path.join(dataset, "base.fvecs"), rows)
        probes = read_fvecs(os.path.join(dataset, "queries.fvecs"), queries)
        dims = data.shape[1]
    else:
        rng = np.random.default_rng(7)
        data = rng.standard_normal((rows, dims)).astype(np.float32)
        data /= np.linalg.norm(data, axis=1, keepdims=True)
        # Queries near stored rows, as a search for similar items is.
        picks = rng.integers(0, rows, queries)
        probes = data[picks] + 0.05 * rng.standard_normal((queries, dims)).astype(np.float32)

    with psycopg.connect(host=host, port=port, user=user, dbname=dbname, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        register_vector(conn)
        conn.execute("DROP TABLE IF EXISTS golden")
        conn.execute(f"CREATE TABLE golden (id bigint PRIMARY KEY, embedding halfvec({dims}))")
        started = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy("COPY golden (id, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy:
                copy.set_types(["int8", "halfvec"])
                for i, vector in enumerate(data):
                    copy.write_row((i, HalfVector(vector)))
        load = time.perf_counter() - started
        count = conn.execute("SELECT count(*) FROM golden").fetchone()[0]
        assert count == rows, count

        # The exact answers, before the index exists.
        knn = "SELECT id FROM golden ORDER BY embedding <=> %s LIMIT 10"
        exact = [
            [r[0] for r in conn.execute(knn, (HalfVector(q),), prepare=True).fetchall()]
            for q in probes
        ]
        started = time.perf_counter()
        conn.execute("CREATE INDEX ON golden USING hnsw (embedding halfvec_cosine_ops)")
        build = time.perf_counter() - started
        conn.execute("SET hnsw.ef_search = 100")

        found = 0
        started = time.perf_counter()
        for q, truth in zip(probes, exact):
            got = [r[0] for r in conn.execute(knn, (HalfVector(q),), prepare=True).fetchall()]
            found += len(set(got) & set(truth))
        elapsed = time.perf_counter() - started
        recall = found / (10 * len(probes))
        assert recall >= 0.9, recall

        # Values come back as pgvector-python objects, in binary.
        vector = conn.execute(
            "SELECT embedding FROM golden WHERE id = %s", (3,), binary=True
        ).fetchone()[0]
        assert isinstance(vector, HalfVector), type(vector)
        assert np.allclose(vector.to_numpy(), data[3], atol=1e-3)
        text = conn.execute("SELECT embedding::text FROM golden WHERE id = 3").fetchone()[0]
        assert text.startswith("["), text

        if os.environ.get("VECSH_BENCH"):
            print(
                f"rows={rows} dims={dims} copy_s={load:.2f} index_s={build:.2f} "
                f"queries={len(probes)} qps={len(probes) / elapsed:.1f} recall={recall:.3f}"
            )
        print(f"ok: {rows} rows, recall@10 {recall:.3f}")


if __name__ == "__main__":
    main()
