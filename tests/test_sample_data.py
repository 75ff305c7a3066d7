"""The sample generator: contract, determinism, size, value skew and planted signals."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from segmentation import load_dataset
from segmentation.data.contract import TABLES
from segmentation.datasets.sample import PERSONAS, generate_sample, write_sample


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_same_seed_writes_same_bytes(tmp_path, file_format):
    write_sample(tmp_path / "a", 150, random_state=3, file_format=file_format)
    write_sample(tmp_path / "b", 150, random_state=3, file_format=file_format)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_other_seed_gives_other_data():
    a = generate_sample(150, random_state=3)["transactions"]
    b = generate_sample(150, random_state=4)["transactions"]
    assert not a.equals(b)


def test_files_follow_the_contract_and_load_clean(sample_dir, sample_dataset):
    names = {p.name for p in sample_dir.iterdir()}
    assert names == {f"{t}.csv" for t in TABLES} | {"truth.csv"}
    for table in TABLES:
        header = (sample_dir / f"{table}.csv").read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        assert header == list(TABLES[table].column_names)
        t = sample_dataset.report.tables[table]
        assert t.rows_read == t.rows_loaded and t.rows_excluded == 0 and t.rows_repaired == 0
    assert sample_dataset.report.ok and not sample_dataset.report.warnings


def test_parquet_sample_loads_like_csv(tmp_path):
    write_sample(tmp_path / "csv", 120, random_state=5)
    write_sample(tmp_path / "pq", 120, random_state=5, file_format="parquet")
    a, b = load_dataset(tmp_path / "csv"), load_dataset(tmp_path / "pq")
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_dtype=False)


def test_size_and_history():
    tables = generate_sample(1000, random_state=11)
    assert len(tables["customers"]) == 1000
    tx = tables["transactions"]
    assert set(tx["customer_id"]) == set(tables["customers"]["customer_id"])  # everybody bought
    assert tx["order_date"].min() >= pd.Timestamp("2022-10-01")
    assert tx["order_date"].max() <= pd.Timestamp("2025-09-30")
    assert (tables["truth"]["persona"].value_counts(normalize=True) > 0.03).all()
    assert tables["truth"]["persona"].nunique() == len(PERSONAS)


def test_revenue_is_skewed_so_abc_puts_few_in_a():
    tables = generate_sample(5000, random_state=1)
    tx = tables["transactions"]
    last_year = tx[tx["order_date"] > pd.Timestamp("2024-09-30")]
    t12m = last_year.groupby("customer_id")["amount"].sum().reindex(tables["customers"]["customer_id"], fill_value=0)
    share_a = (t12m >= 500_000).mean()
    assert 0.01 <= share_a <= 0.10
    top = t12m.sort_values(ascending=False)
    assert top.iloc[: len(top) // 5].sum() / top.sum() > 0.6  # Pareto-like concentration


def test_churn_is_preceded_by_warning_signals():
    """Churners order less and wait longer for replies in the half-year before they leave."""
    tables = generate_sample(4000, random_state=2)
    truth = tables["truth"].dropna(subset=["churned_on"])
    truth = truth[truth["churned_on"] > pd.Timestamp("2024-06-01")]
    tx = tables["transactions"].merge(truth, on="customer_id")
    before = tx["order_date"] < tx["churned_on"] - pd.DateOffset(months=9)
    late = (tx["order_date"] >= tx["churned_on"] - pd.DateOffset(months=4)) & (tx["order_date"] < tx["churned_on"])
    per_customer = pd.DataFrame(
        {
            "before": tx[before].groupby("customer_id")["amount"].mean(),
            "late": tx[late].groupby("customer_id")["amount"].mean(),
        }
    ).dropna()
    assert len(per_customer) > 50
    assert (per_customer["late"] / per_customer["before"]).median() < 0.85  # orders shrink
    assert not (tx["order_date"] > tx["churned_on"] + pd.DateOffset(months=1)).any()
    it = tables["interactions"].merge(truth, on="customer_id")
    near = it["date"] >= it["churned_on"] - pd.DateOffset(months=3)
    assert it.loc[near, "response_hours"].median() > 1.5 * it.loc[~near, "response_hours"].median()
    reasons = tables["churn_events"]["reason"]
    assert set(reasons) <= {"price", "slow_response", "product_gap", "competitor", "closed_business"}


def test_contact_details_look_real_so_masking_can_be_tested():
    customers = generate_sample(50, random_state=1)["customers"]
    assert customers["contact_phone"].str.fullmatch(r"1\d{10}").all()
    assert customers["contact_email"].str.contains("@").all()


def test_rejects_zero_customers():
    with pytest.raises(ValueError, match="n_customers must be at least 1"):
        generate_sample(0)


# The Chinese sample: the same data as a Chinese team's GBK export, read back through its mapping.
ZH_SEED, ZH_CUSTOMERS = 7, 400


@pytest.fixture(scope="module")
def chinese_dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("zh")
    paths = write_sample(out, ZH_CUSTOMERS, random_state=ZH_SEED, language="zh")
    return paths, load_dataset(out, today="2025-10-01")


def test_chinese_sample_is_a_gbk_export_with_chinese_headers_and_values(chinese_dataset):
    paths, _ = chinese_dataset
    raw = paths["transactions"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gbk").split("\n", 1)[0].split(",")[:4] == ["客户编号", "订单号", "下单日期", "金额"]
    contacts = pd.read_csv(paths["interactions"], encoding="gbk", dtype=str)
    assert set(contacts["渠道"]) == {"电话", "拜访", "微信", "邮件", "视频会议", "活动"}
    assert "投诉" in set(contacts["跟进类型"])
    reasons = set(pd.read_csv(paths["churn_events"], encoding="gbk", dtype=str)["流失原因"])
    assert "价格原因" in reasons and reasons <= {"价格原因", "响应慢", "产品不满足需求", "被竞争对手抢走", "客户停业"}
    names = pd.read_csv(paths["customers"], encoding="gbk", dtype=str)["客户名称"]
    assert names.str.contains("有限公司").all()
    assert paths["mapping"].read_text(encoding="utf-8").count("language: zh") == 1


def test_chinese_sample_loads_to_the_english_samples_tables(chinese_dataset, sample_dataset):
    """Same seed: after the mapping, every table equals the English sample's, free text aside."""
    from segmentation.datasets.sample_zh import FREE_TEXT

    _, zh = chinese_dataset
    assert zh.report.ok and not zh.report.warnings, zh.report.to_text()
    for table in TABLES:
        english, chinese = getattr(sample_dataset, table), getattr(zh, table)
        free = list(FREE_TEXT.get(table, ()))
        assert list(chinese.columns) == list(english.columns)
        pd.testing.assert_frame_equal(chinese.drop(columns=free), english.drop(columns=free), check_dtype=False)
        for column in free:  # the free text is the same text, in Chinese
            assert (chinese[column].isna() == english[column].isna()).all()
            assert not chinese[column].dropna().str.contains("[a-z]{4}", regex=True).any()
    assert (zh.language, sample_dataset.language) == ("zh", None)
    assert zh.report.complaints == sample_dataset.report.complaints
    assert sum(zh.report.complaints.values()) == int(sample_dataset.interactions["complaint"].sum()) > 0


