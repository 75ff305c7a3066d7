"""The ``segmentation`` command line.

Every command reports bad input as a message naming file, column and rows, and exits
with status 2; it never shows a traceback for a problem in the user's data or settings. A
parameter that is not a finite number in its range (``--horizon inf``) is a one-line usage
message, status 2. Ctrl-C stops a command with one line and status 130, leaving no half-written
file (every file is written beside its target and renamed); a closed pipe (``... | head``) is
quiet: the command finishes its files and exits with status 141.
A report whose data does not cover the quarter (no orders in it, or the last order well before
its end: a stale or incomplete export) exits with status 3, unless ``--allow-incomplete``.

    segmentation demo                                   # sample data -> validate -> quarterly review
    segmentation report NAME [--data DATA_DIR] --quarter 2025Q3 --out reports/ [-p NAME=VALUE ...]
                        [--allow-incomplete]
    segmentation sample-data --customers 2000 --random-state 0 --out data/sample [--language zh]
    segmentation validate DATA_DIR [--mapping FILE] [--today DATE] [--policy abc|sabc|FILE]
    segmentation score DATA_DIR --as-of DATE --policy abc|sabc|FILE --out FILE
    segmentation tune-tiers DATA_DIR --as-of DATE --policy abc --out FILE [--export NAME --policy-out FILE]
    segmentation personas DATA_DIR --as-of DATE [--k K] --out FILE [--save-model FILE]
                         [--previous-model FILE --previous-assignments FILE]
    segmentation churn DATA_DIR --cutoff DATE --out FILE [--definition recorded] [--horizon-months 6] [--capacity HIGH MEDIUM]
                       [--backtest]
    segmentation clv DATA_DIR --calibration-end DATE --time-unit week --horizon 39 --out FILE
                     [--discount-rate 0.1] [--holdout-end DATE] [--order-value auto|gamma-gamma|observed]
                     [--model bgnbd|mbgnbd|pareto-nbd|bgbb|auto] [--interval 0.9 --draws 200 --random-state 0]
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from segmentation.data.loading import load_dataset, load_with_report
from segmentation.data.mapping import ColumnMapping
from segmentation.data.overview import yearly_overview
from segmentation.datasets.sample import DEFAULT_END, write_sample
from segmentation.errors import DataContractError, StaleDataError, WorkbenchError
from segmentation.i18n import LANGUAGES, message, resolve_language
from segmentation.reports.inputs import GRACE_DAYS
from segmentation.reports.runner import REPORTS as REPORT_NAMES

#: Exit statuses: done; refused or failed (bad data, parameter or cell); the data does not cover the quarter.
EXIT_OK, EXIT_UNUSABLE, EXIT_STALE = 0, 2, 3
#: Stopped by Ctrl-C (128 + SIGINT), and the output piped into a reader that closed early (128 + SIGPIPE).
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141
EXIT_CODES = f"""exit status:
  {EXIT_OK}  done: the output is complete and in place
  {EXIT_UNUSABLE}  refused or failed: the data are not usable, a parameter is wrong, or a report cell failed
  {EXIT_STALE}  report only: the data does not cover the quarter (no orders in it, or the last order is more
     than {GRACE_DAYS} days before its end): export the data again, or run with --allow-incomplete
  {EXIT_INTERRUPTED}  stopped by Ctrl-C: files already complete stay, nothing half-written
  {EXIT_BROKEN_PIPE}  the printed summary's reader closed early (| head): the files are complete"""
log = logging.getLogger("segmentation")


def _today(value: str | None) -> str:
    """The day after which dates count as future: ``--today`` or the machine's date."""
    return value or date.today().isoformat()


def _mapping(value: str | None) -> ColumnMapping | None:
    return ColumnMapping.load(value) if value else None


def _table_writer(args: argparse.Namespace):
    """``write_table`` writing CSV files in the encoding of ``--csv-encoding``."""
    from functools import partial

    from segmentation.data.writers import write_table

    return partial(write_table, csv_encoding=args.csv_encoding)


def _csv_encoding_option(p: argparse.ArgumentParser) -> None:
    from segmentation.data.writers import CSV_ENCODINGS, DEFAULT_CSV_ENCODING

    p.add_argument(
        "--csv-encoding",
        choices=CSV_ENCODINGS,
        default=DEFAULT_CSV_ENCODING,
        help="encoding of CSV files written: utf-8-sig (default: UTF-8 with a byte-order mark, which Excel needs to "
        "read Chinese), utf-8 (no mark) or gb18030",
    )


def cmd_sample_data(args: argparse.Namespace) -> int:
    paths = write_sample(
        args.out,
        args.customers,
        random_state=args.random_state,
        end=args.end,
        file_format=args.format,
        language=args.language,
    )
    for table, path in paths.items():
        print(f"{table:>13}: {path}")
    return EXIT_OK


