"""Tests for sampling.status: which statuses take a unit out, and every stage agreeing on it."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotas import build_quotas
from quotas.exceptions import InfeasibleQuotaError, SizeClassWarning
from quotas.rules import RuleSet
from sampling import SelectionError, select
from sampling.prepare import prepare_frame
from sampling.status import KEPT_STATUSES, REMOVAL_STATUSES, STATUSES, in_business, in_business_rows
from sampling.structure import structure


def test_statuses_as_the_documents_have_them():
    # domain-rules.md "Sample maintenance": "remove invalid units (closed or bankrupt
    # [关闭破产], no longer meeting the monitoring criteria)"; "Suspension [停业整顿], layoffs,
    # moving out of the city are *decrease types* of the monthly report, not by themselves
    # reasons to drop a unit"; 附表一 columns (7)-(11) list 关闭破产, 停业整顿, 经济性裁员,
    # 企业迁出本市, 其他.
    assert set(REMOVAL_STATUSES) == {"关闭破产", "不再符合条件"}
    assert set(KEPT_STATUSES) == {"停业整顿", "迁出本市", "其他"}
    assert set(STATUSES) == set(REMOVAL_STATUSES) | set(KEPT_STATUSES)
    assert [in_business(s) for s in STATUSES] == [s not in REMOVAL_STATUSES for s in STATUSES]


@pytest.mark.parametrize("value", ["", "active", "正常", None, np.nan, " 停业整顿 ", "invalid"])
def test_blank_unknown_and_kept_statuses_are_in_business(value):
    assert in_business(value)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.sampled_from([*STATUSES, "", " 关闭破产", "active", None]), max_size=40),
    storage=st.sampled_from(["object", "str", "category", "arrow"]),
)
def test_every_storage_gives_the_answer_of_each_value(values, storage):
    # Invariant: the column's storage (object, pandas' str, categorical, Arrow) does not
    # change the answer, which is the scalar rule applied value by value.
    column = pd.Series(values, dtype=object)
    if storage == "arrow":
        column = column.astype(pd.StringDtype("pyarrow", na_value=np.nan))
    elif storage != "object":
        column = column.astype(storage)
    expected = [in_business(v) for v in values]
    assert in_business(column).tolist() == expected


def _one_cell(status: list[str], in_panel: list[bool] | None = None) -> pd.DataFrame:
    n = len(status)
    raw = pd.DataFrame(
        {
            "enterprise_id": [f"E{i}" for i in range(n)],
            "city": "广州",
            "industry": "1311",
            "registration_type": "173",
            "employees": 120,
            "revenue": 5000.0,
            "status": status,
        }
    )
    if in_panel is not None:
        raw["in_panel"] = in_panel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SizeClassWarning)
        return prepare_frame(raw)


def test_structure_quotas_and_selection_count_the_same_enterprises():
    # Issue 13, reproduction 2: a register of 8 enterprises in one cell, 2 of them closed
    # (关闭破产). The structure counts the 6 in business, so the quota model cannot ask for 8,
    # and the selection agrees: 6 can be drawn, 7 cannot.
    frame = _one_cell(["关闭破产", "", "停业整顿", "", "关闭破产", "迁出本市", "", "其他"])
    cells = structure(frame)
    assert cells[["enterprises", "panel"]].values.tolist() == [[6, 0]]
    no_rules = RuleSet("none")
    with pytest.raises(InfeasibleQuotaError):
        build_quotas(cells, pd.Series({"广州市": 8}), rules=no_rules)
    quotas = build_quotas(cells, pd.Series({"广州市": 6}), rules=no_rules)
    assert quotas.to_frame()["quota"].tolist() == [6]
    drawn = select(frame, quotas, method="srs", random_state=1).to_frame()
    assert sorted(drawn["enterprise_id"]) == ["E1", "E2", "E3", "E5", "E6", "E7"]
    too_many = cells[["city", "section", "size_class", "state_owned"]].assign(quota=7)
    with pytest.raises(SelectionError, match=r"(?s)more enterprises than the cell has.*7 +6"):
        select(frame, too_many, method="srs", random_state=1)


def test_a_removed_panel_enterprise_is_counted_alike_by_structure_and_select():
    # Issue 13, reproduction 2: a panel enterprise out of business is neither panel in the
    # structure nor kept by select; a suspended one is panel for both.
    frame = _one_cell(["不再符合条件", "停业整顿", "", ""], in_panel=[True, True, False, False])
    cells = structure(frame)
    assert cells[["enterprises", "panel"]].values.tolist() == [[3, 1]]
    quotas = cells[["city", "section", "size_class", "state_owned"]].assign(quota=2)
    sample = select(frame, quotas, method="srs", random_state=1)
    roles = sample.to_frame().set_index("enterprise_id")["role"].to_dict()
    assert roles["E0"] == "removed" and roles["E1"] == "panel"
    assert sample.cells[["population", "panel"]].values.tolist() == [[3, 1]]
    assert in_business_rows(frame).tolist() == [False, True, True, True]
    assert in_business_rows(frame.drop(columns="status")).all()
