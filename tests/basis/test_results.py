"""The result base: one-line repr, str = summary, HTML view, Excel written atomically."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass

import pandas as pd
import pytest

from basis import Result


@dataclass(frozen=True, eq=False, repr=False)
class Counts(Result):
    table: pd.DataFrame

    def headline(self) -> str:
        return f"{len(self.table)} cities, total {int(self.table['n'].sum())}"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        return "\n".join([self.headline(), *(f"  {c}: {n}" for c, n in self.table.itertuples(index=False))])


def make(rows: int = 2) -> Counts:
    return Counts(pd.DataFrame({"city": [f"c{i}" for i in range(rows)], "n": range(1, rows + 1)}))


def test_repr_is_one_line_and_str_is_the_summary():
    result = make()
    assert repr(result) == "<Counts: 2 cities, total 3>"
    assert str(result) == "2 cities, total 3\n  c0: 1\n  c1: 2"
    assert repr([result]) == "[<Counts: 2 cities, total 3>]"
    with pytest.raises(FrozenInstanceError):
        result.table = pd.DataFrame()  # type: ignore[misc]


def test_html_shows_the_summary_and_at_most_50_rows():
    html = make(60)._repr_html_()
    assert "60 cities, total 1830" in html  # 1 + 2 + ... + 60 = 60 * 61 / 2
    assert html.count("<tr") == 51  # the header row and the first 50 rows
    assert "10 more rows" in html


def test_to_excel_round_trip(tmp_path):
    path = tmp_path / "counts.xlsx"
    make().to_excel(path)
    back = pd.read_excel(path)
    pd.testing.assert_frame_equal(back, make().to_frame())
    assert [p.name for p in tmp_path.iterdir()] == ["counts.xlsx"]  # no temporary file left


def test_to_excel_keeps_booleans_dates_and_missing_values(tmp_path):
    from openpyxl import load_workbook

    table = pd.DataFrame(
        {
            "city": ["c0", "c1"],
            "n": [1, 2],
            "rate": [0.25, None],
            "late": [False, True],
            "submitted": pd.to_datetime(["2026-03-04", None]),
            "month": pd.period_range("2026-02", periods=2, freq="M"),
        }
    )
    path = tmp_path / "counts.xlsx"
    Counts(table).to_excel(path)
    back = pd.read_excel(path)
    expected = table.assign(month=["2026-02", "2026-03"])  # periods are written as text
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    assert back["late"].dtype == bool and back["submitted"].dtype.kind == "M"
    ws = load_workbook(path)["Sheet1"]
    assert ws["E2"].number_format == "yyyy-mm-dd" and ws.freeze_panes is None


def test_to_excel_refuses_to_replace_when_told(tmp_path):
    from basis import OutputError

    path = tmp_path / "counts.xlsx"
    path.write_bytes(b"old")
    with pytest.raises(OutputError, match="already exists"):
        make().to_excel(path, overwrite=False)
    assert path.read_bytes() == b"old"


def test_base_methods_must_be_provided():
    with pytest.raises(NotImplementedError):
        repr(Result())
