"""Load a team's data directory into a validated :class:`~segmentation.data.dataset.Dataset`.

The rules (documented for users in ``docs/data-contract.md``):

Repaired, counted, kept
    spaces around ids; amounts written ``1,234.50``, ``¥1,200`` or ``(300)``; dates in a
    non-ISO format or as Excel serial numbers; ratings written as words; direction synonyms.
Excluded, counted, kept apart or reported
    blank rows; rows with a blank ``customer_id``; exact duplicate lines; refunds (negative
    amounts, kept in ``Dataset.refunds``); interactions, surveys and churn events for customers
    who are not in the customer table.
Refused (the data is not usable until fixed)
    a missing or unreadable transactions file; a missing required column; a column twice in
    a header; unparseable dates, amounts, numbers or ratings; dates before ``min_date`` or after
    ``today``; ratings off the 1-5 scale; negative response hours; unknown directions;
    duplicate customer ids; transactions for customers missing from the customer table.

Zero-amount lines are real purchases (free items) and are kept; the report notes how many.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from segmentation.data import checks, line_checks, parsing
from segmentation.data.complaints import COMPLAINT, COMPLAINT_KEYWORDS, COMPLAINT_VALUES, find_complaints
from segmentation.data.contract import DIRECTIONS, FILE_SUFFIXES, TABLES, ColumnSpec, TableSpec
from segmentation.data.dataset import Dataset, derive_customers, empty_table
from segmentation.data.engine import LineSource, OrderLines, engine_min_lines, frame_source, parquet_source
from segmentation.data.line_checks import ColumnRule, Hits, merged_problem
from segmentation.data.load_report import LoadReport, TableReport
from segmentation.data.mapping import VALUE_COLUMNS, ColumnMapping
from segmentation.data.privacy import mask_name
from segmentation.data.readers import ROW, RawTable, read_table
from segmentation.data.screening import duplicate_problem
from segmentation.errors import SHOWN, ConfigError, DataContractError, Problem, problem_at
from segmentation.periods import as_date

REPAIRED = "_repaired"
DEFAULT_MIN_DATE = "1990-01-01"

_REPAIR_RULES = {
    "id": "spaces around {col} trimmed",
    "amount": "{col} text normalised (thousands separators, currency marks)",
    "number": "{col} text normalised (thousands separators)",
    "integer": "{col} text normalised (thousands separators)",
    "date": "{col} read from a non-ISO format or an Excel serial number",
    "rating": "{col} written as words mapped to the 1-5 scale",
}
_EXPECTED = {
    "date": "a date such as 2024-05-31 (add other formats under date_formats in a mapping file)",
    "amount": "a number such as 1234.50",
    "number": "a number such as 12.5",
    "integer": "a whole number",
    "rating": "1-5 or a word such as 'satisfied' or '满意'",
}


def _discover(root: Path, mapping: ColumnMapping, report: LoadReport) -> dict[str, Path | None]:
    found: dict[str, Path | None] = {}
    for table, spec in TABLES.items():
        if table in mapping.files:
            path = root / mapping.files[table]
            if not path.is_file():
                report.add(
                    Problem(
                        "error",
                        mapping.files[table],
                        None,
                        f"the mapping names this file for {table}, but it does not exist in {root}",
                        expected="an existing file",
                    )
                )
                path = None
            found[table] = path
            continue
        candidates = [root / f"{table}{s}" for s in FILE_SUFFIXES if (root / f"{table}{s}").is_file()]
        if len(candidates) > 1:
            report.add(
                Problem(
                    "error",
                    ", ".join(c.name for c in candidates),
                    None,
                    f"several files for table {table}",
                    expected="exactly one",
                )
            )
            candidates = []
        found[table] = candidates[0] if candidates else None
        if spec.required and not candidates:
            report.add(
                Problem(
                    "error",
                    f"{table}.csv",
                    None,
                    f"no {table} file in {root}",
                    expected=f"one of {', '.join(table + s for s in FILE_SUFFIXES)}",
                )
            )
    return found


def _parse_column(raw: pd.Series, kind: str, column: str, mapping: ColumnMapping) -> parsing.Parsed:
    if column == "direction":
        return parsing.parse_directions(raw, mapping.words("direction"))
    parser: Callable[[pd.Series], parsing.Parsed] = {
        "id": parsing.parse_ids,
        "amount": lambda s: parsing.parse_amounts(s, decimal=mapping.decimal, ceiling=mapping.max_amount),
        "number": lambda s: parsing.parse_numbers(s, decimal=mapping.decimal),
        "integer": lambda s: parsing.parse_numbers(s, decimal=mapping.decimal),
        "date": lambda s: parsing.parse_dates(s, mapping.date_formats),
        "rating": lambda s: parsing.parse_ratings(s, mapping.words("rating")),
    }.get(kind, parsing.parse_categories)
    return parser(raw)


def _schema(spec: TableSpec) -> pa.DataFrameSchema:
    """The value rules checked with pandera once columns are typed."""
    checks: dict[str, list[pa.Check]] = {
        "rating": [pa.Check(lambda s: s.isin([1, 2, 3, 4, 5]), element_wise=False, error="outside the 1-5 scale")],
        "response_hours": [pa.Check.ge(0, error="negative")],
        "employees": [pa.Check.ge(0, error="negative")],
        "decision_chain_size": [pa.Check.ge(0, error="negative")],
        "direction": [pa.Check.isin(list(DIRECTIONS), error=f"not one of {', '.join(DIRECTIONS)}")],
    }
    columns = {
        c.name: pa.Column(
            checks=checks.get(c.name, []),
            nullable=c.need != "required",
            unique=spec.name == "customers" and c.name == "customer_id",
            report_duplicates="all",
            required=False,
        )
        for c in spec.columns
    }
    return pa.DataFrameSchema(columns)


_CHECK_WORDS = {"field_uniqueness": "duplicate customer id", "not_nullable": "missing value"}


def _check_values(frame: pd.DataFrame, spec: TableSpec, file: str) -> list[Problem]:
    try:
        _schema(spec).validate(frame.drop(columns=[ROW, REPAIRED]), lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        problems = []
        for (column, check), group in cases.groupby(["column", "check"], sort=False):
            rows = frame.loc[group["index"].astype(int), ROW]
            problems.append(
                problem_at("error", file, column, _CHECK_WORDS.get(check, check), rows, examples=group["failure_case"])
            )
        return problems
    return []


_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _strip_control_characters(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Remove invisible control characters (a NUL from a broken export) from text cells; the rows touched."""
    touched = pd.Series(False, index=frame.index)
    cleaned = {}
    for name in columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
            continue
        text = column.astype("string")
        has = text.str.contains(_CONTROL, regex=True, na=False)
        if has.any():
            cleaned[name] = column.where(~has, text.str.replace(_CONTROL, "", regex=True))
            touched |= has
    return (frame.assign(**cleaned) if cleaned else frame), touched