def _empty_tiers(dataset, policy_name: str) -> list:
    """Validate's warnings about tiers of the policy that hold no customer at the data's last order date."""
    from segmentation.data.checks import empty_tier_problems
    from segmentation.features import customer_features
    from segmentation.value.tiers import TierPolicy

    policy = TierPolicy.load(policy_name)
    if dataset.transactions.empty:
        return []
    as_of = dataset.transactions["order_date"].max()
    features = customer_features(dataset, as_of=as_of)
    sizes = policy.assign(features)["tier"].value_counts().reindex(policy.names, fill_value=0)
    bands = {
        t.tier: f"{policy.metric_words} >= {t.min:,.0f}"
        + (f" and a customer for {t.min_tenure_days:,.0f} days" if t.min_tenure_days else "")
        for t in policy.tiers
        if t.min is not None
    }
    return empty_tier_problems(
        sizes.to_dict(),
        policy=policy.name,
        as_of=f"{as_of:%Y-%m-%d}",
        bands=bands,
        highest=float(features[policy.metric].max()) if len(features) else None,
        file=dataset.report.tables["transactions"].file or "transactions",
    )


def cmd_validate(args: argparse.Namespace) -> int:
    dataset, report = load_with_report(args.data_dir, mapping=_mapping(args.mapping), today=_today(args.today))
    for problem in _empty_tiers(dataset, args.policy) if dataset is not None else []:
        report.add(problem)
    print(report.to_text())
    return EXIT_OK if report.ok else EXIT_UNUSABLE


def cmd_demo(args: argparse.Namespace) -> int:
    from segmentation.reports.runner import run_report

    out, lang = Path(args.out), resolve_language(args.language)
    print(message("cli.demo.generating", lang, n=f"{args.customers:,}", random_state=args.random_state, out=out))
    write_sample(out, args.customers, random_state=args.random_state, end=DEFAULT_END)
    dataset = load_dataset(out, today=_today(None))
    print(dataset.report.to_text())
    print("\n" + message("cli.demo.by_year", lang))
    with pd.option_context("display.float_format", "{:,.0f}".format, "display.width", 120):
        print(yearly_overview(dataset).to_string(index=False))
    quarter = "2025Q3"
    print("\n" + message("cli.demo.running", lang, quarter=quarter), flush=True)
    run = run_report(
        "quarterly_review",
        data_dir=out,
        quarter=quarter,
        out=args.reports,
        parameters={"random_state": args.random_state, **({"language": args.language} if args.language else {})},
        progress=False,
    )
    print("\n" + message("cli.demo.review", lang, path=run.html))
    print(message("cli.demo.tables", lang, folder_name=run.folder.name, folder=run.folder))
    print("\n" + message("cli.demo.next", lang))
    print(f"      segmentation report personas --data {out} --quarter {quarter} --out {args.reports}")
    print(f"      segmentation churn {out} --cutoff 2025-06-30 --out reports/churn.csv --backtest")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from segmentation.reports.runner import REPORTS, report_parameters, run_report

    if args.name is None:
        print("Reports:")
        for name, what in REPORTS.items():
            print(f"  {name:<17} {what}")
        return EXIT_OK
    if args.show_parameters:
        print(f"Parameters of {args.name} (set with -p NAME=VALUE):")
        for name, spec in report_parameters(args.name).items():
            print(f"  {name} ({spec['inferred_type_name']}, default {spec['default']}): {spec['help']}")
        return EXIT_OK
    if args.quarter is None or args.out is None:
        raise WorkbenchError("report: --quarter and --out are needed (e.g. --quarter 2025Q3 --out reports/)")
    parameters = {}
    for item in args.parameter or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise WorkbenchError(f"-p {item!r}: expected NAME=VALUE, e.g. -p policy=sabc")
        parameters[key.strip()] = value
    if args.allow_incomplete:
        parameters["allow_incomplete"] = True
    if args.language:
        parameters["language"] = args.language
    lang = resolve_language(args.language)
    if args.quarter == "previous":  # for schedules: the last quarter that has ended (the command may read the clock)
        from segmentation.periods import quarter_of

        args.quarter = str(quarter_of(_today(args.today)).shift(-1))
    data = args.data or message("cli.report.sample", lang)
    print(message("cli.report.running", lang, name=args.name, quarter=args.quarter, data=data), file=sys.stderr)
    run = run_report(
        args.name,
        data_dir=args.data,
        quarter=args.quarter,
        out=args.out,
        parameters=parameters,
        progress=not args.no_progress,
        csv_encoding=args.csv_encoding,
    )
    print(message("cli.report.page", lang, path=run.html))
    print(message("cli.report.files", lang, folder=run.folder, files=", ".join(p.name for p in run.files)))
    return EXIT_OK


