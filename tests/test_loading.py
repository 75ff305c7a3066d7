"""Loading: typed frames, derived customers, mapping, encodings, row accounting."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from segmentation import ColumnMapping, ConfigError, DataContractError, Dataset, load_dataset
from segmentation.data.loading import load_frames
from segmentation.data.parsing import decimal_mark, parse_amounts, parse_dates

TX = "customer_id,order_id,order_date,amount\n"


def write(folder, name, text, encoding="utf-8"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode(encoding))
    return folder


def test_transactions_alone_are_enough_and_customers_are_derived(tmp_path):
    ds = load_dataset(write(tmp_path, "transactions.csv", TX + "00002,o1,2024-01-05,10\n00001,o2,2024-01-06,5\n"))
    assert ds.customers_derived
    assert ds.customers["customer_id"].tolist() == ["00001", "00002"]
    assert ds.missing_tables() == ["customers", "interactions", "surveys", "churn_events"]
    assert not ds.has("customers") and ds.has("transactions")


def test_types_of_loaded_frames(sample_dataset):
    tx = sample_dataset.transactions
    assert pd.api.types.is_string_dtype(tx["customer_id"]) and pd.api.types.is_string_dtype(tx["order_id"])
    assert pd.api.types.is_datetime64_any_dtype(tx["order_date"])
    assert pd.api.types.is_float_dtype(tx["amount"])
    assert pd.api.types.is_datetime64_any_dtype(sample_dataset.customers["first_deal_date"])
    assert set(sample_dataset.interactions["direction"]) <= {"proactive", "inbound"}
    assert sample_dataset.surveys["rating"].between(1, 5).all()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_encodings_load_the_same_chinese_text(tmp_path, encoding):
    text = TX.rstrip("\n") + ",product\nC1,o1,2024-01-05,10,激光打印机\n"
    ds = load_dataset(write(tmp_path, "transactions.csv", text, encoding))
    assert ds.transactions["product"].tolist() == ["激光打印机"]


def test_mapping_file_passed_explicitly(tmp_path):
    write(tmp_path, "orders.csv", "CustomerID,Invoice,InvoiceDate,Total,Extra\n0042,i1,2024-02-01,3\n")
    mapping = ColumnMapping.from_dict(
        {
            "files": {"transactions": "orders.csv"},
            "columns": {
                "transactions": {
                    "CustomerID": "customer_id",
                    "Invoice": "order_id",
                    "InvoiceDate": "order_date",
                    "Total": "amount",
                }
            },
        }
    )
    ds = load_dataset(tmp_path, mapping=mapping)
    assert ds.transactions["customer_id"].tolist() == ["0042"]
    assert any("ignored" in p.message and "Extra" in p.message for p in ds.report.problems)


def test_mapping_with_dayfirst_format(tmp_path):
    write(tmp_path, "transactions.csv", TX + "C1,o1,31/01/2024,1\n")
    with pytest.raises(DataContractError, match="cannot be read as date"):
        load_dataset(tmp_path)
    ds = load_dataset(tmp_path, mapping=ColumnMapping.from_dict({"date_formats": ["%d/%m/%Y"]}))
    assert ds.transactions["order_date"].tolist() == [pd.Timestamp("2024-01-31")]


def test_mapping_mistakes_are_reported_together(tmp_path):
    bad = {
        "columns": {"transactions": {"A": "client", "B": "amount", "C": "amount"}, "sales": {}},
        "colour": 1,
        "csv": {"delimiter": ";;"},
    }
    with pytest.raises(ConfigError) as info:
        ColumnMapping.from_dict(bad)
    text = str(info.value)
    for words in [
        "unknown keys ['colour']",
        "'client'",
        "several columns map to ['amount']",
        "unknown table 'sales'",
        "one character",
    ]:
        assert words in text


def test_every_problem_is_reported_at_once(tmp_path):
    write(tmp_path, "transactions.csv", TX + "C1,o1,not a date,1\nC2,o2,2024-01-01,x\n")
    write(tmp_path, "surveys.csv", "customer_id,date,rating\nC1,2024-01-01,9\n")
    with pytest.raises(DataContractError) as info:
        load_dataset(tmp_path)
    errors = info.value.report.errors
    assert {(p.file, p.column) for p in errors} == {
        ("transactions.csv", "order_date"),
        ("transactions.csv", "amount"),
        ("surveys.csv", "rating"),
    }
    assert "3 problems" in str(info.value)


def test_data_contract_error_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="no such data directory"):
        load_dataset(tmp_path / "nope")


def test_several_files_for_one_table_are_refused(tmp_path):
    write(tmp_path, "transactions.csv", TX + "C1,o1,2024-01-01,1\n")
    pd.DataFrame({"customer_id": ["C1"]}).to_parquet(tmp_path / "transactions.parquet")
    with pytest.raises(DataContractError, match="several files for table transactions"):
        load_dataset(tmp_path)


def test_future_dates_only_checked_against_given_today(tmp_path):
    write(tmp_path, "transactions.csv", TX + "C1,o1,2030-01-01,1\n")
    assert len(load_dataset(tmp_path).transactions) == 1
    with pytest.raises(DataContractError, match="in the future"):
        load_dataset(tmp_path, today="2026-01-01")


def test_load_frames_applies_the_same_rules():
    tx = pd.DataFrame(
        {
            "customer_id": [" 1", "2", "2"],
            "order_id": ["a", "b", "c"],
            "order_date": ["2024-01-01", "2024-01-02", "2024-01-03"],
            "amount": ["5", "-1", "¥3"],
        }
    )
    ds = load_frames(transactions=tx)
    assert ds.transactions["customer_id"].tolist() == ["1", "2"]
    assert ds.transactions["amount"].tolist() == [5.0, 3.0]
    t = ds.report.tables["transactions"]
    assert (t.rows_read, t.rows_loaded, t.rows_repaired, t.rows_excluded) == (3, 2, 2, 1)


def test_dataset_from_frames_derives_customers():
    tx = pd.DataFrame(
        {
            "customer_id": ["b", "a"],
            "order_id": ["1", "2"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "amount": [1.0, 2.0],
        }
    )
    ds = Dataset.from_frames(transactions=tx)
    assert ds.customers["customer_id"].tolist() == ["a", "b"]
    assert list(ds.customers.columns)[:6] == [
        "customer_id",
        "name",
        "industry",
        "size_band",
        "region",
        "first_deal_date",
    ]


def test_parse_amounts_handles_bracket_negatives_and_keeps_plain_numbers():
    parsed = parse_amounts(pd.Series(["(300)", "12.5", "", "1.2.3"]))
    assert parsed.values.tolist()[:2] == [-300.0, 12.5]
    assert parsed.repaired.tolist() == [True, False, False, False]
    assert parsed.bad.tolist() == [False, False, True, True]


def test_parse_dates_reads_excel_serials_only_in_a_plausible_range():
    parsed = parse_dates(pd.Series(["45352", "20", "2024-02-29", "2023-02-29"]))
    assert parsed.values[0] == pd.Timestamp("2024-03-01")
    assert parsed.bad.tolist() == [False, True, False, True]


def test_mapping_with_300000_aliases_names_the_columns_mapped_twice():
    """A generated mapping with very many aliases is checked whole (the check is linear in the aliases)."""
    targets = ("customer_id", "order_id", "order_date", "amount")
    renames = {f"alias {i}": targets[i % 4] for i in range(300_000)}
    renames["only once"] = "quantity"
    with pytest.raises(ConfigError) as info:
        ColumnMapping.from_dict({"columns": {"transactions": renames}})
    assert "several columns map to ['amount', 'customer_id', 'order_date', 'order_id']" in str(info.value)
    assert "quantity" not in str(info.value)


@pytest.mark.parametrize(
    ("texts", "decimal", "expected"),
    [
        (["1234,50", "12,5", "7"], "auto", [1234.5, 12.5, 7.0]),
        (["1,2", "1.234,56", "3"], "auto", [1.2, 1234.56, 3.0]),
        (["1,234.50", "12.5", "1,234"], "auto", [1234.5, 12.5, 1234.0]),
        (["1,234", "2,500"], "auto", [1234.0, 2500.0]),
        (["1,234", "2,500"], ",", [1.234, 2.5]),
        (["1.234", "2.500"], ",", [1234.0, 2500.0]),
        (["¥1.234,50", "(12,5)", "-3,25"], "auto", [1234.5, -12.5, -3.25]),
        (["12,34,567.50", "1.5"], "auto", [1234567.5, 1.5]),
    ],
    ids=["euro", "comma-in-quotes", "point", "thousands", "mapping-comma", "mapping-comma-dots", "marks", "indian"],
)
def test_parse_amounts_reads_the_decimal_mark_of_the_column(texts, decimal, expected):
    parsed = parse_amounts(pd.Series(texts), decimal=decimal)
    assert parsed.values.tolist() == pytest.approx(expected)
    assert not parsed.bad.any()


def test_parse_amounts_refuses_values_that_contradict_the_mark():
    assert parse_amounts(pd.Series(["1,234.50", "5"]), decimal=",").bad.tolist() == [True, False]
    assert parse_amounts(pd.Series(["1,5", "5"]), decimal=".").bad.tolist() == [True, False]


def test_decimal_mark_names_the_rows_of_each_convention():
    mark = decimal_mark(pd.Series(["1,5", "2.5", "1,234", "7"]))
    assert mark.decimal == "mixed"
    assert (mark.comma.tolist(), mark.dot.tolist(), mark.ambiguous.tolist()) == (
        [True, False, False, False],
        [False, True, False, False],
        [False, False, True, False],
    )


def test_parse_amounts_ceiling_marks_only_the_absurd_values():
    parsed = parse_amounts(pd.Series(["1e308", "-2e12", "999999999999", "inf"]), ceiling=1e12)
    assert parsed.bad.tolist() == [True, True, False, True]


def test_parse_dates_keeps_the_date_written_in_each_offset():
    parsed = parse_dates(
        pd.Series(["2024-03-01T23:30:00-05:00", "2024-03-01T00:30:00+08:00", "2024-03-01 10:00Z", "2024-03-02", ""])
    )
    assert parsed.values.dt.strftime("%Y-%m-%d").tolist()[:4] == ["2024-03-01"] * 3 + ["2024-03-02"]
    assert parsed.repaired.tolist() == [True, True, True, False, False]
    assert not parsed.bad[:4].any()


def test_mapping_decimal_and_max_amount_are_checked():
    with pytest.raises(ConfigError) as info:
        ColumnMapping.from_dict({"decimal": ";", "max_amount": -1})
    assert "'auto', '.' or ','" in str(info.value) and "a positive number" in str(info.value)
    mapping = ColumnMapping.from_dict({"decimal": ",", "max_amount": "1e15"})
    assert (mapping.decimal, mapping.max_amount) == (",", 1e15)
    assert ColumnMapping().max_amount == 1e12


def test_a_gbk_reading_of_latin1_text_is_doubted_and_examples_shown(tmp_path):
    """Latin-1 words that GB18030 decodes to rare characters: refused, with both readings."""
    text = TX.rstrip("\n") + ",product\nC1,o1,2024-01-05,10,Müller\nC1,o2,2024-01-06,5,Straße\n"
    write(tmp_path, "transactions.csv", text, "latin-1")
    with pytest.raises(DataContractError) as info:
        load_dataset(tmp_path)
    assert "as Latin-1 ('Müller')" in str(info.value)
    ds = load_dataset(tmp_path, mapping={"csv": {"encoding": "latin-1"}})
    assert ds.transactions["product"].tolist() == ["Müller", "Straße"]


def test_every_sheet_of_a_workbook_is_read_when_the_headers_agree(tmp_path):
    first = pd.DataFrame({"customer_id": ["1"], "order_id": ["a"], "order_date": ["2024-01-01"], "amount": [1.0]})
    second = first.assign(customer_id=["2"], order_id=["b"])
    with pd.ExcelWriter(tmp_path / "transactions.xlsx") as writer:
        first.to_excel(writer, sheet_name="2023", index=False)
        pd.DataFrame().to_excel(writer, sheet_name="blank", index=False)
        second.to_excel(writer, sheet_name="2024", index=False)
    ds = load_dataset(tmp_path)
    assert ds.transactions["customer_id"].tolist() == ["1", "2"]
    note = next(p for p in ds.report.problems if "sheets" in p.message)
    assert "'2023' 1 line (row 2), '2024' 1 line (row 3)" in note.message
    only = load_dataset(tmp_path, mapping={"files": {"transactions": {"sheet": "2024"}}})
    assert only.transactions["customer_id"].tolist() == ["2"]


@given(st.decimals(min_value=0, max_value=10**9, places=2), st.booleans())
def test_an_amount_written_either_way_reads_back(amount, european):
    """``1,234.50`` and ``1.234,50`` are the same amount; the column's own values tell which is which."""
    text = f"{amount:,.2f}"
    if european:
        text = text.translate(str.maketrans(",.", ".,"))
    parsed = parse_amounts(pd.Series([text]))
    assert parsed.values[0] == pytest.approx(float(amount)) and not parsed.bad[0]
