"""The empmon command line: exit codes, one-line errors, and numbers worked out by hand."""

from __future__ import annotations

import pandas as pd

from empmon.cli import main


def _stats(tmp_path):
    # Shares worked out by hand: employment 50/30/20 (of 100), GDP 20/60/20 (of 100);
    # a 50/50 blend gives 0.35, 0.45, 0.20, so 20 enterprises are exactly 7, 9 and 4 under any
    # apportionment method (every quota is a whole number).
    path = tmp_path / "stats.csv"
    pd.DataFrame(
        {
            "city": ["广州", "深圳市", "Zhuhai"],
            "employment": [50, 30, 20],
            "gdp": [20, 60, 20],
            "population": [9e6, 8e6, 2e6],
        }
    ).to_csv(path, index=False)
    return path


def test_version_and_help(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("empmon ")
    assert main([]) == 0
    assert "empmon allocate" in capsys.readouterr().out


def test_allocate_hand_computed(tmp_path, capsys):
    out = tmp_path / "allocation.csv"
    code = main(
        [
            "allocate",
            str(_stats(tmp_path)),
            "--total",
            "20",
            "--weight",
            "employment=0.5",
            "--weight",
            "gdp=0.5",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("city")
    assert table["allocated"].to_dict() == {"广州市": 7, "深圳市": 9, "珠海市": 4}


def test_allocate_with_tier_minimum(tmp_path):
    # MOHRSS 2011: population >= 1,000,000 -> at least 60 each; 20 < 3 x 60 is an error naming the total.
    code = main(
        [
            "allocate",
            str(_stats(tmp_path)),
            "--total",
            "20",
            "--weight",
            "employment=1",
            "--minimum",
            "mohrss-2011",
        ]
    )
    assert code == 2


def test_unknown_city_is_one_line_naming_it(tmp_path, capsys):
    path = tmp_path / "stats.csv"
    pd.DataFrame({"city": ["广州", "火星市"], "employment": [1, 2]}).to_csv(path, index=False)
    code = main(["allocate", str(path), "--total", "10"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("empmon allocate: error:") and "火星市" in err
    assert "Traceback" not in err


def test_missing_file(capsys):
    assert main(["audit", "no-such-sample.xlsx"]) == 2
    assert "no-such-sample.xlsx" in capsys.readouterr().err


def test_split_with_column_totals(tmp_path):
    # Rows 7, 9, 4 split by shares; column totals 10 + 10 = 20 must both hold exactly.
    alloc = tmp_path / "allocation.csv"
    main(
        [
            "allocate",
            str(_stats(tmp_path)),
            "--total",
            "20",
            "--weight",
            "employment=0.5",
            "--weight",
            "gdp=0.5",
            "-o",
            str(alloc),
        ]
    )
    shares = tmp_path / "shares.csv"
    pd.DataFrame(
        {"city": ["广州市", "深圳市", "珠海市"], "secondary": [0.4, 0.6, 0.5], "tertiary": [0.6, 0.4, 0.5]}
    ).to_csv(shares, index=False)
    out = tmp_path / "split.csv"
    assert (
        main(
            [
                "split",
                str(alloc),
                "--shares",
                str(shares),
                "--column-total",
                "secondary=10",
                "--column-total",
                "tertiary=10",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    result = pd.read_csv(out, encoding="utf-8-sig").set_index("city")
    assert result.sum(axis=1).to_dict() == {"广州市": 7, "深圳市": 9, "珠海市": 4}
    assert result.sum().to_dict() == {"secondary": 10, "tertiary": 10}


def test_audit_exit_code_gates_a_submission(tmp_path, capsys):
    # The same enterprise listed twice is a hard failure: exit code 1.
    path = tmp_path / "sample.csv"
    pd.DataFrame(
        {
            "统一社会信用代码": ["A1", "A1", "A2"],
            "企业名称": ["甲", "甲", "乙"],
            "所在地市": ["广州市"] * 3,
            "所属行业": ["51", "51", "52"],
            "企业性质": ["173"] * 3,
            "从业人员": [60, 60, 80],
            "营业收入": [6000, 6000, 800],
        }
    ).to_csv(path, index=False)
    code = main(["audit", str(path), "--rules", "mohrss-2011"])
    assert code == 1
    assert "duplicates" in capsys.readouterr().out


def test_key_industries_through_quotas_select_and_audit(tmp_path):
    """`--key-industries` splits 深圳's C39 off manufacturing with a minimum share; select fills
    the C39 cells from the register (its key industries taken from the quotas) and the audit
    checks the share."""
    from pathlib import Path

    data = Path(__file__).resolve().parents[2] / "examples" / "data"
    allocation = tmp_path / "allocation.csv"
    pd.DataFrame({"city": ["广州市", "深圳市", "珠海市", "韶关市"], "allocated": [147, 133, 60, 60]}).to_csv(
        allocation, index=False
    )
    key = tmp_path / "key.csv"
    key.write_text("城市,重点行业,最低占比\n深圳,39,0.1\n", encoding="utf-8")
    quotas, sample, report = tmp_path / "quotas.csv", tmp_path / "sample.csv", tmp_path / "audit.csv"
    common = ["--quiet"]
    assert (
        main(
            [
                *common,
                "quotas",
                str(data / "frame.csv"),
                "--targets",
                str(allocation),
                "--rules",
                "guangdong-2013",
            ]
            + ["--key-industries", str(key), "--csv", str(quotas)]
        )
        == 0
    )
    q = pd.read_csv(quotas, encoding="utf-8-sig", dtype={"industry_group": str})
    c39 = q[(q["city"] == "深圳市") & (q["industry_group"] == "C39")]
    # 10% of 深圳's 133 is 13.3: at least 14 enterprises; the group exists only in 深圳.
    assert c39["quota"].sum() >= 14
    assert set(q.loc[q["industry_group"] == "C39", "city"]) == {"深圳市"}
    assert (
        main(
            [
                *common,
                "select",
                str(data / "frame.csv"),
                "--quotas",
                str(quotas),
                "--seed",
                "1",
                "-o",
                str(sample),
            ]
        )
        == 0
    )
    s = pd.read_csv(sample, encoding="utf-8-sig", dtype=str)
    listed = s[s["role"].isin(["panel", "new"])]
    drawn = listed.groupby(["city", "industry_group", "size_class", "state_owned"]).size()
    wanted = q[q["quota"] > 0].assign(state_owned=lambda d: d["state_owned"].astype(str))
    wanted = wanted.set_index(["city", "industry_group", "size_class", "state_owned"])["quota"]
    assert drawn.sort_index().to_dict() == wanted.sort_index().to_dict()
    # 深圳's listed C39 enterprises all have a C39 industry code (division 39) in the register.
    frame = pd.read_csv(data / "frame.csv", dtype=str).set_index("enterprise_id")
    ids = listed.loc[(listed["city"] == "深圳市") & (listed["industry_group"] == "C39"), "enterprise_id"]
    assert frame.loc[ids, "industry"].str[:2].eq("39").all()
    code = main(
        [*common, "audit", str(sample), "--rules", "guangdong-2013", "--register", str(data / "frame.csv")]
        + ["--key-industries", str(key), "-o", str(report)]
    )
    assert code == 0
    rows = pd.read_csv(report, encoding="utf-8-sig").set_index(["city", "rule"])
    assert rows.loc[("深圳市", "key_industries"), "status"] == "pass"
    assert rows.loc[("深圳市", "pillar_industries"), "status"] == "pass"


def test_min_employees_option_counts_and_draws_units_of_that_size(tmp_path):
    """`--min-employees 50`: the quotas count, and select draws, only new units of 50 or more
    employees; the panel is kept whatever its size (the 2009 rules' "单位用工达到一定规模")."""
    from pathlib import Path

    data = Path(__file__).resolve().parents[2] / "examples" / "data"
    allocation = tmp_path / "allocation.csv"
    pd.DataFrame({"city": ["广州市", "深圳市", "珠海市", "韶关市"], "allocated": [147, 133, 60, 60]}).to_csv(
        allocation, index=False
    )
    quotas, sample = tmp_path / "quotas.csv", tmp_path / "sample.csv"
    args = ["--quiet", "quotas", str(data / "frame.csv"), "--targets", str(allocation)]
    assert main([*args, "--min-employees", "50", "--csv", str(quotas)]) == 0
    q = pd.read_csv(quotas, encoding="utf-8-sig")
    # Counted independently from the register: units of 50+ employees, or in the panel.
    frame = pd.read_csv(data / "frame.csv", dtype={"enterprise_id": str})
    counted = frame[(frame["employees"] >= 50) | frame["in_panel"]].groupby("city").size()
    assert q.groupby("city")["available"].sum().to_dict() == counted.to_dict()
    code = main(
        ["--quiet", "select", str(data / "frame.csv"), "--quotas", str(quotas)]
        + ["--min-employees", "50", "--seed", "3", "-o", str(sample)]
    )
    assert code == 0
    s = pd.read_csv(sample, encoding="utf-8-sig", dtype={"enterprise_id": str})
    assert (s.loc[s["role"].isin(["new", "reserve"]), "employees"] >= 50).all()
    assert (
        main(["--quiet", "select", str(data / "frame.csv"), "--quotas", str(quotas), "--min-employees", "-1"])
        == 2
    )


def test_bad_key_industry_named_with_its_file_and_line(tmp_path, capsys):
    from pathlib import Path

    data = Path(__file__).resolve().parents[2] / "examples" / "data"
    allocation = tmp_path / "allocation.csv"
    pd.DataFrame({"city": ["广州市"], "allocated": [60]}).to_csv(allocation, index=False)
    key = tmp_path / "key.csv"
    key.write_text("city,division\n深圳,39\n东莞,99x\n", encoding="utf-8")
    code = main(
        ["quotas", str(data / "frame.csv"), "--targets", str(allocation), "--key-industries", str(key)]
    )
    assert code == 2
    err = capsys.readouterr().err
    # The header is line 1, so 东莞's row is line 3.
    assert f"--key-industries {key}" in err and "row 3: '99x'" in err