def cmd_score(args: argparse.Namespace) -> int:
    from segmentation.features import customer_features
    from segmentation.value.rfm import RFMScorer
    from segmentation.value.scoring import score_features
    from segmentation.value.segments import SegmentRules
    from segmentation.value.tiers import TierPolicy

    write_table = _table_writer(args)

    policy = TierPolicy.load(args.policy)
    rules = SegmentRules.load(args.segments)
    dataset = load_dataset(args.data_dir, mapping=_mapping(args.mapping), today=_today(args.today))
    features = customer_features(dataset, as_of=args.as_of)
    if features.empty:
        raise WorkbenchError(f"no customer bought anything on or before {args.as_of}: nothing to score")
    scorer = RFMScorer(n_bins=rules.n_bins).fit(features)
    table = score_features(features, policy=policy, scorer=scorer, rules=rules)
    path = write_table(table.reset_index(), args.out)
    pd.set_option("display.width", 120)
    print(f"Scored {len(table):,} customers as of {pd.Timestamp(args.as_of):%Y-%m-%d} -> {path}")
    print("\nRFM cut points (a value above cut k scores k+1 or more; recency in days scores the other way):")
    print(scorer.cut_points().round(1).to_string())
    sizes = table.groupby("tier", observed=False).agg(customers=("tier", "size"), revenue=(policy.metric, "sum"))
    sizes["share"] = (sizes["customers"] / sizes["customers"].sum()).map("{:.1%}".format)
    print(f"\nTiers ({policy.name}, {policy.metric_words}, {policy.currency}):")
    print(sizes.to_string(float_format="{:,.0f}".format))
    print("\nSegments:")
    print(table["segment"].value_counts().reindex(rules.names, fill_value=0).to_string())
    return EXIT_OK


def cmd_tune_tiers(args: argparse.Namespace) -> int:
    from segmentation.value.tiers import TierPolicy
    from segmentation.value.tuning import tune_tiers

    write_table = _table_writer(args)

    policy = TierPolicy.load(args.policy)
    dataset = load_dataset(args.data_dir, mapping=_mapping(args.mapping), today=_today(args.today))
    tuning = tune_tiers(dataset, as_of=args.as_of, policy=policy, random_state=args.random_state)
    path = write_table(tuning.table.reset_index(), args.out)
    with pd.option_context("display.width", 160, "display.max_columns", 40):
        print(tuning.table.T.to_string(float_format="{:,.3f}".format))
    for note in tuning.notes:
        print(f"Note: {note}")
    lang = resolve_language(args.language, policy)
    print("\n" + tuning.recommendation(lang))
    print("\n" + message("cli.tune.compared", lang, path=path))
    if args.export:
        if args.export not in tuning.candidates:
            raise WorkbenchError(
                f"--export {args.export!r}: no such candidate; choose one of {sorted(tuning.candidates)}"
            )
        out = tuning.export(args.export, args.policy_out or f"{policy.name}_{args.export}.yaml")
        print(f"Policy {args.export!r} written to {out}; use it with --policy {out}")
    return EXIT_OK


def _beside(out: Path, part: str) -> Path:
    return out.with_name(f"{out.stem}_{part}{out.suffix}")


def cmd_personas(args: argparse.Namespace) -> int:
    from segmentation.data.writers import read_output
    from segmentation.personas.analysis import find_personas
    from segmentation.personas.playbook import Playbook
    from segmentation.personas.store import load_persona_model, save_persona_model

    write_table = _table_writer(args)

    out = Path(args.out)
    playbook = Playbook.load(args.playbook)
    previous = load_persona_model(args.previous_model) if args.previous_model else None
    before = read_output(args.previous_assignments) if args.previous_assignments else None
    dataset = load_dataset(args.data_dir, mapping=_mapping(args.mapping), today=_today(args.today))
    run = find_personas(
        dataset,
        as_of=args.as_of,
        n_clusters=args.k or "auto",
        method=args.method,
        previous_model=previous,
        previous_assignments=before,
        playbook=playbook,
        random_state=args.random_state,
        min_persona_size=args.min_persona_size,
        language=resolve_language(args.language, dataset),
    )
    written = [write_table(run.assignments, out), write_table(run.profiles.table, _beside(out, "profiles"))]
    k_scores = run.model.k_scores_
    if not k_scores.empty:
        written.append(write_table(k_scores, _beside(out, "k_scores")))
    if run.alignment is not None:
        written.append(write_table(run.alignment.table, _beside(out, "alignment")))
    if run.migration is not None:
        written.append(write_table(run.migration.reset_index(), _beside(out, "migration")))
    if args.save_model:
        save_persona_model(run.model, args.save_model)
        written.append(Path(args.save_model))
    with pd.option_context("display.width", 160, "display.max_colwidth", 60):
        if not k_scores.empty:
            print("k selection:")
            print(k_scores.to_string(index=False, float_format="{:.3f}".format))
        print(f"\n{run.model.n_clusters_} personas as of {pd.Timestamp(args.as_of):%Y-%m-%d}:")
        cols = ["persona_id", "name", "customers", "customer_share", "revenue_share", "risk_tags", "play"]
        print(run.profiles.table[cols].to_string(index=False, float_format="{:.1%}".format))
    if run.alignment is not None and run.alignment.retired:
        print(f"\nPersonas of the previous model with no match now: {run.alignment.retired}")
    for note in run.notes:
        print(f"Note: {note}")
    print("\nWritten: " + ", ".join(str(p) for p in written))
    return EXIT_OK


