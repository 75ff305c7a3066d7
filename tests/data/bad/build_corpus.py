"""Write the bad-input corpus: one folder per case with its files and ``expected.yaml``.

The files are committed; this script documents how they were made and rebuilds them
(``python tests/data/bad/build_corpus.py``). ``expected.yaml`` says the documented outcome:
``loaded`` (with the row counts of the load report) or ``refused`` (with the problems that
must be named: file, column, rows and words of the message).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
TX = "customer_id,order_id,order_date,amount\n"
CUST = "customer_id,name,industry,size_band,region,first_deal_date\n"
GOOD_TX = TX + "C001,O1,2024-03-01,100\nC002,O2,2024-03-02,200\n"
GOOD_CUST = CUST + "C001,Alpha,retail,small,east,2023-01-01\nC002,Beta,energy,large,north,2022-05-01\n"
INTER = "customer_id,date,channel,direction,owner,response_hours\n"
SURV = "customer_id,date,rating\n"

CASES: dict[str, dict] = {}


def case(name: str, description: str, files: dict[str, str | bytes], expected: dict) -> None:
    CASES[name] = {"files": files, "expected": {"description": description, **expected}}


def counts(read: int, loaded: int, repaired: int = 0, excluded: int = 0) -> dict:
    return {"read": read, "loaded": loaded, "repaired": repaired, "excluded": excluded}


def err(file: str, column: str | None, message: str, rows: list[int] | None = None) -> dict:
    return {"severity": "error", "file": file, "column": column, "message": message, "rows": rows or []}


case(
    "missing_transactions_file",
    "Only a customer file; transactions are required.",
    {"customers.csv": GOOD_CUST},
    {"outcome": "refused", "problems": [err("transactions.csv", None, "no transactions file")]},
)
case(
    "missing_required_column",
    "transactions without an amount column.",
    {"transactions.csv": "customer_id,order_id,order_date\nC001,O1,2024-03-01\n"},
    {"outcome": "refused", "problems": [err("transactions.csv", "amount", "required column missing")]},
)
case(
    "empty_file",
    "A zero-byte transactions file.",
    {"transactions.csv": ""},
    {"outcome": "refused", "problems": [err("transactions.csv", None, "the file is empty")]},
)
case(
    "header_only",
    "A transactions file with a header and no records.",
    {"transactions.csv": TX},
    {"outcome": "refused", "problems": [err("transactions.csv", None, "no records")]},
)
case(
    "header_only_optional_table",
    "An optional table (surveys) with only a header loads, with a warning.",
    {"transactions.csv": GOOD_TX, "surveys.csv": SURV},
    {"outcome": "loaded", "counts": {"transactions": counts(2, 2), "surveys": counts(0, 0)}},
)
case(
    "unparseable_dates",
    "Dates that are not dates.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,1\nC001,O2,2024-13-45,1\nC002,O3,yesterday,1\n"},
    {"outcome": "refused", "problems": [err("transactions.csv", "order_date", "cannot be read as date", [3, 4])]},
)
case(
    "future_dates",
    "An order dated 2099, checked against today = 2025-10-01.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,1\nC001,O2,2099-01-01,1\n"},
    {
        "outcome": "refused",
        "today": "2025-10-01",
        "problems": [err("transactions.csv", "order_date", "date in the future", [3])],
    },
)
case(
    "pre_1990_dates",
    "An order dated 1985: implausible for this data.",
    {"transactions.csv": TX + "C001,O1,1985-03-01,1\nC001,O2,2024-03-01,1\n"},
    {"outcome": "refused", "problems": [err("transactions.csv", "order_date", "date before 1990-01-01", [2])]},
)
case(
    "mixed_date_formats",
    "ISO, slashes, compact and Chinese dates in one column: read, counted as repaired.",
    {
        "transactions.csv": TX + "C001,O1,2024-03-01,1\nC001,O2,2024/03/05,1\nC001,O3,20240306,1\n"
        "C001,O4,2024年3月7日,1\n"
    },
    {"outcome": "loaded", "counts": {"transactions": counts(4, 4, repaired=3)}},
)
case(
    "excel_serial_dates",
    "Dates exported by Excel as serial day numbers (45352 = 2024-03-01).",
    {"transactions.csv": TX + "C001,O1,45352,1\nC001,O2,2024-03-02,1\n"},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 2, repaired=1)},
        "values": {"transactions": {"order_date": ["2024-03-01", "2024-03-02"]}},
    },
)
case(
    "non_numeric_amounts",
    "Amounts that are words or blank.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,abc\nC001,O2,2024-03-02,\nC001,O3,2024-03-03,5\n"},
    {
        "outcome": "refused",
        "problems": [
            err("transactions.csv", "amount", "cannot be read as amount", [2]),
            err("transactions.csv", "amount", "missing value", [3]),
        ],
    },
)
case(
    "amount_text",
    "Amounts with thousands separators and currency marks are repaired.",
    {
        "transactions.csv": TX
        + 'C001,O1,2024-03-01,"1,234.50"\nC001,O2,2024-03-02,¥1200\nC001,O3,2024-03-03,"￥1,200元"\n'
        'C001,O4,2024-03-04,99.5\nC001,O5,2024-03-05,"¥1,200"\n'
    },
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(5, 5, repaired=4)},
        "values": {"transactions": {"amount": [1234.5, 1200.0, 1200.0, 99.5, 1200.0]}},
    },
)
case(
    "refunds",
    "A negative line is a refund: excluded from purchases, kept in Dataset.refunds, counted.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,100\nC001,O1R,2024-03-05,-100\nC002,O2,2024-03-02,50\n"},
    {"outcome": "loaded", "counts": {"transactions": counts(3, 2, excluded=1)}, "refunds": 1},
)
case(
    "zero_amounts",
    "Zero-amount lines are free items: kept, and noted.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,0\nC001,O2,2024-03-02,10\n"},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 2)},
        "problems": [{"severity": "info", "file": "transactions.csv", "column": "amount", "message": "zero-amount"}],
    },
)
case(
    "duplicate_lines",
    "An exact duplicate line is excluded once and counted.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,100\nC001,O1,2024-03-01,100\nC002,O2,2024-03-02,50\n"},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(3, 2, excluded=1)},
        "problems": [
            {"severity": "warning", "file": "transactions.csv", "column": None, "message": "duplicate", "rows": [3]}
        ],
    },
)
case(
    "ids_leading_zeros_and_spaces",
    "Ids keep leading zeros; spaces around them are trimmed and counted.",
    {"transactions.csv": TX + " 007,O1,2024-03-01,1\n007 ,O2,2024-03-02,1\n00001,O3,2024-03-03,1\n"},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(3, 3, repaired=2)},
        "values": {"transactions": {"customer_id": ["007", "007", "00001"]}},
    },
)
case(
    "blank_ids",
    "A line without customer id cannot be attributed: excluded, counted, warned.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,1\n,O2,2024-03-02,1\n"},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 1, excluded=1)},
        "problems": [
            {
                "severity": "warning",
                "file": "transactions.csv",
                "column": "customer_id",
                "message": "blank customer id",
                "rows": [3],
            }
        ],
    },
)
case(
    "duplicated_header",
    "The same column twice in the header.",
    {"transactions.csv": "customer_id,order_id,order_date,amount,amount\nC001,O1,2024-03-01,1,2\n"},
    {"outcome": "refused", "problems": [err("transactions.csv", "amount", "appears twice")]},
)
case(
    "trailing_empty_rows",
    "Empty lines and ',,,' rows at the end (as Excel writes them) are counted.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,1\n,,,\n\n,,,\n"},
    {"outcome": "loaded", "counts": {"transactions": counts(4, 1, excluded=3)}},
)
case(
    "gbk_encoding",
    "A GBK file (Excel on Chinese Windows) with Chinese products.",
    {
        "transactions.csv": (
            TX.rstrip("\n") + ",product\nC001,O1,2024-03-01,1,打印机\nC002,O2,2024-03-02,2,墨盒\n"
        ).encode("gbk")
    },
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 2)},
        "encoding": "gb18030",
        "values": {"transactions": {"product": ["打印机", "墨盒"]}},
    },
)
case(
    "utf8_bom",
    "UTF-8 with a byte-order mark (Excel's 'CSV UTF-8').",
    {"transactions.csv": b"\xef\xbb\xbf" + GOOD_TX.encode()},
    {"outcome": "loaded", "counts": {"transactions": counts(2, 2)}, "encoding": "utf-8-sig"},
)
case(
    "semicolon_delimiter",
    "A ';' file (European Excel) is read with the delimiter that fits the header.",
    {"transactions.csv": GOOD_TX.replace(",", ";")},
    {"outcome": "loaded", "counts": {"transactions": counts(2, 2)}, "delimiter": ";"},
)
case(
    "wrong_delimiter_in_mapping",
    "The mapping says ';' but the file uses ','.",
    {"transactions.csv": GOOD_TX, "mapping.yaml": "csv:\n  delimiter: ';'\n"},
    {
        "outcome": "refused",
        "problems": [err("transactions.csv", "customer_id, order_id, order_date, amount", "delimiter")],
    },
)
case(
    "duplicate_customer_ids",
    "Two different customers share an id.",
    {"transactions.csv": GOOD_TX, "customers.csv": GOOD_CUST + "C001,Gamma,retail,mid,west,2021-01-01\n"},
    {"outcome": "refused", "problems": [err("customers.csv", "customer_id", "duplicate customer id", [2, 4])]},
)
case(
    "unknown_customer_in_transactions",
    "An order for a customer missing from customers.csv.",
    {"transactions.csv": GOOD_TX + "C999,O3,2024-03-03,1\n", "customers.csv": GOOD_CUST},
    {
        "outcome": "refused",
        "problems": [err("transactions.csv", "customer_id", "customer not in the customer table", [4])],
    },
)
case(
    "unknown_customer_in_interactions",
    "A contact with somebody who is not a customer: excluded, counted.",
    {
        "transactions.csv": GOOD_TX,
        "customers.csv": GOOD_CUST,
        "interactions.csv": INTER + "C001,2024-03-04,phone,proactive,AM01,2\nX1,2024-03-04,phone,proactive,AM01,2\n",
    },
    {
        "outcome": "loaded",
        "counts": {"interactions": counts(2, 1, excluded=1)},
        "problems": [
            {
                "severity": "warning",
                "file": "interactions.csv",
                "column": "customer_id",
                "message": "customer not in the customer table",
                "rows": [3],
            }
        ],
    },
)
case(
    "ratings_outside_scale",
    "Ratings 0 and 6 on a 1-5 scale.",
    {"transactions.csv": GOOD_TX, "surveys.csv": SURV + "C001,2024-06-01,0\nC002,2024-06-01,6\nC001,2024-07-01,4\n"},
    {"outcome": "refused", "problems": [err("surveys.csv", "rating", "outside the 1-5 scale", [2, 3])]},
)
case(
    "ratings_as_words",
    "Ratings written as words in Chinese and English are mapped and counted.",
    {
        "transactions.csv": GOOD_TX,
        "surveys.csv": SURV + "C001,2024-06-01,满意\nC002,2024-06-01,Very Satisfied\nC001,2024-07-01,3\n",
    },
    {
        "outcome": "loaded",
        "counts": {"surveys": counts(3, 3, repaired=2)},
        "values": {"surveys": {"rating": [4.0, 5.0, 3.0]}},
    },
)
case(
    "truncated_last_line",
    "The export was cut off in the middle of the last line.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,1\nC002,O2,20"},
    {
        "outcome": "refused",
        "problems": [
            err("transactions.csv", "order_date", "cannot be read as date", [3]),
            err("transactions.csv", "amount", "missing value", [3]),
        ],
    },
)
case(
    "huge_text_field",
    "A product description of 200,000 characters loads.",
    {"transactions.csv": TX.rstrip("\n") + ",product\nC001,O1,2024-03-01,1," + "x" * 200_000 + "\n"},
    {"outcome": "loaded", "counts": {"transactions": counts(1, 1)}},
)
case(
    "mapping_chinese_headers",
    "A team's Chinese column names mapped with mapping.yaml.",
    {
        "transactions.csv": '客户编号,订单号,下单日期,金额\n00012,A1,2024-03-01,"1,000"\n',
        "mapping.yaml": "columns:\n  transactions:\n    客户编号: customer_id\n    订单号: order_id\n"
        "    下单日期: order_date\n    金额: amount\n",
    },
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(1, 1, repaired=1)},
        "values": {"transactions": {"customer_id": ["00012"], "amount": [1000.0]}},
    },
)
case(
    "unknown_direction",
    "A contact direction that is neither proactive nor inbound.",
    {"transactions.csv": GOOD_TX, "interactions.csv": INTER + "C001,2024-03-04,phone,sideways,AM01,2\n"},
    {"outcome": "refused", "problems": [err("interactions.csv", "direction", "not one of proactive, inbound", [2])]},
)
case(
    "negative_response_hours",
    "A reply before the question.",
    {"transactions.csv": GOOD_TX, "interactions.csv": INTER + "C001,2024-03-04,phone,proactive,AM01,-3\n"},
    {"outcome": "refused", "problems": [err("interactions.csv", "response_hours", "negative", [2])]},
)
case(
    "extra_field_in_line",
    "A line with one field too many (an unquoted comma).",
    {"transactions.csv": TX + "C001,O1,2024-03-01,1\nC002,O2,2024-03-02,1,200\n"},
    {"outcome": "refused", "problems": [err("transactions.csv", None, "cannot read the file")]},
)
case(
    "mapping_unknown_target",
    "A mapping that points at a column the contract does not have.",
    {"transactions.csv": GOOD_TX, "mapping.yaml": "columns:\n  transactions:\n    Kunde: client\n"},
    {"outcome": "refused", "problems": [err("mapping.yaml", None, "not a column of transactions")]},
)

case(
    "utf16_excel_unicode_text",
    "Excel's 'Unicode Text' export: UTF-16 with a byte-order mark, tab-separated.",
    {"transactions.csv": GOOD_TX.replace(",", "\t").encode("utf-16")},
    {"outcome": "loaded", "counts": {"transactions": counts(2, 2)}, "encoding": "utf-16", "delimiter": "\t"},
)
case(
    "latin1_file",
    "A Latin-1 file (é as byte 0xe9) is neither UTF-8 nor GBK: refused, naming the line and the fix.",
    {"transactions.csv": (TX.rstrip("\n") + ",product\nC001,O1,2024-03-01,1,café crème\n").encode("latin-1")},
    {"outcome": "refused", "problems": [err("transactions.csv", None, "cannot decode the file: line 2 has byte 0xe9")]},
)
case(
    "latin1_file_with_mapping",
    "The same Latin-1 file, with its encoding named in mapping.yaml.",
    {
        "transactions.csv": (TX.rstrip("\n") + ",product\nC001,O1,2024-03-01,1,café crème\n").encode("latin-1"),
        "mapping.yaml": "csv:\n  encoding: latin-1\n",
    },
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(1, 1)},
        "values": {"transactions": {"product": ["café crème"]}},
    },
)
case(
    "binary_garbage",
    "Bytes that are no text at all, named transactions.csv.",
    {"transactions.csv": bytes(range(256)) * 4},
    {"outcome": "refused", "problems": [err("transactions.csv", None, "cannot decode the file")]},
)
case(
    "nul_bytes",
    "A NUL byte inside an id (a broken export): removed, counted as a repair, warned.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,1\nC0\x0002,O2,2024-03-02,2\n"},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 2, repaired=1)},
        "values": {"transactions": {"customer_id": ["C001", "C002"]}},
        "problems": [
            {
                "severity": "warning",
                "file": "transactions.csv",
                "column": None,
                "message": "control characters (such as NUL) removed",
                "rows": [3],
            }
        ],
    },
)
case(
    "classic_mac_line_endings",
    "Lines ended by a carriage return only (old Mac exports).",
    {"transactions.csv": GOOD_TX.replace("\n", "\r")},
    {"outcome": "loaded", "counts": {"transactions": counts(2, 2)}},
)
case(
    "windows_line_endings",
    "Lines ended by CR LF.",
    {"transactions.csv": GOOD_TX.replace("\n", "\r\n")},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 2)},
        "values": {"transactions": {"amount": [100.0, 200.0]}},
    },
)
case(
    "header_case_and_spaces",
    "Header names in other case and with spaces match the contract, and the report says so.",
    {"transactions.csv": " Customer_ID , ORDER_ID ,Order_Date, Amount \nC001,O1,2024-03-01,1\n"},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(1, 1)},
        "problems": [
            {
                "severity": "info",
                "file": "transactions.csv",
                "column": None,
                "message": "columns matched ignoring case and spaces",
            }
        ],
    },
)
case(
    "amount_in_parentheses",
    "An accountant's negative, (100), is a refund: excluded from purchases and counted.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,(100)\nC001,O2,2024-03-02,5\n"},
    {"outcome": "loaded", "counts": {"transactions": counts(2, 1, excluded=1)}, "refunds": 1},
)
case(
    "infinite_amounts",
    "inf and NaN written as amounts.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,inf\nC001,O2,2024-03-02,NaN\n"},
    {"outcome": "refused", "problems": [err("transactions.csv", "amount", "cannot be read as amount", [2, 3])]},
)
case(
    "ambiguous_day_month",
    "03/04/2024 is March or April: never guessed, refused with the fix named.",
    {"transactions.csv": TX + "C001,O1,03/04/2024,1\n"},
    {"outcome": "refused", "problems": [err("transactions.csv", "order_date", "cannot be read as date", [2])]},
)
case(
    "day_first_dates_with_mapping",
    "The same dates with the team's format in mapping.yaml.",
    {"transactions.csv": TX + "C001,O1,03/04/2024,1\n", "mapping.yaml": "date_formats: ['%d/%m/%Y']\n"},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(1, 1, repaired=1)},
        "values": {"transactions": {"order_date": ["2024-04-03"]}},
    },
)
case(
    "all_dates_blank",
    "A date column with no value at all.",
    {"transactions.csv": TX + "C001,O1,,1\nC002,O2,,2\n"},
    {"outcome": "refused", "problems": [err("transactions.csv", "order_date", "missing value", [2, 3])]},
)
case(
    "quoted_newline_in_field",
    "A quoted product name holding a line break is one record.",
    {"transactions.csv": TX.rstrip("\n") + ',product\nC001,O1,2024-03-01,1,"two\nlines"\nC002,O2,2024-03-02,2,p\n'},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 2)},
        "values": {"transactions": {"product": ["two\nlines", "p"]}},
    },
)

case(
    "chinese_values_mapped",
    "Channels, topics and churn reasons in Chinese, translated by values: in mapping.yaml.",
    {
        "transactions.csv": GOOD_TX,
        "interactions.csv": INTER.rstrip("\n") + ",topic\nC001,2024-03-04,电话,主动,AM01,2,投诉\n"
        "C002,2024-03-05,拜访,主动,AM02,,报价\n",
        "churn_events.csv": "customer_id,date,reason\nC002,2024-06-01,价格原因\n",
        "mapping.yaml": "values:\n  channel: {电话: phone, 拜访: visit}\n  topic: {投诉: complaint}\n"
        "  reason: {价格原因: price}\n",
    },
    {
        "outcome": "loaded",
        "counts": {"interactions": counts(2, 2, repaired=2), "churn_events": counts(1, 1)},
        "values": {
            "interactions": {"channel": ["phone", "visit"], "topic": ["complaint", "报价"], "complaint": [True, False]},
            "churn_events": {"reason": ["price"]},
        },
    },
)
case(
    "unmapped_chinese_channel",
    "Channels left in Chinese: usable, with a warning naming the value, its count and the mapping line.",
    {
        "transactions.csv": GOOD_TX,
        "interactions.csv": INTER + "C001,2024-03-04,电话,主动,AM01,2\nC002,2024-03-05,visit,主动,AM02,\n",
    },
    {
        "outcome": "loaded",
        "problems": [
            {
                "severity": "warning",
                "file": "interactions.csv",
                "column": "channel",
                "message": "1 contacts (50%) have channel '电话', which no contact rule names",
            }
        ],
    },
)
case(
    "mapping_value_not_used",
    "A mapping that translates a channel to a value the loader does not use.",
    {"transactions.csv": GOOD_TX, "mapping.yaml": "values:\n  channel: {电话: telephone}\n"},
    {
        "outcome": "refused",
        "problems": [
            err("mapping.yaml", None, "'电话' maps to 'telephone', which the loader does not use for channel")
        ],
    },
)
case(
    "mapping_values_for_unknown_column",
    "values: for a column the loader does not translate.",
    {"transactions.csv": GOOD_TX, "mapping.yaml": "values:\n  colour: {红: red}\n"},
    {"outcome": "refused", "problems": [err("mapping.yaml", None, "unknown column 'colour'")]},
)
case(
    "csv_title_rows",
    "Two title lines above the header, skipped with header_row in mapping.yaml; rows keep their numbers.",
    {
        "transactions.csv": "销售订单导出\n导出日期 2024-03-31\n"
        + TX
        + "C001,O1,2024-03-01,100\nC002,O2,2024-13-01,5\n",
        "mapping.yaml": "files:\n  transactions: {header_row: 3}\n",
    },
    {"outcome": "refused", "problems": [err("transactions.csv", "order_date", "cannot be read as date", [5])]},
)

# Hostile values that load as they are: what matters is what the outputs make of them (tests/test_outputs.py).
FORMULA_IDS = ('=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1)")
case(
    "formula_ids_and_names",
    "Customer ids and names a spreadsheet would run as formulas (=, +, -, @): loaded as text; CSV outputs quote them.",
    {
        "transactions.csv": TX
        + "".join(
            f'"{i.replace(chr(34), chr(34) * 2)}",O{n},2024-03-0{n + 1},{100 + n}\n' for n, i in enumerate(FORMULA_IDS)
        ),
        "customers.csv": CUST
        + "".join(
            f'"{i.replace(chr(34), chr(34) * 2)}",{name},retail,small,east,2023-01-01\n'
            for i, name in zip(FORMULA_IDS, ("=1+1", "+86 shop", "-minus", "@home"), strict=True)
        ),
    },
    {"outcome": "loaded", "counts": {"transactions": counts(4, 4), "customers": counts(4, 4)}},
)
case(
    "contacts_glued_to_text",
    "Phones and e-mails glued to Chinese text or letters, typed into names, owners and topics: loaded; masked in every output.",
    {
        "transactions.csv": GOOD_TX,
        "customers.csv": CUST.rstrip("\n")
        + ",owner\n"
        + "C001,请联系13812345678谢谢,retail,small,east,2023-01-01,13912345670\n"
        + "C002,call13812345673now,energy,large,north,2022-05-01,回电13712345678\n",
        "interactions.csv": INTER.rstrip("\n")
        + ",topic\n"
        + "C001,2024-03-04,phone,proactive,1381234 5678号,2,邮件li.lei@example.cn谢谢\n",
    },
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 2), "customers": counts(2, 2), "interactions": counts(1, 1)},
    },
)


# Round 2 of the bad inputs (issue #23): decimal marks, encodings, ragged lines, time zones, absurd amounts.
EURO_TX = "customer_id;order_id;order_date;amount\n"


def info(file: str, column: str | None, message: str, rows: list[int] | None = None) -> dict:
    return {"severity": "info", "file": file, "column": column, "message": message, "rows": rows or []}


def warn(file: str, column: str | None, message: str, rows: list[int] | None = None) -> dict:
    return {"severity": "warning", "file": file, "column": column, "message": message, "rows": rows or []}


case(
    "decimal_comma_semicolon_file",
    "A European ';' export writes 1234,50: a decimal comma, not a thousands separator (was read 100x larger).",
    {"transactions.csv": EURO_TX + "C001;O1;2024-03-01;1234,50\nC001;O2;2024-03-02;12,5\nC002;O3;2024-03-03;7\n"},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(3, 3, repaired=2)},
        "values": {"transactions": {"amount": [1234.5, 12.5, 7.0]}},
        "problems": [info("transactions.csv", "amount", "read with a decimal comma", [2, 3])],
    },
)
case(
    "decimal_comma_in_comma_file",
    'Quoted "1,2" and "1.234,56" in a \',\' file can only be decimal commas (were read as 12 and 1.23456).',
    {"transactions.csv": TX + 'C001,O1,2024-03-01,"1,2"\nC001,O2,2024-03-02,"1.234,56"\nC002,O3,2024-03-03,3\n'},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(3, 3, repaired=2)},
        "values": {"transactions": {"amount": [1.2, 1234.56, 3.0]}},
    },
)
case(
    "decimal_marks_mixed",
    "One column with 1,5 (decimal comma) and 1,234.50 (decimal point): refused, naming the rows of each kind.",
    {"transactions.csv": TX + 'C001,O1,2024-03-01,"1,5"\nC001,O2,2024-03-02,"1,234.50"\nC002,O3,2024-03-03,3\n'},
    {"outcome": "refused", "problems": [err("transactions.csv", "amount", "the decimal mark cannot be told", [2, 3])]},
)
case(
    "decimal_mark_ambiguous_semicolon_file",
    "A ';' file whose amounts are all like 1,234 (1.234 or 1234?) and nothing decides: refused with the rows.",
    {"transactions.csv": EURO_TX + "C001;O1;2024-03-01;1,234\nC001;O2;2024-03-02;2,500\n"},
    {"outcome": "refused", "problems": [err("transactions.csv", "amount", "read two ways", [2, 3])]},
)
case(
    "decimal_mark_in_mapping",
    "The same ';' file with decimal: ',' in mapping.yaml: 1,234 is 1.234.",
    {
        "transactions.csv": EURO_TX + "C001;O1;2024-03-01;1,234\nC001;O2;2024-03-02;2,500\n",
        "mapping.yaml": "decimal: ','\n",
    },
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 2, repaired=2)},
        "values": {"transactions": {"amount": [1.234, 2.5]}},
    },
)
case(
    "latin1_that_decodes_as_gbk",
    "Latin-1 'Müller' is valid GB18030 ('M黮ler'): refused as Latin-1, showing both readings (was loaded as GBK).",
    {"transactions.csv": (TX.rstrip("\n") + ",product\nC001,O1,2024-03-01,5,Müller\n").encode("latin-1")},
    {"outcome": "refused", "problems": [err("transactions.csv", None, "'M黮ler'), and as Latin-1 ('Müller')")]},
)
case(
    "gbk_with_a_rare_character",
    "GBK text with one character outside the common set (镕): read as GBK, with a warning showing both readings.",
    {
        "transactions.csv": (
            TX.rstrip("\n") + ",product\nC001,O1,2024-03-01,5,激光打印机\nC002,O2,2024-03-02,6,朱镕基文集\n"
        ).encode("gbk")
    },
    {
        "outcome": "loaded",
        "encoding": "gb18030",
        "counts": {"transactions": counts(2, 2)},
        "values": {"transactions": {"product": ["激光打印机", "朱镕基文集"]}},
        "problems": [warn("transactions.csv", None, "rare in Chinese text (line 3: '朱镕基文集'")],
    },
)
case(
    "bare_cr_inside_a_value",
    "A carriage return alone inside a product name splits the line (used to blame order_date and amount).",
    {"transactions.csv": TX.rstrip("\n") + ",product\nC001,O1,2024-03-01,5,Laser\rPrinter\nC002,O2,2024-03-02,6,Ink\n"},
    {"outcome": "refused", "problems": [err("transactions.csv", None, "a carriage return (CR) stands alone", [2])]},
)
case(
    "trailing_delimiter_on_data_lines",
    "Data lines end in ',' but the header does not (shifted every column, blaming order_date): the empty field is ignored.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,5,\nC002,O2,2024-03-02,6,\n"},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 2)},
        "values": {"transactions": {"customer_id": ["C001", "C002"], "amount": [5.0, 6.0]}},
        "problems": [info("transactions.csv", None, "end in a delimiter the header does not have", [2, 3])],
    },
)
case(
    "extra_field_in_first_line",
    "The first data line has an unquoted 1,200 (one field too many): refused naming the line, not the columns it shifted.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,1,200\nC002,O2,2024-03-02,6\n"},
    {"outcome": "refused", "problems": [err("transactions.csv", None, "these lines have 5 fields, the header 4", [2])]},
)
case(
    "trailing_empty_header_columns",
    "Header and lines end in ',,' (a spreadsheet's empty columns): ignored and noted (was 'the column appears twice').",
    {"transactions.csv": TX.rstrip("\n") + ",,\nC001,O1,2024-03-01,5,,\nC002,O2,2024-03-02,6,,\n"},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 2)},
        "problems": [info("transactions.csv", None, "(positions 5, 6) have no name and nothing on any line")],
    },
)
case(
    "unnamed_column_with_values",
    "A column with values but no name in the header: ignored like any column outside the contract, with a warning "
    "naming its position and rows (was ignored without a word, as a column named '').",
    {"transactions.csv": TX.rstrip("\n") + ",\nC001,O1,2024-03-01,5,gift\nC002,O2,2024-03-02,6,\n"},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 2)},
        "problems": [warn("transactions.csv", None, "column 5 of the header has no name but holds values", [2])],
    },
)
case(
    "duplicates_differing_in_an_ignored_column",
    "Two lines equal on the contract columns but not in 'note': excluded as duplicates, naming the column that differs.",
    {"transactions.csv": TX.rstrip("\n") + ",note\nC001,O1,2024-03-01,5,first\nC001,O1,2024-03-01,5,second\n"},
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 1, excluded=1)},
        "problems": [warn("transactions.csv", None, "they differ only in note, which the contract ignores", [3])],
    },
)
case(
    "refunds_only",
    "Every line is a refund: no purchases are left, refused (was called usable with 0 customers).",
    {"transactions.csv": TX + "C001,O1,2024-03-01,-100\nC002,O2,2024-03-02,-50\n"},
    {"outcome": "refused", "problems": [err("transactions.csv", "amount", "no purchases", [2, 3])]},
)
case(
    "timezone_offsets",
    "ISO times with UTC offsets (+08:00, -05:00, Z): each the date written in its own offset, counted as repaired "
    "(was a TypeError / 'Mixed timezones').",
    {
        "transactions.csv": TX
        + "C001,O1,2024-03-01T10:00:00+08:00,5\nC001,O2,2024-03-01T23:30:00-05:00,5\n"
        + "C002,O3,2024-03-02T08:00:00Z,6\nC002,O4,2024-03-03,7\n"
    },
    {
        "outcome": "loaded",
        "counts": {"transactions": counts(4, 4, repaired=3)},
        "values": {"transactions": {"order_date": ["2024-03-01", "2024-03-01", "2024-03-02", "2024-03-03"]}},
        "problems": [info("transactions.csv", "order_date", "3 dates carry a time and a UTC offset", [2, 3, 4])],
    },
)
case(
    "absurd_amount",
    "An amount of 1e308 (was accepted): refused as above the ceiling, naming the row and max_amount.",
    {"transactions.csv": TX + "C001,O1,2024-03-01,1e308\nC002,O2,2024-03-02,6\n"},
    {
        "outcome": "refused",
        "problems": [err("transactions.csv", "amount", "amount above the ceiling of 1,000,000,000,000", [2])],
    },
)
case(
    "large_amount_with_max_amount",
    "A 5e12 amount is accepted once the mapping raises max_amount.",
    {
        "transactions.csv": TX + "C001,O1,2024-03-01,5e12\nC002,O2,2024-03-02,6\n",
        "mapping.yaml": "max_amount: 1.0e+13\n",
    },
    {"outcome": "loaded", "counts": {"transactions": counts(2, 2)}},
)


def excel_second_sheet_with_title() -> None:
    """A workbook with a cover sheet, the orders on sheet 2 under a title row (mapping: sheet 2, header_row 2)."""
    folder = HERE / "excel_second_sheet_with_title"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    rows = [["订单导出 2024年3月", None, None, None], ["客户编号", "订单号", "下单日期", "金额"]]
    rows += [["0001", "O1", pd.Timestamp("2024-03-01"), 10.5], ["0002", "O2", pd.Timestamp("2024-03-02"), 20.0]]
    with pd.ExcelWriter(folder / "订单.xlsx") as writer:
        pd.DataFrame([["本文件由 CRM 导出"]]).to_excel(writer, sheet_name="说明", index=False, header=False)
        pd.DataFrame(rows).to_excel(writer, sheet_name="订单", index=False, header=False)
    (folder / "mapping.yaml").write_text(
        "files:\n  transactions: {file: 订单.xlsx, sheet: 2, header_row: 2}\ncolumns:\n  transactions:\n"
        "    客户编号: customer_id\n    订单号: order_id\n    下单日期: order_date\n    金额: amount\n",
        encoding="utf-8",
    )
    expected = {
        "description": "A workbook with the orders on its second sheet, under a title row.",
        "outcome": "loaded",
        "counts": {"transactions": counts(2, 2)},
        "values": {"transactions": {"customer_id": ["0001", "0002"], "amount": [10.5, 20.0]}},
    }
    (folder / "expected.yaml").write_text(
        yaml.safe_dump(expected, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def excel_several_sheets() -> None:
    """Workbooks with the orders on several sheets: one header (all read), or different headers (refused)."""
    orders = [
        pd.DataFrame(
            {
                "customer_id": ["0001", "0002"],
                "order_id": ["O1", "O2"],
                "order_date": ["2024-01-05"] * 2,
                "amount": [10.0, 20.0],
            }
        ),
        pd.DataFrame({"customer_id": ["0003"], "order_id": ["O3"], "order_date": ["2024-02-05"], "amount": [30.0]}),
    ]
    for name, second, expected in (
        (
            "excel_sheets_share_the_header",
            orders[1],
            {
                "description": "Orders on two sheets with one header (only the first was read): both read, and the "
                "report names the sheets and their line counts.",
                "outcome": "loaded",
                "counts": {"transactions": counts(3, 3)},
                "values": {"transactions": {"customer_id": ["0001", "0002", "0003"]}},
                "problems": [
                    info(
                        "transactions.xlsx",
                        None,
                        "read all 2 sheets, which share the header: "
                        "'January' 2 lines (rows 2-3), 'February' 1 line (row 4)",
                    )
                ],
            },
        ),
        (
            "excel_sheets_with_different_headers",
            pd.DataFrame({"region": ["east"], "total": [30.0]}),
            {
                "description": "Orders on one sheet, a summary on another (only the first was read, silently): "
                "refused naming the sheets and the mapping line that picks one.",
                "outcome": "refused",
                "problems": [
                    err(
                        "transactions.xlsx",
                        None,
                        "2 sheets with records and their headers differ: "
                        "'January' (customer_id, order_id, order_date, amount); 'February' (region, total)",
                    )
                ],
            },
        ),
    ):
        folder = HERE / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        with pd.ExcelWriter(folder / "transactions.xlsx") as writer:
            orders[0].to_excel(writer, sheet_name="January", index=False)
            second.to_excel(writer, sheet_name="February", index=False)
        (folder / "expected.yaml").write_text(yaml.safe_dump(expected, allow_unicode=True, sort_keys=False))


def old_and_encrypted_workbooks() -> None:
    """An Excel 97-2003 .xls and a password-protected .xlsx: both compound files (OLE2), not zips.

    Only the start of such a file matters to the reader: the OLE2 signature, and for an encrypted
    workbook the name of its EncryptedPackage stream (stored in UTF-16).
    """
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    for name, file, content, message in (
        ("old_xls_workbook", "transactions.xls", ole2 + b"Workbook", "an old Excel 97-2003 workbook (.xls)"),
        (
            "encrypted_xlsx",
            "transactions.xlsx",
            ole2 + "EncryptedInfo EncryptedPackage".encode("utf-16-le"),
            "the workbook is protected with a password (encrypted)",
        ),
    ):
        folder = HERE / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        (folder / file).write_bytes(content)
        expected = {
            "description": f"{file}: {message}, said so with what to do (was "
            + ("'no transactions file'" if file.endswith(".xls") else "'BadZipFile'")
            + ").",
            "outcome": "refused",
            "problems": [err(file, None, message)],
        }
        (folder / "expected.yaml").write_text(yaml.safe_dump(expected, allow_unicode=True, sort_keys=False))


def write_case(name: str) -> None:
    spec = CASES[name]
    folder = HERE / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for file, content in spec["files"].items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / file).write_bytes(data)
    (folder / "expected.yaml").write_text(
        yaml.safe_dump(spec["expected"], allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def build(names: list[str] | None = None) -> None:
    """Write every case, or only the text cases ``names`` (leaving the binary ones as they are)."""
    for name in names or CASES:
        write_case(name)
    if names:
        return
    excel_several_sheets()
    old_and_encrypted_workbooks()
    excel_second_sheet_with_title()
    folder = HERE / "corrupt_xlsx"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "transactions.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    expected = {
        "description": "A .xlsx file that is not a workbook (cut off while copying).",
        "outcome": "refused",
        "problems": [err("transactions.xlsx", None, "cannot read the file (BadZipFile)")],
    }
    (folder / "expected.yaml").write_text(yaml.safe_dump(expected, sort_keys=False), encoding="utf-8")
    # Binary formats: an Excel file whose ids are text and dates real dates, and a Parquet file.
    for name, suffix in (("excel_file", "xlsx"), ("parquet_file", "parquet")):
        folder = HERE / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        frame = pd.DataFrame(
            {
                "customer_id": ["0001", "0002"],
                "order_id": ["O1", "O2"],
                "order_date": pd.to_datetime(["2024-03-01", "2024-03-02"]),
                "amount": [10.5, 20.0],
            }
        )
        if suffix == "xlsx":
            frame.to_excel(folder / "transactions.xlsx", index=False)
        else:
            frame.to_parquet(folder / "transactions.parquet", index=False)
        expected = {
            "description": f"A .{suffix} file keeps text ids and typed dates.",
            "outcome": "loaded",
            "counts": {"transactions": counts(2, 2)},
            "values": {"transactions": {"customer_id": ["0001", "0002"], "amount": [10.5, 20.0]}},
        }
        (folder / "expected.yaml").write_text(yaml.safe_dump(expected, sort_keys=False), encoding="utf-8")


if __name__ == "__main__":
    build(sys.argv[1:] or None)
