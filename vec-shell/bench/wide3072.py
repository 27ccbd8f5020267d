#!/usr/bin/env python3
"""A generated 3,072-dimension data set for vecsh's wide-vector indexes.

Writes into OUT_DIR: wide.csv (10,000 rows "id,[v1,...,v3072]" of unit vectors around
50 Gaussian centres), gt.npy (the exact 10 nearest rows of each query under L2),
q_hnsw.sql / q_ivf.sql (SET hnsw.ef_search = 40 / ivfflat.probes = 10, then 100
"SELECT id FROM wide ORDER BY embedding <-> '[...]' LIMIT 10");
`wide3072.py recall OUTPUT OUT_DIR/gt.npy` prints the recall@10 of a `vecsh -f q_*.sql`
output against it.

    python3 wide3072.py OUT_DIR      (needs numpy)

Then, as vec-shell/README.md's figures were taken:

    CREATE TABLE wide (id bigint PRIMARY KEY, embedding vector(3072));
    COPY wide FROM 'OUT_DIR/wide.csv' WITH (FORMAT csv);
    CREATE INDEX wide_hnsw ON wide USING hnsw (embedding vector_l2_ops);
    CREATE INDEX wide_ivf ON wide USING ivfflat (embedding vector_l2_ops) WITH (lists = 100);
"""
import os
import sys

import numpy as np

ROWS, DIMENSIONS, QUERIES, CENTRES = 10000, 3072, 100, 50


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(CENTRES, DIMENSIONS)).astype(np.float32)

    def draw(n):
        v = centres[rng.integers(0, CENTRES, n)] + 0.6 * rng.normal(size=(n, DIMENSIONS))
        v = v.astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    base, queries = draw(ROWS), draw(QUERIES)
    text = lambda v: "[" + ",".join("%.6g" % x for x in v) + "]"
    with open(os.path.join(out, "wide.csv"), "w") as f:
        for i, v in enumerate(base):
            f.write(f'{i},"{text(v)}"\n')
    truth = [np.argsort(((base - q) ** 2).sum(1), kind="stable")[:10] for q in queries]
    np.save(os.path.join(out, "gt.npy"), np.array(truth))
    for name, setting in (("hnsw", "SET hnsw.ef_search = 40;"), ("ivf", "SET ivfflat.probes = 10;")):
        with open(os.path.join(out, f"q_{name}.sql"), "w") as f:
            f.write(setting + "\n")
            for q in queries:
                f.write(f"SELECT id FROM wide ORDER BY embedding <-> '{text(q)}' LIMIT 10;\n")


def recall(output, gt):
    import re

    truth = np.load(gt)
    found = [
        [int(x) for x in block.split()]
        for block in re.findall(r"-+\n((?:\s*\d+\n)+)\(\d+ rows?\)", open(output).read())
    ]
    hits = [len(set(r) & set(g.tolist())) / 10 for r, g in zip(found, truth)]
    print(f"{len(found)} results, recall@10 {np.mean(hits):.4f}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "recall":
        recall(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 2:
        main(sys.argv[1])
    else:
        sys.exit("usage: wide3072.py OUT_DIR | wide3072.py recall VECSH_OUTPUT GT_NPY")