def cmd_churn(args: argparse.Namespace) -> int:
    from segmentation.churn.backtest import backtest_churn
    from segmentation.churn.risk import churn_risk

    write_table = _table_writer(args)

    out = Path(args.out)
    dataset = load_dataset(args.data_dir, mapping=_mapping(args.mapping), today=_today(args.today))
    capacity = tuple(args.capacity) if args.capacity else None
    risk = churn_risk(
        dataset,
        cutoff=args.cutoff,
        definition=args.definition,
        horizon_months=args.horizon_months,
        policy=args.policy,
        high=args.high,
        medium=args.medium,
        capacity=capacity,
        language=resolve_language(args.language, dataset),
    )
    written = [write_table(risk.table, out), write_table(risk.importance, _beside(out, "importance"))]
    table = risk.table
    print(
        f"Churn risk at {risk.table.attrs['cutoff']:%Y-%m-%d} over the next {risk.table.attrs['horizon_months']} "
        f"months ({risk.table.attrs['definition']}): "
        f"{len(table):,} active customers; model trained on the quarter ends "
        f"{', '.join(f'{c:%Y-%m-%d}' for c in risk.training_cutoffs)}"
    )
    if table.attrs["excluded"]:
        print(f"Left out: {table.attrs['excluded']} active customers already recorded as lost in churn_events.")
    for note in risk.notes:
        print(f"Note: {note}")
    bands = table.groupby("band", observed=False).agg(
        customers=("band", "size"), value_at_risk=("value_at_risk", "sum")
    )
    print("\nRisk bands:")
    print(bands.to_string(float_format="{:,.0f}".format))
    cols = ["customer_id", "tier", "churn_probability", "band", "value_at_risk", "reasons"]
    with pd.option_context("display.width", 200, "display.max_colwidth", 110):
        print("\nHighest value at risk:")
        print(table[cols].head(10).to_string(index=False, float_format="{:,.2f}".format))
        print("\nWhat drives the score (permutation importance, drop in ROC AUC):")
        print(risk.importance[["feature", "importance"]].head(6).to_string(index=False, float_format="{:.4f}".format))
    if args.backtest:
        bt = backtest_churn(
            dataset, definition=args.definition, horizon_months=args.horizon_months, n_cutoffs=args.backtest
        )
        written += [
            write_table(bt.metrics, _beside(out, "backtest")),
            write_table(bt.calibration, _beside(out, "calibration")),
        ]
        cols = [
            "roc_auc",
            "roc_auc_min",
            "pr_auc",
            "brier",
            "log_loss",
            "lift_10",
            "capture_10",
            "lift_20",
            "capture_20",
        ]
        with pd.option_context("display.width", 200):
            print(f"\nBacktest over {args.backtest} quarter ends (mean; each model against the naive baselines):")
            print(bt.summary[cols].to_string(float_format="{:.3f}".format))
    print("\nWritten: " + ", ".join(str(p) for p in written))
    return EXIT_OK


_TIME_UNITS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
_MODEL_NAMES = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "pareto_nbd": "Pareto/NBD", "bgbb": "BG/BB"}


