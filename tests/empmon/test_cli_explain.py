"""``empmon explain`` on hand-made files."""

from __future__ import annotations

import pandas as pd

from empmon.cli import main


def _files(tmp_path):
    # Shares by hand: employment 50/30/20, GDP 20/60/20; the allocation 7/9/4 of 20 is exactly
    # 20 x (0.5 x 0.5/0.3/0.2 + 0.5 x 0.2/0.6/0.2) = 7, 9, 4, so the fitted blend is 50/50 and
    # every tilt 1. The two measures are independent, so the fit is unique.
    stats = tmp_path / "stats.csv"
    pd.DataFrame(
        {"city": ["广州", "深圳市", "Zhuhai"], "employment": [50, 30, 20], "gdp": [20, 60, 20], "note": "x"}
    ).to_csv(stats, index=False)
    task = tmp_path / "task.xlsx"
    pd.DataFrame({"city": ["广州市", "深圳", "珠海"], "target": [7, 9, 4]}).to_excel(task, index=False)
    return task, stats


def test_explain_recovers_the_blend(tmp_path, capsys):
    task, stats = _files(tmp_path)
    out = tmp_path / "explain.csv"
    plot = tmp_path / "explain.png"
    args = ["explain", str(task), "--column", "target", "--stats", str(stats)]
    code = main([*args, "--measure", "employment", "--measure", "gdp", "-o", str(out), "--plot", str(plot)])
    assert code == 0
    assert "blend weights: employment 0.500, gdp 0.500" in capsys.readouterr().out
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("city")
    assert table["tilt"].round(9).tolist() == [1.0, 1.0, 1.0]
    assert table.index.tolist() == ["广州市", "深圳市", "珠海市"]
    assert plot.stat().st_size > 0


def test_explain_errors_are_one_line(tmp_path, capsys):
    task, stats = _files(tmp_path)
    # Without --measure every column is a measure: the text column is named, not skipped.
    assert main(["explain", str(task), "--column", "target", "--stats", str(stats)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("empmon explain: error:") and "'note'" in err
    assert main(["explain", str(task), "--column", "target", "--stats", str(stats), "--weight", "gdp=x"]) == 2
    assert "'x' is not a number" in capsys.readouterr().err
