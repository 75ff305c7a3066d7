"""Time persona features and the persona model (with k selection) on generated sample data.

    .venv/bin/python bench/personas.py --customers 100000

Prints the timings, the chosen k and the adjusted Rand index against the planted personas,
and appends them as one JSON line to bench/results/personas.jsonl (git-ignored).
"""

from __future__ import annotations

import argparse
import time

from sklearn.metrics import adjusted_rand_score

from _results import record  # bench/ is on the path when a script here runs
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
              "k": model.n_clusters_, "ari": round(adjusted_rand_score(truth, model.labels_), 3)}  # fmt: skip
    record("personas", result)
    print(model.k_scores_.to_string(index=False, float_format="{:.3f}".format))


if __name__ == "__main__":
    main()