def cmd_clv(args: argparse.Namespace) -> int:
    import json

    from segmentation.btyd.choice import compare_models
    from segmentation.btyd.clv import clv_table, fit_report
    from segmentation.btyd.holdout import holdout_check
    from segmentation.data.writers import write_text

    model = args.model.replace("-", "_")
    if model == "auto" and not args.holdout_end:
        raise WorkbenchError("--model auto compares the models on a holdout: give --holdout-end too")
    if model == "bgbb" and args.time_unit not in ("month", "quarter", "year"):
        raise WorkbenchError("--model bgbb counts purchases per month, quarter or year: give --time-unit one of them")
    if model != "bgbb" and args.time_unit == "quarter":
        raise WorkbenchError(
            f"--time-unit quarter is for --model bgbb; {args.model} measures time in days, weeks, months or years"
        )
    write_table = _table_writer(args)
    out = Path(args.out)
    unit = _TIME_UNITS[args.time_unit]
    dataset = load_dataset(args.data_dir, mapping=_mapping(args.mapping), today=_today(args.today))
    choice = None
    if model == "auto":
        choice = compare_models(
            dataset.transactions, calibration_end=args.calibration_end, holdout_end=args.holdout_end, time_unit=unit
        )
        model = choice.chosen
    table, bgnbd, gamma_gamma = clv_table(
        dataset.transactions,
        calibration_end=args.calibration_end,
        horizon=args.horizon,
        time_unit=unit,
        discount_rate=args.discount_rate,
        order_value=args.order_value.replace("-", "_"),
        model=model,
        interval=args.interval or None,
        draws=args.draws,
        random_state=args.random_state,
    )
    written = [write_table(table.reset_index(), out)]
    parameters = pd.concat(
        {
            _MODEL_NAMES[model]: bgnbd.summary(),
            **({"Gamma-Gamma": gamma_gamma.summary()} if gamma_gamma is not None else {}),
        },
        names=["model"],
    )
    written.append(write_table(parameters.reset_index(), _beside(out, "parameters")))
    report = fit_report(
        bgnbd,
        gamma_gamma,
        fallback_reason=table.attrs["fallback_reason"],
        calibration_end=table.attrs["calibration_end"],
        time_unit=args.time_unit,
        horizon=args.horizon,
        discount_rate=args.discount_rate,
        order_value=table.attrs["order_value"],
        model=args.model,
    )
    report["interval"] = table.attrs["interval"]
    if choice is not None:
        check = choice.checks[model]
        written += [
            write_table(choice.table.reset_index(), _beside(out, "models_compared")),
            write_table(check.by_frequency, _beside(out, "holdout")),
            write_table(choice.tracking(), _beside(out, "tracking")),
        ]
        report["choice"] = {
            "chosen": model,
            "reason": choice.reason,
            "candidates": json.loads(choice.table.reset_index().to_json(orient="records")),
        }
        report["holdout"] = {"end": args.holdout_end, **check.totals}
    elif args.holdout_end:
        check = holdout_check(
            dataset.transactions,
            bgnbd,
            calibration_end=args.calibration_end,
            holdout_end=args.holdout_end,
            time_unit=unit,
        )
        written += [
            write_table(check.by_frequency, _beside(out, "holdout")),
            write_table(check.tracking, _beside(out, "tracking")),
        ]
        report["holdout"] = {"end": args.holdout_end, **check.totals}
    json_path = write_text(out.with_name(f"{out.stem}_models.json"), json.dumps(report, indent=2))
    written.append(json_path)
    if choice is not None:
        print("Models compared on the holdout (fitted on the calibration period):")
        formats = {
            "log_likelihood": "{:,.1f}".format,
            "actual": "{:,.0f}".format,
            "predicted": "{:,.1f}".format,
            "total_error": "{:+.1%}".format,
            "bucket_error": "{:.3f}".format,
            "tracking_error": "{:.1%}".format,
        }
        print(choice.table.drop(columns="failure").rename_axis(None).to_string(formatters=formats, na_rep="-"))
        for name, failure in choice.table["failure"].dropna().items():
            print(f"{name}: not fitted: {failure}")
        print(f"Chosen: {_MODEL_NAMES[model]}. {choice.reason}\n")
    fitted, gg = report[report["model"]], report["gamma_gamma"]
    print(
        f"{_MODEL_NAMES[model]} on {fitted['customers']:,} customers ({fitted['distinct_histories']:,} distinct "
        "histories), estimate (standard error): "
        + ", ".join(f"{k} = {v:.4f} ({_se(fitted['standard_errors'][k])})" for k, v in fitted["params"].items())
        + f"; log-likelihood {fitted['log_likelihood']:,.2f}"
    )
    if table.attrs["fallback_reason"]:
        print(
            f"Note: no Gamma-Gamma model: {table.attrs['fallback_reason']}. The order values are each customer's "
            "own revenue per purchase day (--order-value gamma-gamma would stop instead)."
        )
    elif gg is None:
        print("Order values: each customer's own revenue per purchase day (no Gamma-Gamma model).")
    else:
        print(
            f"Gamma-Gamma on {gg['customers']:,} repeat customers ({gg['excluded_without_repeat']:,} without a "
            "repeat left out), estimate (standard error): "
            + ", ".join(f"{k} = {v:.4f} ({_se(gg['standard_errors'][k])})" for k, v in gg["params"].items())
            + f"; log-likelihood {gg['log_likelihood']:,.2f}"
        )
    print(
        f"\nOver the next {args.horizon:g} {args.time_unit}s (discount {args.discount_rate:.0%} a year): "
        f"{table['expected_purchases'].sum():,.0f} purchases, CLV {table['clv'].sum():,.0f} in total"
    )
    if table.attrs["interval"]:
        settings = table.attrs["interval"]
        print(
            f"Each customer's CLV has a {settings['interval']:.0%} interval (clv_lower, clv_upper) from "
            f"{settings['draws']} draws of the parameters (random state {settings['random_state']})"
        )
    if args.holdout_end:
        print("\nHoldout check (mean repeat purchases per calibration frequency):")
        print(check.by_frequency.to_string(index=False, float_format="{:.3f}".format))
        print(f"Total in the holdout: actual {check.totals['actual']:,.0f}, predicted {check.totals['predicted']:,.1f}")
    print("\nWritten: " + ", ".join(str(p) for p in written))
    return EXIT_OK


