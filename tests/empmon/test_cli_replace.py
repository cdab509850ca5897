"""``empmon replace`` on files written by ``empmon select`` (hand-worked cell)."""

from __future__ import annotations

import pandas as pd

from empmon.cli import main


def _files(tmp_path):
    # One cell of 10 small industrial enterprises (100 employees and 1,000万元 revenue: small
    # under 国统字〔2011〕75号, 20 <= employees < 300, 300 <= revenue < 2,000), PRNs increasing with the id: srs of 3 draws E00-E02, the
    # reserves are E03 (rank 1) and E04 (rank 2).
    frame = tmp_path / "frame.csv"
    pd.DataFrame(
        {
            "enterprise_id": [f"E{i:02d}" for i in range(10)],
            "city": "广州市",
            "industry": "3911",
            "registration_type": "173",
            "employees": 100,
            "revenue": 1000.0,
            "prn": [(i + 0.5) / 10 for i in range(10)],
        }
    ).to_csv(frame, index=False)
    quotas = tmp_path / "quotas.csv"
    pd.DataFrame(
        {"city": ["广州市"], "section": ["C"], "size_class": ["small"], "state_owned": [False], "quota": [3]}
    ).to_csv(quotas, index=False)
    sample = tmp_path / "sample.csv"
    args = ["select", str(frame), "--quotas", str(quotas), "--method", "srs", "--reserves", "2"]
    assert main([*args, "-o", str(sample)]) == 0
    invalid = tmp_path / "invalid.csv"
    pd.DataFrame({"enterprise_id": ["E01"], "reason": ["关闭破产"]}).to_csv(invalid, index=False)
    return frame, quotas, sample, invalid


def test_replace_batch_from_files(tmp_path, capsys):
    frame, quotas, sample, invalid = _files(tmp_path)
    out = tmp_path / "sample_2014.csv"
    base = ["replace", str(sample), "--frame", str(frame), "--quotas", str(quotas), "--method", "srs"]
    code = main(
        [
            *base,
            "--invalid",
            str(invalid),
            "--authorised-by",
            "人社部统一安排",
            "--batch",
            "2013-12",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    t = pd.read_csv(out, encoding="utf-8-sig").set_index("enterprise_id")
    assert t.loc["E01", "role"] == "removed" and t.loc["E01", "reason"] == "关闭破产"
    # the first reserve of the same cell replaces it; the second stays a reserve, now rank 1
    assert t.loc["E03", "role"] == "new" and t.loc["E03", "replaces"] == "E01"
    assert t.loc["E04", "role"] == "reserve" and t.loc["E04", "reserve_rank"] == 1
    assert t.loc["E03", "authorised_by"] == "人社部统一安排" and t.loc["E03", "batch"] == "2013-12"


def test_replace_needs_an_authorisation(tmp_path, capsys):
    frame, quotas, sample, invalid = _files(tmp_path)
    base = ["replace", str(sample), "--frame", str(frame), "--quotas", str(quotas), "--method", "srs"]
    assert main([*base, "--invalid", str(invalid)]) == 2
    assert "--authorised-by is required: 更换企业样本必须在部里统一安排下进行" in capsys.readouterr().err
    out = tmp_path / "x.csv"
    assert main([*base, "--invalid", str(invalid), "--unauthorised", "-o", str(out)]) == 0
    # the warning is printed on stderr, loudly
    assert "REPLACEMENT WITHOUT AUTHORISATION" in capsys.readouterr().err
    t = pd.read_csv(out, encoding="utf-8-sig").set_index("enterprise_id")
    assert t.loc["E01", "authorised_by"].startswith("未经部里安排")


def test_decrease_type_is_refused_in_one_line(tmp_path, capsys):
    frame, quotas, sample, invalid = _files(tmp_path)
    pd.DataFrame({"enterprise_id": ["E01"], "reason": ["停业整顿"]}).to_csv(invalid, index=False)
    base = ["replace", str(sample), "--frame", str(frame), "--quotas", str(quotas), "--method", "srs"]
    assert main([*base, "--invalid", str(invalid), "--authorised-by", "x"]) == 2
    assert "decrease types of the monthly report" in capsys.readouterr().err