def _check_columns(columns: list[str], rows: int, spec: TableSpec, file: str, report: LoadReport) -> bool:
    """Report missing, absent-core and extra columns, and a file without records; whether cleaning goes on."""
    missing = [c for c in spec.required_columns if c not in columns]
    if missing:
        found = [str(c) for c in columns]
        hint = next(
            (
                f"; the header looks {d!r}-separated (set csv.delimiter in the mapping)"
                for d in (",", ";", "\t", "|")
                if len(found) == 1 and d in found[0]
            ),
            "",
        )
        report.add(
            Problem(
                "error",
                file,
                ", ".join(missing),
                "required column missing" + hint,
                expected=f"columns {', '.join(spec.required_columns)} (found: {', '.join(found) or 'none'}); "
                "map other names with a mapping file",
            )
        )
        return False
    absent_core = [c for c in spec.core_columns if c not in columns]
    if absent_core:
        report.add(
            Problem(
                "warning",
                file,
                ", ".join(absent_core),
                "core column absent; the analyses that use it will say what they could not compute",
            )
        )
    extra = [c for c in columns if c not in spec.column_names]
    if extra:
        report.add(
            Problem("info", file, None, f"columns not in the contract were ignored: {', '.join(map(str, extra))}")
        )
    if rows == 0:
        report.add(
            Problem(
                "warning" if not spec.required else "error",
                file,
                None,
                "the file has a header but no records",
                expected="at least one record",
            )
        )
        return False
    return True


def _no_engine(key: str, column: str, example: bool) -> Hits:
    return Hits(0)


def _column_problems(
    name: str,
    col: ColumnSpec,
    parsed: parsing.Parsed,
    frame: pd.DataFrame,
    keep: pd.Series,
    tr: TableReport,
    file: str,
    dates: tuple[pd.Timestamp, pd.Timestamp | None],
    engine: Callable[[str, str, bool], Hits] = _no_engine,
) -> tuple[list[Problem], pd.Series, pd.Series]:
    """What one column's values say, counted in ``tr``: blank ids, missing and unreadable values,
    repairs, dates out of range. Returns (problems, lines repaired, lines with a refused value).

    ``frame`` holds the lines pandas parsed (``parsed``): all of them, or only the lines the engine
    found dirty. ``engine(key, column, example)`` gives the hits among the engine's other lines
    (``blank customer_id``, ``missing <column>``, ``early <column>``, ``late <column>``); none by default.
    """
    min_date, today = dates

    def hits(key: str, mask: pd.Series, example: bool = False) -> list[Hits]:
        mine = Hits.from_pandas(frame.loc[mask, ROW], frame.loc[mask, name] if example else None)
        return [engine(key, name, example), mine]

    found: list[Problem | None] = []
    blank = parsed.blank
    unusable = pd.Series(False, index=frame.index)
    if name == "customer_id":
        blanks = hits("blank customer_id", blank)
        tr.exclude("blank customer_id", sum(h.count for h in blanks))
        found.append(merged_problem("warning", file, name, "blank customer id; row excluded", blanks))
    elif col.need == "required":
        unusable |= blank & keep
        expected = _EXPECTED.get(col.kind, "a value")
        found.append(
            merged_problem(
                "error", file, name, "missing value", hits(f"missing {name}", blank & keep), expected=expected
            )
        )
    bad = parsed.bad & ~blank & keep
    unusable |= bad
    if bad.any():
        what = "not one of " + ", ".join(DIRECTIONS) if name == "direction" else f"cannot be read as {col.kind}"
        found.append(
            problem_at(
                "error",
                file,
                name,
                what,
                frame.loc[bad, ROW],
                expected=_EXPECTED.get(col.kind),
                examples=frame.loc[bad, name],
            )
        )
    fixed = parsed.repaired & keep
    if fixed.any():
        tr.repair(_REPAIR_RULES.get(col.kind, "{col} synonyms mapped").format(col=name), int(fixed.sum()))
    if col.kind == "date":
        early = hits(f"early {name}", keep & (parsed.values < min_date), example=True)
        found.append(
            merged_problem("error", file, name, f"date before {min_date:%Y-%m-%d}", early, expected="a plausible date")
        )
        if today is not None:
            late = hits(f"late {name}", keep & (parsed.values > today), example=True)
            message = f"date in the future (after {today:%Y-%m-%d})"
            found.append(merged_problem("error", file, name, message, late, expected="a date up to today"))
    return [p for p in found if p is not None], fixed, unusable