def test_chinese_sample_gives_the_same_complaint_features(chinese_dataset, sample_dataset):
    from segmentation.churn.features import churn_features
    from segmentation.personas.features import persona_features

    _, zh = chinese_dataset
    for compute in (
        lambda ds: churn_features(ds, cutoff="2025-06-30")[["complaints_last_quarter", "complaints_t12m"]],
        lambda ds: persona_features(ds, as_of="2025-09-30")[["complaints"]],
    ):
        english, chinese = compute(sample_dataset), compute(zh)
        assert english.to_numpy().sum() > 0
        pd.testing.assert_frame_equal(chinese, english)


def test_cli_writes_the_chinese_sample_and_validate_accepts_it(tmp_path, capsys):
    from segmentation.cli import main

    assert (
        main(["sample-data", "--customers", "60", "--random-state", "2", "--language", "zh", "--out", str(tmp_path)])
        == 0
    )
    assert "订单明细.csv" in capsys.readouterr().out
    assert main(["validate", str(tmp_path), "--today", "2025-10-01"]) == 0
    out = capsys.readouterr().out
    assert "contacts counted as complaints" in out and "Usable: yes" in out


def test_english_sample_over_a_chinese_one_removes_its_files(tmp_path):
    write_sample(tmp_path, 40, random_state=1, language="zh")
    write_sample(tmp_path, 40, random_state=1)
    assert {p.name for p in tmp_path.iterdir()} == {f"{t}.csv" for t in TABLES} | {"truth.csv"}
    load_dataset(tmp_path)
