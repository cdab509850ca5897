"""The synthetic month: reproducible, marked synthetic, consistent where it is meant to be, and
every planted mistake caught by the check of its name."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.checks import check_reports
from monitoring.columns import DECREASE_TYPES, REPORT_COLUMNS, parse_reasons
from monitoring.exceptions import ReportError
from monitoring.forms import summarize
from monitoring.synthetic import MISTAKES, SYNTHETIC_NOTE, make_month
from sampling import select
from sampling.synthetic import make_frame


@pytest.fixture(scope="module")
def sample():
    frame = make_frame(3000, cities=pd.Series({"韶关市": 1.0, "佛山市": 2.0}), random_state=5)
    frame = frame.assign(section="C", size_class="small", state_owned=False)
    cells = frame[["city", "section", "size_class", "state_owned"]].drop_duplicates().assign(quota=400)
    return select(frame, cells, method="srs", random_state=5)


def test_reproducible_and_marked_synthetic(sample):
    a = make_month(sample, month="2013-01", random_state=7)
    b = make_month(sample, month="2013-01", random_state=np.random.default_rng(7))
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(make_month(sample, month="2013-01", random_state=8))
    assert a.attrs["synthetic"] is True and a.attrs["note"] == SYNTHETIC_NOTE
    assert list(a.columns[: len(REPORT_COLUMNS)]) == list(REPORT_COLUMNS)


def test_clean_month_obeys_the_form(sample):
    r = make_month(sample, month="2013-01", mistakes=0, late_cities=0, random_state=3)
    listed = sample.to_frame("sample")
    check = check_reports(r, sample, submitted=r.attrs["submitted"])
    fails = check.failures().query("status == 'fail'")
    # only the enterprises that did not report fail
    assert set(fails["rule"]) == {"not_reported"}
    assert sorted(fails["enterprise_id"]) == sorted(r.attrs["nonresponse"])
    assert len(r) + len(r.attrs["nonresponse"]) == len(listed) == 800
    # the base is the register's employment (建档期)
    employees = listed.set_index("enterprise_id")["employees"]
    assert (r["base_employment"].to_numpy() == r["enterprise_id"].map(employees).to_numpy()).all()
    # closures and moves out leave nobody; every decrease has 1 to 3 reasons
    gone = r["closure"].notna() | r["moved_out"].notna()
    assert (r.loc[gone, "end_employment"] == 0).all()
    fell = r["change"] < 0
    assert r.loc[fell, "reasons"].map(lambda x: 1 <= len(parse_reasons(x)) <= 3).all()
    assert r.loc[~fell, list(DECREASE_TYPES)].isna().all().all()


def test_every_planted_mistake_is_caught(sample):
    r = make_month(sample, month="2013-02", random_state=11)
    planted = r.attrs["mistakes"]
    assert planted["kind"].tolist() == list(MISTAKES)  # one of each kind by default
    check = check_reports(r, sample, submitted=r.attrs["submitted"])
    flagged = set(zip(check.failures()["enterprise_id"].astype(object), check.failures()["rule"]))
    for eid, kind in planted.itertuples(index=False):
        assert (eid, kind) in flagged, kind
    # nothing else fails except the missing reports and the late city
    fails = check.failures().query("status == 'fail'")
    others = fails[~fails["rule"].isin(["not_reported", "late"])]
    assert set(others["enterprise_id"]) <= set(planted["enterprise_id"])
    assert check.failures().query("rule == 'late'")["city"].nunique() == 1


def test_next_month_starts_where_this_one_ended(sample):
    jan = make_month(sample, month="2013-01", mistakes=0, random_state=1)
    feb = make_month(sample, month="2013-02", previous=jan, mistakes=0, random_state=2)
    check = check_reports(feb, sample, previous=jan)
    assert "base_continuity" not in set(check.failures()["rule"])
    ends = jan.set_index("enterprise_id")["end_employment"]
    both = feb[feb["enterprise_id"].isin(ends.index)]
    assert (both["base_employment"].to_numpy() == both["enterprise_id"].map(ends).to_numpy()).all()


def test_summary_of_a_corrected_month(sample):
    r = make_month(sample, month="2013-01", random_state=4)
    listed = sample.to_frame("sample")["enterprise_id"]
    usable = r[r["enterprise_id"].isin(listed)].drop_duplicates("enterprise_id")
    s = summarize(usable)
    assert s.by_city.iloc[-1]["enterprises"] == len(usable)
    assert s.by_city.iloc[-1]["change"] == int(usable["change"].sum())


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0, 1))
def test_decrease_types_add_up_without_mistakes(seed, response):
    listed = pd.DataFrame(
        {"enterprise_id": [f"E{i}" for i in range(200)], "city": "韶关市", "employees": np.arange(1, 201)}
    )
    r = make_month(listed, mistakes=0, response_rate=response, random_state=seed)
    fell = r["change"] < 0
    assert (r.loc[fell, list(DECREASE_TYPES)].fillna(0).sum(axis=1) == r.loc[fell, "change"]).all()
    assert (r["change"] == r["end_employment"] - r["base_employment"]).all()


def test_bad_input():
    with pytest.raises(
        ReportError, match="no base employment \\(employees\\) for 1 enterprise\\(s\\): \\['B'\\]"
    ):
        make_month(pd.DataFrame({"enterprise_id": ["A", "B"], "city": "韶关市", "employees": [5, None]}))
    with pytest.raises(ValueError, match="response_rate must be a share in \\[0, 1\\], got 1.5"):
        make_month(
            pd.DataFrame({"enterprise_id": ["A"], "city": "韶关市", "employees": [5]}), response_rate=1.5
        )