def _clean_table(
    raw: RawTable,
    spec: TableSpec,
    mapping: ColumnMapping,
    tr: TableReport,
    report: LoadReport,
    today: pd.Timestamp | None,
    min_date: pd.Timestamp,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Parse and check one table; returns (frame, refunds) or (None, None) when refused."""
    file = raw.file
    frame = raw.frame
    tr.rows_read = len(frame) + raw.blank_rows
    tr.exclude("blank rows", raw.blank_rows)
    present = [c for c in spec.column_names if c in frame.columns]
    if not _check_columns([c for c in frame.columns if c != ROW], len(frame), spec, file, report):
        if len(frame) == 0 and not spec.required and all(c in frame.columns for c in spec.required_columns):
            return (empty_table(spec.name).assign(**{ROW: pd.Series(dtype=int), REPAIRED: pd.Series(dtype=bool)}), None)
        return None, None

    out = pd.DataFrame({ROW: frame[ROW].to_numpy()}, index=frame.index)
    repaired = pd.Series(False, index=frame.index)
    keep = pd.Series(True, index=frame.index)
    errors: list[Problem] = []
    unusable = pd.Series(False, index=frame.index)  # lines with a value refused above
    frame, control = _strip_control_characters(frame, present)
    if control.any():
        tr.repair("control characters (such as NUL) removed", int(control.sum()))
        repaired |= control
        errors.append(
            problem_at(
                "warning", file, None, "control characters (such as NUL) removed from the text", frame.loc[control, ROW]
            )
        )
    for name in present:
        col = spec.column(name)
        words = mapping.words(name) if name in VALUE_COLUMNS else {}
        if words:
            said = frame[name].astype("string").str.strip().str.lower()
            report.words_seen.setdefault(name, set()).update(set(said.dropna().unique()) & set(words))
        parsed = _parse_column(frame[name], col.kind, name, mapping)
        out[name] = parsed.values
        if words and name not in ("direction", "rating"):
            theirs = parsed.values.astype("string").str.lower()
            translated = theirs.isin(list(words)).fillna(False).astype(bool)
            out[name] = parsed.values.where(~translated, theirs.map(words))
            tr.translate(f"{name} values", int(translated.sum()))
        problems, fixed, refused = _column_problems(name, col, parsed, frame, keep, tr, file, (min_date, today))
        errors += problems
        repaired |= fixed
        unusable |= refused
        if name == "customer_id":
            keep &= ~parsed.blank
    for p in errors:
        report.add(p)
    if any(p.severity == "error" for p in errors):
        # Every problem at once: the value rules too (a rating of 4.5 beside an unreadable one), on
        # the lines whose values could be read.
        readable = out.loc[keep & ~unusable].assign(**{REPAIRED: False})
        for p in _check_values(readable, spec, file):
            report.add(p)
        return None, None

    out[REPAIRED] = repaired
    out = out.loc[keep]
    dupes = out.drop(columns=[ROW, REPAIRED]).duplicated(keep="first")
    if dupes.any():
        rule, warning = duplicate_problem(file, frame, out, dupes, [c for c in out.columns if c not in (ROW, REPAIRED)])
        tr.exclude(rule, int(dupes.sum()))
        report.add(warning)
        out = out.loc[~dupes]
    refunds = None
    if spec.name == "transactions":
        negative = out["amount"] < 0
        refunds = out.loc[negative]
        tr.exclude("refund (negative amount), kept in Dataset.refunds", int(negative.sum()))
        out = out.loc[~negative]
        zero = int((out["amount"] == 0).sum())
        if zero:
            report.add(Problem("info", file, "amount", f"{zero:,} zero-amount lines kept as purchases (free items)"))
    problems = _check_values(out, spec, file)
    for p in problems:
        report.add(p)
    if problems:
        return None, None
    return out, refunds


def _engine_rules(source: LineSource, spec: TableSpec, mapping: ColumnMapping) -> dict[str, ColumnRule] | None:
    """The engine's rule for each contract column of ``source``; None when pandas must check the table.

    The engine checks the order lines; a column stored in a type it does not read fast, words the
    mapping translates and personal columns leave the table to pandas.
    """
    if spec.name != "transactions" or any(table == spec.name for table, _ in mapping.personal):
        return None
    rules = {}
    for name in (c for c in spec.column_names if c in source.types):
        kind = spec.column(name).kind
        rule = line_checks.column_rule(name, kind, source.types[name])
        if rule is None or (name in VALUE_COLUMNS and mapping.words(name)):
            return None
        # The fast rule reads 1.234 with a decimal point: right unless the column's mark is a comma.
        text_number = kind in ("amount", "number", "integer") and source.types[name] == "VARCHAR"
        if text_number and (
            mapping.decimal == "," or (mapping.decimal == "auto" and _decimal_mark(source, name) == ",")
        ):
            return None
        rules[name] = rule
    return rules


def _decimal_mark(source: LineSource, name: str) -> str:
    """The decimal mark of a text column as :func:`parsing.decimal_mark` reads it, from the values that decide it.

    Values without a point or a comma decide nothing. In a file screened when read, one plain
    decimal such as ``12.50`` settles it (a column mixing both marks was refused then).
    """
    db, c = source.con.con, line_checks.quote(name)
    if source.screened:
        plain = r"regexp_full_match({c}, '[-+]?[0-9]+\.[0-9]+') AND NOT regexp_full_match({c}, '[-+]?[0-9]{{1,3}}\.[0-9]{{3}}')"
        if db.sql(f"SELECT 1 FROM {source.relation} WHERE {plain.format(c=c)} LIMIT 1").fetchall():
            return "."
    marked = db.sql(f"SELECT {c} FROM {source.relation} WHERE regexp_matches({c}, '[.,]')").df()[name]
    return parsing.decimal_mark(marked).decimal


def _clean_in_engine(
    source: LineSource,
    spec: TableSpec,
    rules: dict[str, ColumnRule],
    mapping: ColumnMapping,
    tr: TableReport,
    report: LoadReport,
    today: pd.Timestamp | None,
    min_date: pd.Timestamp,
) -> tuple[OrderLines | None, pd.DataFrame | None]:
    """:func:`_clean_table` for order lines held in the engine: the same findings, as queries.

    Lines the fast rules read (most of them) are checked by aggregate queries; the other lines
    (repairs, bad values) are fetched and parsed by pandas alone. Returns (lines, refunds) or
    (None, None) when refused.
    """
    file, db = source.file, source.con.con
    tr.rows_read = source.rows + source.blank_rows
    tr.exclude("blank rows", source.blank_rows)
    if not _check_columns(source.columns, source.rows, spec, file, report):
        return None, None
    present = list(rules)
    q = line_checks.quote
    typed = ", ".join(f"{rules[n].value} AS {q(n)}" for n in present)
    dirty = " OR ".join(f"({rules[n].dirty})" for n in present)

    # One scan flags every line a rule names; the flagged lines are few and kept apart. The dirty
    # test (the costly one) is written once: a line is dirty, or gets the bits of the other rules.
    value = {n: f"({rules[n].value})" for n in present}  # typed, from the file's columns
    kept = f"{value['customer_id']} IS NOT NULL"
    conditions = {"blank customer_id": f"{value['customer_id']} IS NULL"}
    for name in present:
        col = spec.column(name)
        if col.need == "required" and name != "customer_id":
            conditions[f"missing {name}"] = f"{kept} AND {value[name]} IS NULL"
        if col.kind == "date":
            conditions[f"early {name}"] = f"{kept} AND {value[name]} < TIMESTAMP '{min_date:%Y-%m-%d}'"
            if today is not None:
                conditions[f"late {name}"] = f"{kept} AND {value[name]} > TIMESTAMP '{today:%Y-%m-%d}'"
    bits = " + ".join(f"CASE WHEN {c} THEN {2 ** (i + 1)} ELSE 0 END" for i, c in enumerate(conditions.values()))
    db.execute(
        f"CREATE TEMP TABLE flagged_lines AS SELECT * FROM (SELECT _row, {typed}, "
        f"CASE WHEN {dirty} THEN 1 ELSE {bits} END AS _flags FROM {source.relation}) WHERE _flags <> 0"
    )
    conditions = {"dirty": "_flags = 1"} | {key: f"(_flags & {2 ** (i + 1)}) <> 0" for i, key in enumerate(conditions)}
    db.execute(
        "CREATE TEMP VIEW flags AS SELECT * EXCLUDE (_flags), "
        + ", ".join(f"{c} AS {q(k)}" for k, c in conditions.items())
        + " FROM flagged_lines"
    )
    counted = ", ".join(f"count(*) FILTER (WHERE {q(k)})" for k in conditions)
    counts = dict(zip(conditions, db.sql(f"SELECT {counted} FROM flags").fetchall()[0], strict=True))

    # The dirty lines, as the file has them: parsed by pandas, as _clean_table does.
    raw = db.sql(f"SELECT * FROM {source.relation} LIMIT 0").df()
    if counts["dirty"]:
        raw = db.sql(
            f"SELECT * FROM {source.relation} WHERE _row IN (SELECT _row FROM flags WHERE dirty) ORDER BY _row"
        ).df()
    raw, control = _strip_control_characters(raw, present)
    # The column's decimal mark is a point (_engine_rules): the dirty lines alone must not decide it.
    as_read = dataclasses.replace(mapping, decimal=".") if mapping.decimal == "auto" else mapping
    parsed = {n: _parse_column(raw[n], spec.column(n).kind, n, as_read) for n in present}
    keep = ~parsed["customer_id"].blank
    repaired = control.copy()

    def engine(key: str, column: str, example: bool) -> Hits:
        return line_checks.engine_hits(db, "flags", q(key), counts[key], rules[column].example if example else None)

    errors: list[Problem] = []
    if control.any():
        tr.repair("control characters (such as NUL) removed", int(control.sum()))
        errors.append(
            problem_at(
                "warning", file, None, "control characters (such as NUL) removed from the text", raw.loc[control, ROW]
            )
        )
    for name in present:
        problems, fixed, _ = _column_problems(
            name, spec.column(name), parsed[name], raw, keep, tr, file, (min_date, today), engine
        )
        errors += problems
        repaired |= fixed
    found = errors
    for problem in found:
        report.add(problem)
    if any(problem.severity == "error" for problem in found):
        return None, None

    # The lines kept: the clean ones as the engine types them (read again from the file, not
    # copied), and the repaired ones as pandas parsed them.
    fixed = pd.DataFrame({ROW: raw[ROW], **{n: parsed[n].values for n in present}, REPAIRED: repaired}).loc[keep]
    db.execute(
        f"CREATE TEMP TABLE repaired_lines AS SELECT _row, {typed}, FALSE AS {REPAIRED} FROM {source.relation} LIMIT 0"
    )
    if len(fixed):
        db.register("fixed_lines", fixed)
        types = dict(db.sql("SELECT column_name, column_type FROM (DESCRIBE repaired_lines)").fetchall())
        casts = ", ".join(f"CAST({q(n)} AS {types[n]})" for n in present)
        db.execute(f"INSERT INTO repaired_lines SELECT _row, {casts}, {REPAIRED} FROM fixed_lines")
        db.unregister("fixed_lines")
    db.execute('CREATE TEMP TABLE excluded_lines AS SELECT _row FROM flags WHERE dirty OR "blank customer_id"')
    plain = ", ".join(f"{rules[n].value} AS {q(n)}" for n in present)  # no dirty test: those lines are excluded
    db.execute(
        f"CREATE TEMP VIEW kept_lines AS SELECT _row, {plain}, FALSE AS {REPAIRED} FROM {source.relation} "
        f"WHERE _row NOT IN (SELECT _row FROM excluded_lines) UNION ALL SELECT * FROM repaired_lines"
    )

    db.execute(f"CREATE TEMP TABLE duplicate_lines AS {line_checks.duplicate_rows('kept_lines', present)}")
    (duplicates,) = db.sql("SELECT count(*) FROM duplicate_lines").fetchall()[0]
    if duplicates:
        # The repeats and the lines they repeat, as the file has them and as typed: the message says
        # whether they differ in a column the contract ignores.
        pair = "SELECT _row FROM duplicate_lines UNION SELECT _first FROM duplicate_lines"
        typed_pairs = db.sql(f"SELECT * EXCLUDE ({REPAIRED}) FROM kept_lines WHERE _row IN ({pair}) ORDER BY _row").df()
        raw_pairs = db.sql(f"SELECT * FROM {source.relation} WHERE _row IN ({pair}) ORDER BY _row").df()
        repeats = typed_pairs[ROW].isin(db.sql("SELECT _row FROM duplicate_lines").df()[ROW])
        rule, warning = duplicate_problem(file, raw_pairs, typed_pairs, repeats, present)
        tr.exclude(rule, duplicates)
        report.add(warning)
    db.execute(
        "CREATE TEMP VIEW order_lines AS SELECT * FROM kept_lines WHERE _row NOT IN (SELECT _row FROM duplicate_lines)"
    )
    lines = source.con.table("order_lines")
    refunds = OrderLines(lines.filter(lines.amount < 0).drop(REPAIRED)).to_pandas()
    tr.exclude("refund (negative amount), kept in Dataset.refunds", len(refunds))
    (zero, loaded, with_repairs) = db.sql(
        f"SELECT count(*) FILTER (WHERE amount = 0), count(*), count(*) FILTER (WHERE {REPAIRED}) "
        "FROM order_lines WHERE amount >= 0"
    ).fetchall()[0]
    if zero:
        report.add(Problem("info", file, "amount", f"{zero:,} zero-amount lines kept as purchases (free items)"))
    # The schema's rules (_check_values) add nothing here: blanks and bad values are refused above,
    # and no value rule of the order lines' columns is left for it.
    kept = OrderLines(lines.filter(lines.amount >= 0).drop(REPAIRED), loaded)
    kept.rows_repaired = with_repairs
    return kept, refunds


def _exclude_unknown(
    frame: pd.DataFrame, known: pd.Index, table: str, tr: TableReport, report: LoadReport, against: str
) -> pd.DataFrame:
    unknown = ~frame["customer_id"].isin(known)
    if unknown.any():
        tr.exclude(f"customer not in {against}", int(unknown.sum()))
        report.add(
            problem_at(
                "warning",
                tr.file or table,
                "customer_id",
                f"customer not in {against}; row excluded",
                frame.loc[unknown, ROW],
                examples=frame.loc[unknown, "customer_id"],
            )
        )
    return frame.loc[~unknown]


def _mapping_file(mapping: ColumnMapping) -> str:
    return Path(mapping.source).name if mapping.source else "the mapping file"


#: Exclusions that do not count against ``max_excluded``: blank rows hold nothing, refunds are kept apart.
_NOT_LOST = ("blank rows", "refund (negative amount), kept in Dataset.refunds")


def _excluded_share_problem(tr: TableReport, most: float) -> Problem | None:
    """The error for a table that lost more than ``most`` of its lines to exclusions, or None.

    Examples
    --------
    >>> tr = TableReport("transactions", "t.csv", rows_read=100)
    >>> tr.exclude("blank customer_id", 95)
    >>> print(_excluded_share_problem(tr, 0.5))
    ERROR t.csv: 95 of 100 lines (95%) were excluded (blank customer_id 95): what is left no longer stands for the file; expected at most 50% of the lines excluded: fix the lines (a blank id often comes from merged cells in a spreadsheet), or raise max_excluded in the mapping
    """
    lost = {rule: n for rule, n in tr.excluded.items() if rule not in _NOT_LOST}
    base = tr.rows_read - tr.excluded.get("blank rows", 0)
    if tr.file is None or base <= 0 or sum(lost.values()) <= most * base:
        return None
    n = sum(lost.values())
    return Problem(
        "error",
        tr.file,
        None,
        f"{n:,} of {base:,} lines ({n / base:.0%}) were excluded ("
        + ", ".join(f"{rule} {count:,}" for rule, count in lost.items())
        + "): what is left no longer stands for the file",
        expected=f"at most {most:.0%} of the lines excluded: fix the lines (a blank id often comes from merged "
        "cells in a spreadsheet), or raise max_excluded in the mapping",
    )


def _order_span(lines: pd.DataFrame | OrderLines) -> pd.DataFrame:
    """Each customer's first and last order date (``first_order``, ``last_order``), indexed by ``customer_id``."""
    if isinstance(lines, OrderLines):
        t = lines.table
        span = t.group_by("customer_id").aggregate(first_order=t.order_date.min(), last_order=t.order_date.max())
        frame = span.to_pyarrow().to_pandas(date_as_object=False).set_index("customer_id")
        return frame.astype("datetime64[us]")
    return lines.groupby("customer_id")["order_date"].agg(first_order="min", last_order="max")


def _warn_misleading(frames: dict[str, pd.DataFrame | None], report: LoadReport, mapping: ColumnMapping) -> None:
    """Warnings about values that would mislead the analyses (see :mod:`segmentation.data.checks`)."""
    where = _mapping_file(mapping)
    found: list[Problem] = []
    if frames["interactions"] is not None:
        found += checks.channel_problems(frames["interactions"], report.tables["interactions"].file, where)
    if frames["churn_events"] is not None:
        found += checks.reason_problems(frames["churn_events"], report.tables["churn_events"].file, where)
    customers, events = frames["customers"], frames["churn_events"]
    if events is not None or (customers is not None and "first_deal_date" in customers.columns):
        files = {t: report.tables[t].file or f"{t}.csv" for t in ("customers", "churn_events")}
        found += checks.contradiction_problems(_order_span(frames["transactions"]), customers, events, files)
    files = {
        column: report.tables[t].file
        for column in mapping.values
        for t, spec in TABLES.items()
        if frames.get(t) is not None and (column in spec.column_names)
    }
    if "channel" in mapping.values and "preferred_channel" not in mapping.values and frames["customers"] is not None:
        report.words_seen.setdefault("channel", set()).update(report.words_seen.get("preferred_channel", set()))
    found += checks.unused_word_problems(mapping.values, report.words_seen, files, where)
    for p in found:
        report.add(p)


def _flag_complaints(interactions: pd.DataFrame, report: LoadReport, mapping: ColumnMapping) -> pd.DataFrame:
    """The contacts with the ``complaint`` column; the count per rule in the report."""
    column = mapping.complaint_column
    found = find_complaints(
        interactions, column=column, values=mapping.complaint_values, keywords=mapping.complaint_keywords
    )
    report.complaints = dict(found.counts)
    built_in = {w for words in COMPLAINT_KEYWORDS.values() for w in words}
    declared = [f"{column} is {v!r}" for v in mapping.complaint_values if v not in COMPLAINT_VALUES]
    declared += [f"keyword {w!r} in {column}" for w in mapping.extra_complaint_keywords if w not in built_in]
    file = report.tables["interactions"].file or "interactions"
    for p in checks.complaint_problems(
        interactions, found, file, _mapping_file(mapping), column=column, declared=declared
    ):
        report.add(p)
    return interactions.assign(**{COMPLAINT: found.flags.to_numpy()})


def _finish(frame: pd.DataFrame | OrderLines, tr: TableReport, table: str) -> pd.DataFrame | OrderLines:
    if isinstance(frame, OrderLines):
        tr.rows_loaded, tr.rows_repaired = len(frame), frame.rows_repaired
        return frame
    tr.rows_loaded = len(frame)
    tr.rows_repaired = int(frame[REPAIRED].sum())
    columns = [c for c in TABLES[table].column_names if c in frame.columns]
    return frame[columns].reset_index(drop=True)


def _dates(today: date | str | None, min_date: date | str) -> tuple[pd.Timestamp | None, pd.Timestamp]:
    """``today`` and ``min_date`` read as dates, before any file is read."""
    return (None if today is None else as_date(today, name="today")), as_date(min_date, name="min_date")


def _load(
    path: str | Path, mapping: ColumnMapping | str | Path | dict | None, today: date | str | None, min_date: date | str
) -> tuple[Dataset | None, LoadReport]:
    today, min_date = _dates(today, min_date)
    root = Path(path)
    report = LoadReport(str(root))
    if not root.is_dir():
        report.add(
            Problem("error", str(root), None, "no such data directory", expected="a folder with transactions.csv")
        )
        return None, report
    if mapping is not None:
        mapping = ColumnMapping.coerce(mapping)
    elif (root / "mapping.yaml").is_file():
        try:
            mapping = ColumnMapping.load(root / "mapping.yaml")
        except ConfigError as exc:
            report.add(Problem("error", "mapping.yaml", None, str(exc).split(": ", 1)[-1]))
            return None, report
        report.add(Problem("info", "mapping.yaml", None, "column mapping applied"))
    mapping = mapping or ColumnMapping()
    raws: dict[str, RawTable | None] = {}
    for table, file in _discover(root, mapping, report).items():
        source = None
        parquet = file is not None and file.suffix.lower() == ".parquet"
        if table == "transactions" and parquet and table not in mapping.sheets and table not in mapping.header_rows:
            source = parquet_source(file, table, mapping)  # scanned where it lies
        raws[table] = source or (read_table(file, table, mapping) if file is not None else None)
    return _build(raws, report, mapping, today, min_date)


def _to_engine(raw: RawTable | LineSource, mapping: ColumnMapping) -> tuple[RawTable | LineSource, dict | None]:
    """The table as the engine will check it, with its column rules; or as pandas will (rules None)."""
    spec = TABLES[raw.table]
    if isinstance(raw, RawTable):
        if spec.name != "transactions" or len(raw.frame) < engine_min_lines():
            return raw, None
        source = frame_source(raw)
        if source is None:
            return raw, None
        rules = _engine_rules(source, spec, mapping)
        return (source, rules) if rules is not None else (raw, None)
    rules = _engine_rules(raw, spec, mapping)
    if rules is not None or not raw.ok:
        return raw, rules
    frame = raw.con.con.sql(f"SELECT * FROM {raw.relation} ORDER BY _row").df()  # pandas checks it after all
    return RawTable(raw.table, raw.file, frame, problems=raw.problems, blank_rows=raw.blank_rows), None


def _orphan_lines(lines: OrderLines, known: pd.Index, file: str) -> Problem | None:
    """The error for order lines whose customer is not in the customer table, found in the engine."""
    import ibis

    ids = ibis.memtable(pd.DataFrame({"customer_id": pd.Series(known, dtype="str")}))
    orphans = lines.table.anti_join(ids, "customer_id")
    count = int(orphans.count().to_pyarrow().as_py())
    if count == 0:
        return None
    rows = orphans.order_by("_row").limit(SHOWN).select("_row").to_pyarrow().column(0).to_pylist()
    first = orphans.group_by("customer_id").aggregate(first=orphans._row.min()).order_by("first").limit(2 * SHOWN)
    examples = first.to_pyarrow().to_pylist()
    hits = Hits(count, tuple(rows), tuple((e["first"], e["customer_id"]) for e in examples))
    return merged_problem(
        "error",
        file,
        "customer_id",
        "customer not in the customer table",
        [hits],
        expected="every customer of an order listed in customers",
    )


def _build(
    raws: dict[str, RawTable | LineSource | None],
    report: LoadReport,
    mapping: ColumnMapping,
    today: date | str | None,
    min_date: date | str,
) -> tuple[Dataset | None, LoadReport]:
    """Clean every table read, then check across tables."""
    today_ts, min_ts = _dates(today, min_date)
    frames: dict[str, pd.DataFrame | None] = {}
    refunds = None
    for table in TABLES:
        raw = raws.get(table)
        tr = report.tables[table] = TableReport(table, raw.file if raw else None)
        if raw is None:
            frames[table] = None
            if not TABLES[table].required:
                report.add(
                    Problem("info", f"{table}.csv", None, f"no {table} table; analyses that need it will say so")
                )
            continue
        tr.encoding, tr.delimiter = raw.encoding, raw.delimiter
        for p in raw.problems:
            report.add(p)
        if not raw.ok:
            frames[table] = None
            continue
        raw, rules = _to_engine(raw, mapping)
        if rules is not None:
            frame, table_refunds = _clean_in_engine(raw, TABLES[table], rules, mapping, tr, report, today_ts, min_ts)
        else:
            frame, table_refunds = _clean_table(raw, TABLES[table], mapping, tr, report, today_ts, min_ts)
        frames[table] = frame
        if table == "transactions":
            refunds = table_refunds
    if not report.ok:
        return None, report

    tx = frames["transactions"]
    customers = frames["customers"]
    derived = customers is None
    if derived:
        known = pd.Index(tx.customer_ids() if isinstance(tx, OrderLines) else tx["customer_id"].unique())
        against = "the transactions (no customer table)"
    elif isinstance(tx, OrderLines):
        known = pd.Index(customers["customer_id"])
        orphans = _orphan_lines(tx, known, report.tables["transactions"].file)
        if orphans is not None:
            report.add(orphans)
            return None, report
        against = "the customer table"
    else:
        known = pd.Index(customers["customer_id"])
        orphan = ~tx["customer_id"].isin(known)
        if orphan.any():
            report.add(
                problem_at(
                    "error",
                    report.tables["transactions"].file,
                    "customer_id",
                    "customer not in the customer table",
                    tx.loc[orphan, ROW],
                    expected="every customer of an order listed in customers",
                    examples=tx.loc[orphan, "customer_id"],
                )
            )
            return None, report
        against = "the customer table"
    for table in ("interactions", "surveys", "churn_events"):
        if frames[table] is not None:
            frames[table] = _exclude_unknown(frames[table], known, table, report.tables[table], report, against)
    for tr in report.tables.values():
        too_many = _excluded_share_problem(tr, mapping.max_excluded)
        if too_many is not None:
            report.add(too_many)
    if not report.ok:
        return None, report
    _warn_misleading(frames, report, mapping)
    final = {t: _finish(f, report.tables[t], t) if f is not None else None for t, f in frames.items()}
    if final["interactions"] is not None:
        final["interactions"] = _flag_complaints(final["interactions"], report, mapping)
    if derived:
        final["customers"] = derive_customers(final["transactions"])
        report.add(
            Problem(
                "info", "customers.csv", None, f"customers derived from the transactions: {len(final['customers']):,}"
            )
        )
    for table, column in mapping.personal:
        frame = final[table]
        if isinstance(frame, pd.DataFrame) and column in frame.columns:
            final[table] = frame.assign(**{column: frame[column].astype(object).map(mask_name)})
            report.add(Problem("info", f"{table}.csv", column, "masked when loaded: declared personal in the mapping"))
    refunds = refunds[[c for c in TABLES["transactions"].column_names if c in refunds.columns]]
    for table, tr in report.tables.items():
        assert tr.file is None or tr.balanced, f"row accounting broken for {table}"
    lines = final["transactions"]
    engine = isinstance(lines, OrderLines)
    dataset = Dataset(
        transactions=None if engine else lines,
        lines=lines if engine else None,
        customers=final["customers"],
        interactions=final["interactions"],
        surveys=final["surveys"],
        churn_events=final["churn_events"],
        refunds=refunds.reset_index(drop=True),
        report=report,
        customers_derived=derived,
        language=mapping.language,
    )
    return dataset, report


def load_frames(
    *,
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    interactions: pd.DataFrame | None = None,
    surveys: pd.DataFrame | None = None,
    churn_events: pd.DataFrame | None = None,
    source: str = "frames",
    today: date | str | None = None,
    min_date: date | str = DEFAULT_MIN_DATE,
) -> Dataset:
    """Validate in-memory tables with the same rules as :func:`load_dataset`.

    Columns must already carry contract names; values may be text or typed. Problems
    name the table as ``<table> (frame)`` and rows as ``row index + 2``.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["1"], "order_id": ["a"], "order_date": ["2024-01-31"], "amount": ["9"]})
    >>> load_frames(transactions=tx).transactions["amount"].tolist()
    [9.0]
    """
    today, min_date = _dates(today, min_date)
    given = {
        "transactions": transactions,
        "customers": customers,
        "interactions": interactions,
        "surveys": surveys,
        "churn_events": churn_events,
    }
    raws = {}
    for table, frame in given.items():
        if frame is not None:
            frame = frame.reset_index(drop=True)
            raws[table] = RawTable(table, f"{table} ({source})", frame.assign(**{ROW: range(2, len(frame) + 2)}))
    dataset, report = _build(raws, LoadReport(source), ColumnMapping(), today, min_date)
    if dataset is None:
        raise DataContractError(report.problems, report)
    return dataset


def check_dataset(
    path: str | Path,
    *,
    mapping: ColumnMapping | str | Path | dict | None = None,
    today: date | str | None = None,
    min_date: date | str = DEFAULT_MIN_DATE,
) -> LoadReport:
    """Check a data directory and return the full report, usable or not.

    Parameters are those of :func:`load_dataset`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "transactions.csv").write_text("customer_id,order_id,order_date,amount\\nC1,o1,2024-13-01,5\\n")
    >>> report = check_dataset(d)
    >>> report.ok, str(report.errors[0])
    (False, "ERROR transactions.csv, column 'order_date', row 2: cannot be read as date (got '2024-13-01'); expected a date such as 2024-05-31 (add other formats under date_formats in a mapping file)")
    """
    return _load(path, mapping, today, min_date)[1]


def load_with_report(
    path: str | Path,
    *,
    mapping: ColumnMapping | str | Path | dict | None = None,
    today: date | str | None = None,
    min_date: date | str = DEFAULT_MIN_DATE,
) -> tuple[Dataset | None, LoadReport]:
    """The data set (None when it is not usable) and the full report, in one reading.

    For checks that need the loaded data as well as the report (``segmentation validate`` grades the tiers).
    Parameters are those of :func:`load_dataset`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "transactions.csv").write_text("customer_id,order_id,order_date,amount\\nC1,o1,2024-01-01,5\\n")
    >>> dataset, report = load_with_report(d)
    >>> len(dataset.transactions), report.ok
    (1, True)
    """
    return _load(path, mapping, today, min_date)


def load_dataset(
    path: str | Path,
    *,
    mapping: ColumnMapping | str | Path | dict | None = None,
    today: date | str | None = None,
    min_date: date | str = DEFAULT_MIN_DATE,
) -> Dataset:
    """Load and validate the contract tables in a data directory.

    Parameters
    ----------
    path : str or Path
        Folder holding ``transactions.csv`` (or ``.parquet``/``.xlsx``) and optionally
        ``customers``, ``interactions``, ``surveys`` and ``churn_events`` files.
    mapping : ColumnMapping, YAML file or dict, optional
        The team's names for files and columns. Defaults to ``mapping.yaml`` in ``path``
        when present, else the contract names.
    today : date or str, optional
        Rows dated after this day are refused as future dates. Library code never reads
        the clock; the command line passes the machine's date.
    min_date : date or str, default "1990-01-01"
        Rows dated before this day are refused as implausible.

    Returns
    -------
    Dataset
        Typed frames and the load report (``dataset.report``).

    Raises
    ------
    DataContractError
        When the data is not usable; it lists every problem at once and carries the report.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "transactions.csv").write_text(
    ...     "customer_id,order_id,order_date,amount\\n007 ,o1,2024-03-01,\\"1,200\\"\\n007,o2,2024-03-05,-50\\n")
    >>> ds = load_dataset(d)
    >>> ds.transactions[["customer_id", "amount"]].values.tolist(), len(ds.refunds)
    ([['007', 1200.0]], 1)
    """
    dataset, report = _load(path, mapping, today, min_date)
    if dataset is None:
        raise DataContractError(report.problems, report)
    return dataset


__all__ = ["DEFAULT_MIN_DATE", "REPAIRED", "check_dataset", "load_dataset", "load_frames", "load_with_report"]