def _se(value: float | None) -> str:
    """A standard error as printed: 4 decimals, or "none" when the fit did not converge."""
    return "none" if value is None else f"{value:.4f}"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line: what is wrong and where to look."""

    def error(self, message: str):
        self.exit(EXIT_UNUSABLE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _number(low: float, high: float = math.inf, *, low_open: bool = False, what: str = "a number"):
    """An argparse type: a finite number in ``[low, high]`` (``(low, high]`` with ``low_open``)."""
    shown = f"{'>' if low_open else '>='} {low:g}" + (f" and <= {high:g}" if high < math.inf else "")

    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or number < low or (low_open and number == low) or number > high:
            raise argparse.ArgumentTypeError(f"expected {what} {shown}, got {value!r}")
        return number

    return parse


def _whole(low: int, what: str = "a whole number"):
    """An argparse type: a whole number >= ``low``."""

    def parse(value: str) -> int:
        text = value.strip()
        number = int(text) if text.lstrip("-").isdigit() else None
        if number is None or number < low:
            raise argparse.ArgumentTypeError(f"expected {what} >= {low}, got {value!r}")
        return number

    return parse


def _positive_int(value: str) -> int:
    number = int(value) if value.strip().lstrip("-").isdigit() else None
    if number is None or number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of personas >= 1, got {value!r}")
    return number


def _date(value: str) -> str:
    """An argparse type: a date the user typed, as ``YYYY-MM-DD``; anything else is a usage message."""
    from segmentation.periods import as_date

    try:
        return as_date(value, name="date").strftime("%Y-%m-%d")
    except WorkbenchError:
        raise argparse.ArgumentTypeError(f"expected a date such as 2025-06-30, got {value!r}") from None


def _data_command(sub: argparse._SubParsersAction, name: str, help_text: str) -> argparse.ArgumentParser:
    """A subcommand reading a data directory, with the options every such command shares."""
    p = sub.add_parser(name, help=help_text)
    p.add_argument("data_dir", help="folder with transactions.csv and optional tables")
    p.add_argument("--mapping", help="YAML file mapping your column names onto the contract")
    p.add_argument("--today", type=_date, help="dates after this day are refused (default: the machine's date)")
    return p


def _language_option(p: argparse.ArgumentParser) -> None:
    """``--language``: the language of the pages and messages a command writes for a reader."""
    p.add_argument(
        "--language",
        choices=list(LANGUAGES),
        help="language of the report and of these messages: en, zh or zh_Hant (default: the tier policy's or "
        "the mapping file's language, else English)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="segmentation",
        description="Customer-analytics workbench.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="run the main job on built-in sample data")
    p.add_argument("--out", default="data/sample", help="folder for the sample data (default: data/sample)")
    p.add_argument(
        "--customers",
        type=_whole(1, "a number of customers"),
        default=2000,
        help="customers to generate (default: 2000)",
    )
    p.add_argument("--random-state", type=_whole(0, "a seed"), default=0, help="seed of every random step (default: 0)")
    p.add_argument("--reports", default="reports", help="folder for the report (default: reports)")
    _language_option(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "report",
        help="run a report notebook (papermill) and write HTML, notebook, CSV and xlsx",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", nargs="?", choices=sorted(REPORT_NAMES), help="the report (omit to list them)")
    p.add_argument("--data", help="folder with the team's tables (default: the built-in sample)")
    p.add_argument("--quarter", help="the quarter reported on, e.g. 2025Q3, or 'previous': the last quarter ended")
    p.add_argument("--today", type=_date, help="the day 'previous' counts from (default: the machine's date)")
    p.add_argument("--out", help="parent folder of the report folder, e.g. reports/")
    p.add_argument(
        "-p",
        "--parameter",
        action="append",
        metavar="NAME=VALUE",
        help="a notebook parameter, e.g. -p policy=sabc (repeatable; see --show-parameters)",
    )
    p.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="report on a quarter the data does not cover to its end (the page says it is partial) instead of "
        f"exiting with status {EXIT_STALE}",
    )
    p.add_argument("--show-parameters", action="store_true", help="list the report's parameters and exit")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _csv_encoding_option(p)
    _language_option(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("sample-data", help="write realistic sample data with planted truth")
    p.add_argument(
        "--customers", type=_whole(1, "a number of customers"), default=2000, help="number of customers (default: 2000)"
    )
    p.add_argument("--random-state", type=_whole(0, "a seed"), default=0, help="seed of every random step (default: 0)")
    p.add_argument("--end", type=_date, default=DEFAULT_END, help=f"last day of the history (default: {DEFAULT_END})")
    p.add_argument("--format", choices=["csv", "parquet"], default="csv", help="file format (default: csv)")
    p.add_argument(
        "--language",
        choices=["en", "zh"],
        default="en",
        help="en: the contract's names; zh: the same data as a Chinese team's GBK export, with the mapping.yaml "
        "that reads it (default: en)",
    )
    p.add_argument("--out", required=True, help="folder to write into")
    p.set_defaults(func=cmd_sample_data)

    p = _data_command(sub, "validate", "check a data directory and report every problem")
    p.add_argument(
        "--policy", default="abc", help="tier policy whose empty tiers are warned about: abc, sabc or a YAML file"
    )
    p.set_defaults(func=cmd_validate)

    p = _data_command(sub, "score", "RFM scores, segment and value tier per customer as of a date")
    p.add_argument("--as-of", type=_date, required=True, help="last day of data used, e.g. 2025-09-30")
    p.add_argument("--policy", default="abc", help="tier policy: abc, sabc or a YAML file (default: abc)")
    p.add_argument("--segments", default="default", help="segment rules YAML (default: the common rules)")
    p.add_argument("--out", required=True, help="output file: .csv, .parquet or .xlsx")
    _csv_encoding_option(p)
    p.set_defaults(func=cmd_score)

    p = _data_command(sub, "tune-tiers", "propose tier thresholds from data and compare them")
    p.add_argument("--as-of", type=_date, required=True, help="the quarter end to grade, e.g. 2025-09-30")
    p.add_argument("--policy", default="abc", help="current policy: abc, sabc or a YAML file (default: abc)")
    p.add_argument("--out", required=True, help="comparison table: .csv, .parquet or .xlsx")
    p.add_argument("--export", help="candidate to write as a policy YAML (e.g. time_split)")
    p.add_argument("--policy-out", help="where to write the exported policy (default: <policy>_<candidate>.yaml)")
    p.add_argument(
        "--random-state", type=_whole(0, "a seed"), default=0, help="seed of the natural-breaks sample (default: 0)"
    )
    _csv_encoding_option(p)
    _language_option(p)
    p.set_defaults(func=cmd_tune_tiers)

    p = _data_command(sub, "personas", "cluster customers into named personas with profiles")
    p.add_argument("--as-of", type=_date, required=True, help="last day of data used, e.g. 2025-09-30")
    p.add_argument("--k", type=_positive_int, help="number of personas (default: chosen from the data)")
    p.add_argument("--method", choices=["kmeans", "gmm"], default="kmeans", help="clustering (default: kmeans)")
    p.add_argument(
        "--min-persona-size",
        type=_positive_int,
        default=5,
        help="fewest customers a persona should describe; caps the number of personas (default: 5)",
    )
    p.add_argument("--out", required=True, help="persona per customer: .csv, .parquet or .xlsx; profiles beside it")
    p.add_argument("--playbook", default="default", help="risk tags and plays: a YAML file (default: the preset)")
    p.add_argument("--save-model", help="write the fitted model here (.skops) for next quarter's alignment")
    p.add_argument("--previous-model", help="last quarter's model (.skops): keep its persona ids")
    p.add_argument("--previous-assignments", help="last quarter's --out file: report how customers moved")
    p.add_argument("--random-state", type=_whole(0, "a seed"), default=0, help="seed of every random step (default: 0)")
    _csv_encoding_option(p)
    _language_option(p)
    p.set_defaults(func=cmd_personas)

    p = _data_command(sub, "churn", "churn-risk list with reasons and value at risk, for every active customer")
    p.add_argument(
        "--cutoff", type=_date, required=True, help="the date to score at, e.g. 2025-06-30 (only data up to it is used)"
    )
    p.add_argument("--out", required=True, help="risk list: .csv, .parquet or .xlsx; importance beside it")
    p.add_argument(
        "--definition",
        choices=["recorded", "lapsed", "quiet_quarter"],
        default="recorded",
        help="what churn means: a recorded loss (default; 'lapsed' without churn events), a lapse beyond the "
        "customer's own rhythm, or a quarter without a purchase",
    )
    p.add_argument(
        "--horizon-months",
        type=_whole(1, "a whole number of months"),
        default=None,
        help="months the label looks ahead (default: 6, 12 or 3 by definition)",
    )
    p.add_argument("--policy", default="abc", help="tier policy for the tier column (default: abc)")
    p.add_argument(
        "--high",
        type=_number(0, 1, what="a probability"),
        default=None,
        help="probability for the high band (default: 3 times the churn rate)",
    )
    p.add_argument(
        "--medium",
        type=_number(0, 1, what="a probability"),
        default=None,
        help="probability for the medium band (default: 1.5 times the churn rate)",
    )
    p.add_argument(
        "--capacity",
        type=_whole(0, "a whole number of customers"),
        nargs=2,
        metavar=("HIGH", "MEDIUM"),
        help="bands by how many customers the team can call, ranked by value at risk",
    )
    p.add_argument(
        "--backtest",
        type=_whole(1, "a whole number of quarters"),
        nargs="?",
        const=3,
        metavar="N",
        help="also backtest over the last N quarter ends (default 3) and write the metrics beside",
    )
    _csv_encoding_option(p)
    _language_option(p)
    p.set_defaults(func=cmd_churn)

    p = _data_command(sub, "clv", "lifetime value per customer from BG/NBD and Gamma-Gamma")
    p.add_argument("--calibration-end", type=_date, required=True, help="last day of data the models learn from")
    p.add_argument("--time-unit", choices=list(_TIME_UNITS), default="week", help="unit of time (default: week)")
    p.add_argument(
        "--horizon",
        type=_number(0, low_open=True, what="a number of time units"),
        default=52,
        help="time units ahead (default: 52)",
    )
    p.add_argument(
        "--discount-rate",
        type=_number(0, 1, what="a yearly rate"),
        default=0.10,
        help="yearly discount rate (default: 0.10)",
    )
    p.add_argument("--holdout-end", type=_date, help="also compare predictions with what happened up to this date")
    p.add_argument(
        "--order-value",
        choices=["auto", "gamma-gamma", "observed"],
        default="auto",
        help="expected order value: auto (default) = the Gamma-Gamma model, or each customer's own average when "
        "the model cannot be fitted (a note says so); gamma-gamma = the model or an error; observed = each "
        "customer's own average",
    )
    p.add_argument(
        "--model",
        choices=["bgnbd", "mbgnbd", "pareto-nbd", "bgbb", "auto"],
        default="bgnbd",
        help="model of purchases and drop-out (default: bgnbd); auto = fit bgnbd, mbgnbd and pareto-nbd on the "
        "calibration period and use the one with the smallest holdout error per frequency bucket (needs "
        "--holdout-end; the comparison is written beside); bgbb counts purchases per --time-unit month, quarter or year",
    )
    p.add_argument(
        "--interval",
        type=_number(0, 1, what="a probability"),
        default=0.9,
        help="level of each customer's CLV interval, from draws of the fitted parameters (default: 0.9; 0: none)",
    )
    p.add_argument(
        "--draws",
        type=_whole(10, "a whole number of draws"),
        default=200,
        help="parameter draws for the interval (default: 200)",
    )
    p.add_argument("--random-state", type=_whole(0, "a seed"), default=0, help="seed of the draws (default: 0)")
    p.add_argument(
        "--out",
        required=True,
        help="value per customer: .csv, .parquet or .xlsx; the parameters, models JSON and holdout files beside it",
    )
    _csv_encoding_option(p)
    p.set_defaults(func=cmd_clv)
    return parser


class _QuietPipe:
    """Standard output that, once its reader has gone (``| head``), swallows what is printed.

    The command goes on to finish its files; :func:`main` then exits with
    :data:`EXIT_BROKEN_PIPE` and no "Broken pipe" message.
    """

    def __init__(self, stream) -> None:
        self.stream, self.broken = stream, False

    def _closed(self) -> None:
        self.broken = True
        try:  # later writes, and the flush at exit, go nowhere instead of failing again
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self._closed()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._closed()

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    stdout = sys.stdout
    quiet = sys.stdout = _QuietPipe(stdout)
    try:
        status = _run(argv)
        quiet.flush()
    except KeyboardInterrupt:
        print("stopped: interrupted (Ctrl-C); files not complete were not written", file=sys.stderr)
        status = EXIT_INTERRUPTED
    finally:
        sys.stdout = stdout
    return EXIT_BROKEN_PIPE if quiet.broken and status == EXIT_OK else status


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        return args.func(args)
    except DataContractError as exc:
        print(exc.report.to_text() if exc.report is not None else str(exc), file=sys.stderr)
        return EXIT_UNUSABLE
    except StaleDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_STALE
    except (WorkbenchError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_STALE", "EXIT_UNUSABLE", "build_parser", "main"]
