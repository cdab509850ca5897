"""Validation of structure tables (quotas.structure)."""

from __future__ import annotations

import pandas as pd
import pytest

from quotas.exceptions import QuotaInputError, UnknownCityError
from quotas.structure import validate_structure


def _frame(**changes: object) -> pd.DataFrame:
    base = {
        "city": ["广州", "广州市", "Shenzhen"],
        "section": ["C", "f", "G"],
        "size_class": ["small", "Medium", "large"],
        "state_owned": [False, 1, 0],
        "enterprises": [10, 5, 2],
        "employment": [500.0, 700.0, 3000.0],
    }
    base.update(changes)  # type: ignore[arg-type]
    return pd.DataFrame(base)


def test_normalises_names_and_types_without_mutating_input() -> None:
    raw = _frame()
    before = raw.copy()
    out = validate_structure(raw)
    assert out["city"].tolist() == ["广州市", "广州市", "深圳市"]
    assert out["section"].tolist() == ["C", "F", "G"]
    assert out["size_class"].tolist() == ["small", "medium", "large"]
    assert out["state_owned"].tolist() == [False, True, False]
    assert out["enterprises"].dtype.kind == "i"
    pd.testing.assert_frame_equal(raw, before)


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"section": ["C", "X", "G"]}, "row 1: 'X'"),
        ({"size_class": ["small", "tiny", "large"]}, "row 1: 'tiny'"),
        ({"state_owned": [False, "maybe", True]}, "row 1: 'maybe'"),  # yes/no words are read (basis.booleans)
        ({"enterprises": [10, -1, 2]}, "row 1: -1"),
        ({"enterprises": [10, 2.5, 2]}, "row 1: 2.5"),
        ({"employment": [500.0, None, 3.0]}, "employment"),
        (
            {
                "section": ["C", "C", "G"],
                "size_class": ["small", "small", "large"],
                "state_owned": [False, False, False],
            },
            "duplicated cell",
        ),
    ],
)
def test_bad_values_are_named(changes: dict, needle: str) -> None:
    with pytest.raises(QuotaInputError, match="structure") as err:
        validate_structure(_frame(**changes))
    assert needle in str(err.value)


def test_duplicate_names_both_rows() -> None:
    df = _frame(
        section=["C", "C", "G"], size_class=["small", "small", "large"], state_owned=[False, False, False]
    )
    with pytest.raises(QuotaInputError) as err:
        validate_structure(df)
    assert "row 0" in str(err.value) and "row 1" in str(err.value)


def test_unknown_city_is_named() -> None:
    with pytest.raises(UnknownCityError, match="火星市"):
        validate_structure(_frame(city=["广州", "火星市", "深圳"]))


def test_missing_column() -> None:
    with pytest.raises(QuotaInputError, match=r"missing column\(s\) \['employment'\]"):
        validate_structure(_frame().drop(columns=["employment"]))


def test_band_column_cannot_exceed_enterprises() -> None:
    with pytest.raises(QuotaInputError, match="enterprises_50_300 exceeds enterprises"):
        validate_structure(_frame(enterprises_50_300=[3, 9, 0]))
