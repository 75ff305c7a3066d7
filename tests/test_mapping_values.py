"""The mapping file's values, complaints, language, sheet and header_row; the warnings about misleading values."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from segmentation import ColumnMapping, ConfigError, Dataset, check_dataset, load_dataset
from segmentation.cli import main
from segmentation.data.complaints import is_complaint
from segmentation.data.mapping import VALUE_COLUMNS

TX = "customer_id,order_id,order_date,amount,category\nC1,o1,2024-01-05,10,硬件\nC2,o2,2024-01-06,5,软件\n"
CUSTOMERS = (
    "customer_id,industry,size_band,region,need_type,preferred_channel\n"
    "C1,制造业,大型,华东,综合,电话\nC2,零售,小型,华南,产品,微信\n"
)
CONTACTS = "customer_id,date,channel,direction,topic\n"
CHURN = "customer_id,date,reason\n"


def folder(tmp_path, mapping=None, **files):
    for name, text in {"transactions": TX, **files}.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    if mapping is not None:
        (tmp_path / "mapping.yaml").write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    return tmp_path


def contacts(*rows):
    return CONTACTS + "".join(f"C1,2024-02-{i + 1:02d},{row}\n" for i, row in enumerate(rows))


def test_values_translate_every_categorical_column(tmp_path):
    mapping = {
        "values": {
            "channel": {"电话": "phone", "微信": "sms_chat"},
            "direction": {"我方主动": "proactive"},
            "topic": {"投诉": "complaint"},
            "reason": {"价格原因": "price"},
            "industry": {"制造业": "manufacturing", "零售": "retail"},
            "size_band": {"大型": "large", "小型": "small"},
            "region": {"华东": "east", "华南": "south"},
            "need_type": {"综合": "comprehensive", "产品": "product"},
            "category": {"硬件": "hardware", "软件": "software"},
            "rating": {"还行": 3},
        }
    }
    data = folder(
        tmp_path,
        mapping,
        customers=CUSTOMERS,
        interactions=contacts("电话,我方主动,投诉", "微信,inbound,quote"),
        surveys="customer_id,date,rating\nC1,2024-03-01,还行\n",
        churn_events=CHURN + "C2,2024-06-01,价格原因\n",
    )
    ds = load_dataset(data)
    assert ds.transactions["category"].tolist() == ["hardware", "software"]
    assert ds.customers[["industry", "size_band", "region", "need_type", "preferred_channel"]].values.tolist() == [
        ["manufacturing", "large", "east", "comprehensive", "phone"],
        ["retail", "small", "south", "product", "sms_chat"],
    ]
    assert ds.interactions[["channel", "direction", "topic", "complaint"]].values.tolist() == [
        ["phone", "proactive", "complaint", True],
        ["sms_chat", "inbound", "quote", False],
    ]
    assert ds.surveys["rating"].tolist() == [3.0]
    assert ds.churn_events["reason"].tolist() == ["price"]
    assert ds.report.tables["interactions"].translated == {"channel values": 2, "topic values": 1}
    assert ds.report.ok, ds.report.to_text()
    assert all("core column absent" in p.message for p in ds.report.warnings), ds.report.to_text()
    assert "translated by the mapping 2: channel values" in ds.report.to_text()


def test_the_issues_channel_mapping_is_applied_not_ignored(tmp_path):
    """Issue 19: `values: channel: {电话: phone, 拜访: visit}` was accepted and ignored."""
    data = folder(tmp_path, {"values": {"channel": {"电话": "phone", "拜访": "visit"}}})
    (data / "interactions.csv").write_text(contacts("电话,proactive,", "拜访,proactive,"), encoding="utf-8")
    assert load_dataset(data).interactions["channel"].tolist() == ["phone", "visit"]


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"chanel": {"电话": "phone"}}, ["values", "unknown column 'chanel'", "'channel'", "'region'"]),
        ({"channel": {"电话": "telephone"}}, ["values.channel", "'telephone'", "'phone'", "'online_meeting'"]),
        ({"reason": {"价格原因": "cost"}}, ["values.reason", "'cost'", "'closed_business'"]),
        ({"direction": {"来访": "incoming"}}, ["values.direction", "'proactive', 'inbound'"]),
        ({"rating": {"还行": 7}}, ["values.rating", "7", "[1, 2, 3, 4, 5]"]),
        ({"rating": {"还行": "3"}}, ["values.rating", "'3'"]),
    ],
    ids=["unknown-column", "channel-target", "reason-target", "direction-target", "rating-range", "rating-text"],
)
def test_a_value_the_loader_does_not_use_is_an_error(tmp_path, values, words):
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump({"values": values}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        ColumnMapping.load(path)
    text = str(info.value)
    assert "mapping.yaml" in text and "not valid" in text
    for word in words:
        assert word in text, text


def test_a_bad_mapping_in_the_data_folder_is_a_load_error_naming_it(tmp_path):
    data = folder(tmp_path, {"values": {"channel": {"电话": "telephone"}}})
    report = check_dataset(data)
    assert not report.ok
    assert [(p.file, "values.channel" in p.message) for p in report.errors] == [("mapping.yaml", True)]


def test_every_contract_column_named_in_values_exists():
    from segmentation.data.contract import TABLES

    columns = {c for t in TABLES.values() for c in t.column_names}
    assert set(VALUE_COLUMNS) <= columns


@pytest.mark.parametrize(
    ("language", "expected"), [("zh", "zh"), ("zh_Hant", "zh_Hant"), ("zh-CN", "zh"), ("en", "en"), (None, None)]
)
def test_language_of_the_mapping(language, expected):
    data = {} if language is None else {"language": language}
    assert ColumnMapping.from_dict(data).language == expected


def test_unknown_language_is_refused():
    with pytest.raises(ConfigError, match=r"language.*en \(English\).*'fr'"):
        ColumnMapping.from_dict({"language": "fr"})


# Complaints


def test_complaints_by_declared_value_then_keyword_counted_per_rule(tmp_path):
    data = folder(
        tmp_path,
        {"values": {"topic": {"投诉": "complaint"}}, "complaints": {"keywords": {"zh": ["差评"]}}},
        interactions=contacts(
            "phone,proactive,投诉", "phone,proactive,客户投诉发货慢", "phone,inbound,差评", "phone,inbound,报价"
        ),
    )
    ds = load_dataset(data)
    assert ds.interactions["complaint"].tolist() == [True, True, True, False]
    assert ds.report.complaints == {
        "topic is 'complaint'": 1,
        "keyword '投诉' in topic": 1,
        "keyword '差评' in topic": 1,
    }
    note = next(p for p in ds.report.problems if "counted as complaints" in p.message)
    assert note.message == (
        "3 contacts counted as complaints: 1 by topic is 'complaint', 1 by keyword '投诉' in topic, "
        "1 by keyword '差评' in topic"
    )


def test_traditional_chinese_complaints_count_without_a_mapping(tmp_path):
    data = folder(
        tmp_path, interactions=contacts("phone,inbound,投訴", "phone,inbound,抱怨交期", "visit,proactive,拜訪")
    )
    assert load_dataset(data).interactions["complaint"].tolist() == [True, True, False]


def test_complaint_rule_that_matched_nothing_is_a_warning(tmp_path):
    data = folder(
        tmp_path,
        {"complaints": {"values": ["complaint", "问题反馈"], "keywords": {"zh": ["差评"]}}},
        interactions=contacts("phone,inbound,complaint"),
    )
    report = check_dataset(data)
    silent = sorted(p.message for p in report.warnings if p.file == "mapping.yaml")
    assert silent == [
        "the complaint rule keyword '差评' in topic of the mapping matched no contact",
        "the complaint rule topic is '问题反馈' of the mapping matched no contact",
    ]


def test_no_complaint_at_all_is_a_warning_with_the_fix(tmp_path):
    data = folder(
        tmp_path, interactions=contacts("phone,inbound,客户反馈", "phone,inbound,客户反馈", "visit,proactive,报价")
    )
    report = check_dataset(data)
    (warning,) = [p for p in report.warnings if p.column == "topic"]
    assert "no contact counted as a complaint" in warning.message
    assert "'客户反馈' (2)" in warning.message and "values: {topic: {客户反馈: complaint}}" in warning.message


def test_complaint_column_can_be_the_outcome(tmp_path):
    data = folder(
        tmp_path,
        {"complaints": {"column": "outcome", "values": ["escalated"]}},
        interactions=CONTACTS.rstrip("\n") + ",outcome\nC1,2024-02-01,phone,inbound,quote,escalated\n"
        "C1,2024-02-02,phone,inbound,complaint,done\n",
    )
    assert load_dataset(data).interactions["complaint"].tolist() == [True, False]
    with pytest.raises(ConfigError, match="complaints: column must be one of"):
        ColumnMapping.from_dict({"complaints": {"column": "channel"}})


def test_frames_not_loaded_get_the_default_rules():
    tx = pd.DataFrame(
        {"customer_id": ["1"], "order_id": ["a"], "order_date": pd.to_datetime(["2024-01-31"]), "amount": [9.0]}
    )
    contacts_ = pd.DataFrame(
        {"customer_id": ["1", "1"], "date": pd.to_datetime(["2024-01-01"] * 2), "topic": ["投诉", "Complaint: late"]}
    )
    ds = Dataset.from_frames(transactions=tx, interactions=contacts_)
    assert is_complaint(ds.interactions).tolist() == [True, True]


# Warnings about values that would mislead


def test_unnamed_channel_above_five_percent_warns_with_count_and_mapping_line(tmp_path):
    rows = ["电话,proactive,"] * 3 + ["visit,proactive,"] * 16 + ["飞书,proactive,"]  # 15% and 5%
    report = check_dataset(folder(tmp_path, interactions=contacts(*rows)))
    (warning,) = [p for p in report.warnings if p.column == "channel"]
    assert warning.file == "interactions.csv" and warning.count == 3
    assert "3 contacts (15%) have channel '电话', which no contact rule names" in warning.message
    assert "values: {channel: {电话: phone}}" in warning.message
    assert "飞书" not in str(report.warnings)  # 5% is not more than 5%


def test_mapped_channel_no_longer_warns(tmp_path):
    rows = ["电话,proactive,"] * 3 + ["visit,proactive,"] * 7
    report = check_dataset(folder(tmp_path, {"values": {"channel": {"电话": "phone"}}}, interactions=contacts(*rows)))
    assert not [p for p in report.warnings if p.column == "channel"]


def test_unknown_churn_reason_warns_with_rows_and_mapping_line(tmp_path):
    report = check_dataset(folder(tmp_path, churn_events=CHURN + "C1,2024-05-01,价格原因\nC2,2024-06-01,price\n"))
    (warning,) = [p for p in report.warnings if p.column == "reason"]
    assert warning.rows == (2,) and "reason '价格原因'" in warning.message
    assert "values: {reason: {价格原因: price}}" in warning.message
    assert report.ok


def test_mapping_word_found_nowhere_is_noted(tmp_path):
    data = folder(
        tmp_path, {"values": {"channel": {"电话": "phone", "电活": "phone"}}}, interactions=contacts("电话,proactive,")
    )
    (note,) = [p for p in check_dataset(data).problems if p.file == "mapping.yaml" and "values." in p.message]
    assert note.severity == "info"
    assert note.message == "values.channel: '电活' occurs nowhere in interactions.csv; check its spelling"


def test_validate_prints_the_warnings(tmp_path, capsys):
    data = folder(tmp_path, interactions=contacts("电话,proactive,", "电话,proactive,投诉"))
    assert main(["validate", str(data), "--today", "2025-10-01"]) == 0
    out = capsys.readouterr().out
    assert "have channel '电话'" in out and "values: {channel: {电话: phone}}" in out
    assert "1 contact counted as a complaint: 1 by keyword '投诉' in topic" in out


# Reading: sheet and header_row


def workbook(path, sheets: dict[str, list[list]]):
    with pd.ExcelWriter(path) as writer:
        for name, rows in sheets.items():
            width = max(len(r) for r in rows)
            pd.DataFrame([[*r, *[None] * (width - len(r))] for r in rows]).to_excel(
                writer, sheet_name=name, index=False, header=False
            )


ORDERS = [
    ["客户编号", "订单号", "下单日期", "金额"],
    ["007", "o1", "2024-03-01", 100],
    ["008", "o2", "2024-03-02", 250],
]
COLUMNS = {
    "transactions": {"客户编号": "customer_id", "订单号": "order_id", "下单日期": "order_date", "金额": "amount"}
}


@pytest.mark.parametrize("sheet", [2, "订单"])
def test_workbook_data_on_its_second_sheet_under_a_title(tmp_path, sheet):
    workbook(tmp_path / "导出.xlsx", {"说明": [["导出说明"]], "订单": [["订单导出 2025年3月"], [None], *ORDERS]})
    mapping = {"files": {"transactions": {"file": "导出.xlsx", "sheet": sheet, "header_row": 3}}, "columns": COLUMNS}
    ds = load_dataset(tmp_path, mapping=mapping)
    assert ds.transactions[["customer_id", "amount"]].values.tolist() == [["007", 100.0], ["008", 250.0]]
    assert ds.report.tables["transactions"].rows_read == 2


def test_rows_are_numbered_as_the_spreadsheet_shows_them_below_a_title(tmp_path):
    rows = [*ORDERS[:2], ["009", "o3", "yesterday", 5]]
    workbook(tmp_path / "导出.xlsx", {"订单": [["订单导出"], *rows]})
    mapping = {"files": {"transactions": {"file": "导出.xlsx", "header_row": 2}}, "columns": COLUMNS}
    (error,) = check_dataset(tmp_path, mapping=mapping).errors
    assert error.column == "order_date" and error.rows == (4,)


def test_csv_with_title_lines_above_the_header(tmp_path):
    text = "销售订单导出\n导出时间 2025-03-31\n" + TX
    (tmp_path / "订单.csv").write_bytes(text.encode("gbk"))
    mapping = {"files": {"transactions": {"file": "订单.csv", "header_row": 3}}}
    ds = load_dataset(tmp_path, mapping=mapping)
    assert ds.transactions["customer_id"].tolist() == ["C1", "C2"]
    assert ds.report.tables["transactions"].delimiter == ","


def test_a_missing_sheet_names_the_sheets(tmp_path):
    workbook(tmp_path / "transactions.xlsx", {"封面": [["x"]], "订单": ORDERS})
    report = check_dataset(tmp_path, mapping={"files": {"transactions": {"sheet": "销售"}}, "columns": COLUMNS})
    (error,) = report.errors
    assert error.file == "transactions.xlsx" and "sheet '销售'" in error.message
    assert "1 '封面', 2 '订单'" in error.expected


def test_a_sheet_for_a_csv_and_a_header_beyond_the_file_are_errors(tmp_path):
    folder(tmp_path)
    sheet = check_dataset(tmp_path, mapping={"files": {"transactions": {"sheet": 2}}})
    assert "not a workbook" in sheet.errors[0].message
    beyond = check_dataset(tmp_path, mapping={"files": {"transactions": {"header_row": 9}}})
    assert "header on row 9" in beyond.errors[0].message


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"file": "a.xlsx", "sheet": 0}, "sheet must be a sheet name or its position from 1, got 0"),
        ({"file": "a.xlsx", "header_row": "2"}, "header_row must be the row number of the header"),
        ({"file": "a.xlsx", "tab": 2}, "unknown keys ['tab']"),
        (["a.xlsx"], "a file name or {file: ..., sheet: ..., header_row: ...}"),
    ],
)
def test_file_entry_mistakes(entry, words):
    with pytest.raises(ConfigError) as info:
        ColumnMapping.from_dict({"files": {"transactions": entry}})
    assert words in str(info.value)


def test_validate_warns_about_an_empty_tier(tmp_path, capsys):
    """Amounts exported in 万 leave tiers A and B of the abc policy empty; sabc's S, A and B too."""
    (tmp_path / "transactions.csv").write_text(TX.replace(",10,", ",52.3,"), encoding="utf-8")
    assert main(["validate", str(tmp_path), "--today", "2025-10-01"]) == 0
    out = capsys.readouterr().out
    assert "tier A of policy abc has no customer as of 2024-01-06" in out
    assert "trailing-12-month revenue >= 500,000; the highest is 52.30" in out
    assert "tier B of policy abc" in out and "tier C" not in out
    assert main(["validate", str(tmp_path), "--today", "2025-10-01", "--policy", "sabc"]) == 0
    out = capsys.readouterr().out
    assert [f"tier {t} of policy sabc" in out for t in "SABC"] == [True, True, True, False]


def test_validate_gives_no_tier_warning_when_every_tier_is_filled(sample_dir, capsys):
    assert main(["validate", str(sample_dir), "--today", "2025-10-01"]) == 0
    out = capsys.readouterr().out
    assert "Warnings" not in out and "Usable: yes" in out


def test_the_mapping_example_of_the_data_contract_page_is_valid():
    from pathlib import Path

    page = (Path(__file__).parents[1] / "docs" / "data-contract.md").read_text(encoding="utf-8")
    example = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    mapping = ColumnMapping.from_dict(yaml.safe_load(example))
    assert mapping.language == "zh"
    assert (mapping.sheets, mapping.header_rows) == ({"transactions": 2}, {"transactions": 3})
    assert mapping.words("preferred_channel")["电话"] == "phone"
    assert "差评" in mapping.complaint_keywords["zh"] and "投诉" in mapping.complaint_keywords["zh"]
    error = page.split("```text\nmapping.yaml: the mapping is not valid:\n- ", 1)[1].split("\n", 1)[0]
    with pytest.raises(ConfigError) as info:
        ColumnMapping.from_dict({"values": {"channel": {"电话": "telephone"}}})
    assert error in str(info.value)
