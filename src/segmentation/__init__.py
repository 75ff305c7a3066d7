"""segmentation: a customer-analytics workbench.

Turns a team's raw customer data (orders, customers, contacts, surveys) into RFM scores,
value tiers, personas, churn-risk lists, lifetime value and quarterly reports.

``import segmentation as seg`` is the front door: every name an analyst needs is here, from
loading (``seg.load_dataset``) to the quarterly review (``seg.review_quarter``) and the reports
(``seg.run_report``). Names are imported on first use (PEP 562), so ``import segmentation``
loads neither pandas nor scikit-learn. The stages live in subpackages, each importing only
those before it: ``data`` -> ``features`` -> ``value``, ``btyd``, ``personas`` -> ``churn`` ->
``review`` -> ``reports`` -> ``cli``; import from them to extend the package.

Examples
--------
>>> import segmentation as seg
>>> sorted(seg.TABLES)
['churn_events', 'customers', 'interactions', 'surveys', 'transactions']
>>> seg.review_quarter.__module__
'segmentation.review.quarterly'
"""

from __future__ import annotations

import importlib
import os

# Idle OpenMP threads sleep instead of spinning (see segmentation.threads): set before scikit-learn
# loads its OpenMP runtime, which reads it once. It changes no result, only how waiting threads wait.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"

#: Public name -> the module that defines it, stage by stage.
_EXPORTS: dict[str, str] = {
    # errors and periods
    **dict.fromkeys(
        ["WorkbenchError", "DataContractError", "ConfigError", "InsufficientDataError", "StaleDataError", "Problem"],
        "errors",
    ),
    **dict.fromkeys(["Quarter", "quarter", "quarter_of"], "periods"),
    # data: the contract, loading and checking, writing
    "TABLES": "data.contract",
    **dict.fromkeys(["Dataset"], "data.dataset"),
    **dict.fromkeys(["load_dataset", "check_dataset"], "data.loading"),
    "ColumnMapping": "data.mapping",
    "LoadReport": "data.load_report",
    "yearly_overview": "data.overview",
    "mask_personal": "data.privacy",
    **dict.fromkeys(["write_table", "write_report_tables", "read_output"], "data.writers"),
    # data sets to try things on
    **dict.fromkeys(["generate_sample", "write_sample"], "datasets.sample"),
    "load_cdnow": "datasets.cdnow",
    "load_donations": "datasets.donations",
    # features
    **dict.fromkeys(["customer_features", "btyd_summary", "summary_from_features", "describe_features"], "features"),
    # value: RFM, segments, tiers
    "RFMScorer": "value.rfm",
    "SegmentRules": "value.segments",
    "TierPolicy": "value.tiers",
    **dict.fromkeys(["score_features", "score_customers"], "value.scoring"),
    "regrade": "value.regrading",
    "tune_tiers": "value.tuning",
    **dict.fromkeys(
        ["plot_lorenz", "plot_lorenz_candidates", "plot_tier_sizes", "plot_segment_map", "plot_migration"],
        "value.plots",
    ),
    # buy till you die
    "BetaGeoModel": "btyd.bgnbd",
    "GammaGammaModel": "btyd.gamma_gamma",
    "ParetoNBDModel": "btyd.pareto_nbd",
    "ModifiedBetaGeoModel": "btyd.mbgnbd",
    **dict.fromkeys(["BetaGeoBetaBinomModel", "bgbb_summary"], "btyd.bgbb"),
    **dict.fromkeys(["clv_table", "customer_lifetime_value"], "btyd.clv"),
    "holdout_check": "btyd.holdout",
    "compare_models": "btyd.choice",
    "plot_model_tracking": "btyd.plots",
    "plot_candidate_tracking": "btyd.tracking_plots",
    **dict.fromkeys(
        [
            "lifetime_value_report",
            "candidate_tracking",
            "comparison_table",
            "parameters_table",
            "clv_totals",
            "top_customers",
            "model_words",
            "choice_sentences",
            "value_sentences",
        ],
        "btyd.report",
    ),
    # personas
    **dict.fromkeys(["persona_features", "clustering_columns", "describe_persona_features"], "personas.features"),
    "PersonaModel": "personas.model",
    **dict.fromkeys(["find_personas", "persona_projection"], "personas.analysis"),
    "profile_personas": "personas.profiles",
    "Playbook": "personas.playbook",
    **dict.fromkeys(["align_personas", "persona_migration"], "personas.tracking"),
    **dict.fromkeys(["save_persona_model", "load_persona_model"], "personas.store"),
    **dict.fromkeys(
        ["plot_k_selection", "plot_persona_features", "plot_persona_projection", "plot_profile_heatmap"],
        "personas.plots",
    ),
    # churn
    **dict.fromkeys(
        ["churn_features", "churn_labels", "churn_horizon", "quarter_ends", "describe_churn_features"],
        "churn.features",
    ),
    "ChurnModel": "churn.model",
    **dict.fromkeys(["backtest_churn", "compare_definitions"], "churn.backtest"),
    **dict.fromkeys(["churn_risk", "risk_bands"], "churn.risk"),
    **dict.fromkeys(["score_metrics", "roc_pr_curves"], "churn.metrics"),
    **dict.fromkeys(
        [
            "plot_calibration",
            "plot_gains",
            "plot_importance",
            "plot_roc_pr",
            "plot_alive_matrix",
            "plot_holdout_tracking",
            "plot_holdout_by_frequency",
        ],
        "churn.plots",
    ),
    # the quarterly review
    **dict.fromkeys(["quarterly_kpis", "kpi_scorecard", "kpi_definitions"], "review.kpis"),
    "ServiceLevels": "review.service_levels",
    "overdue_contacts": "review.contact_policy",
    **dict.fromkeys(["customer_growth", "tier_distribution"], "review.trends"),
    "review_quarter": "review.quarterly",
    **dict.fromkeys(
        ["plot_tier_distribution", "plot_customer_growth", "plot_churn_reasons", "plot_risk_signals"], "review.plots"
    ),
    # reports
    **dict.fromkeys(["REPORTS", "run_report"], "reports.runner"),
    "open_report": "reports.inputs",
    **dict.fromkeys(["view", "bullets", "kpi_findings", "scorecard_view"], "reports.views"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'segmentation' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"segmentation.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
