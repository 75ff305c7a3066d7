"""Time persona features and the persona model (with k selection) on generated sample data.

    .venv/bin/python bench/personas.py --customers 100000

Prints the timings, the chosen k and the adjusted Rand index against the planted personas,
and appends them as one JSON line to bench/results/personas.jsonl (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from segmentation.dataset import Dataset
from segmentation.persona_features import clustering_columns, persona_features
from segmentation.personas import PersonaModel
from segmentation.sample_data import DEFAULT_END, generate_sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    tables = generate_sample(args.customers, seed=args.seed)
    data = Dataset.from_frames(**{k: v for k, v in tables.items() if k != "truth"})
    start = time.perf_counter()
    features = persona_features(data, as_of=DEFAULT_END)
    features_s = time.perf_counter() - start
    X = features[clustering_columns(features)]
    start = time.perf_counter()
    model = PersonaModel().fit(X)
    fit_s = time.perf_counter() - start
    truth = tables["truth"].set_index("customer_id")["persona"].reindex(X.index)
    result = {"customers": len(X), "features_s": round(features_s, 1), "fit_with_k_selection_s": round(fit_s, 1),
              "k": model.n_clusters_, "ari": round(adjusted_rand_score(truth, model.labels_), 3),
              "cpus": os.cpu_count(), "python": platform.python_version()}  # fmt: skip
    print(json.dumps(result))
    print(model.k_scores_.to_string(index=False, float_format="{:.3f}".format))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    with open(out / "personas.jsonl", "a", encoding="utf-8") as sink:
        sink.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
