"""Tests of sampling.synthetic.make_frame.

The frame is random by design, so most tests check documented properties (exact counts,
dtypes, codes every classification accepts, plausible size and ownership mixes) rather than
values; exact values are hand calculations written out below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotas.classify import divisions, is_state_owned, registration_types, section_of, size_class
from quotas.datasets import guangdong_2012, guangdong_2013_panel, national_cities
from quotas.exceptions import UnknownCityError
from sampling.exceptions import FrameError
from sampling.prepare import prepare_frame, validate_frame
from sampling.status import STATUSES
from sampling.synthetic import COLUMNS, DIVISION_MIX, REGISTRATION_MIX, make_frame


@pytest.fixture(scope="module")
def guangdong() -> pd.DataFrame:
    """200,000 enterprises over Guangdong's 21 cities with the 3,000-enterprise 2013 panel."""
    return make_frame(200_000, panel=guangdong_2013_panel(), invalid_rate=0.02, random_state=2026)


@pytest.fixture(scope="module")
def prepared(guangdong: pd.DataFrame) -> pd.DataFrame:
    return prepare_frame(guangdong)


# ----------------------------------------------------------------------------- determinism


def test_same_seed_same_frame() -> None:
    a = make_frame(3000, panel=guangdong_2013_panel() // 50, invalid_rate=0.05, random_state=11)
    b = make_frame(3000, panel=guangdong_2013_panel() // 50, invalid_rate=0.05, random_state=11)
    pd.testing.assert_frame_equal(a, b)


def test_same_frame_with_or_without_threads() -> None:
    # basis.threads: the result does not depend on workers; the identifiers are built in a
    # thread beside the draws with workers=2, in the caller's thread with workers=1.
    options = {"panel": guangdong_2013_panel() // 50, "invalid_rate": 0.05, "random_state": 11}
    pd.testing.assert_frame_equal(
        make_frame(3000, workers=1, **options), make_frame(3000, workers=2, **options)
    )
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        make_frame(10, workers=0)


def test_generator_and_int_seed_agree() -> None:
    pd.testing.assert_frame_equal(
        make_frame(500, random_state=np.random.default_rng(5)), make_frame(500, random_state=5)
    )


def test_different_seed_different_frame() -> None:
    a = make_frame(3000, random_state=1)
    b = make_frame(3000, random_state=2)
    # City counts are fixed by the weights; everything drawn differs.
    assert (a["city"].value_counts() == b["city"].value_counts()).all()
    assert (a["employees"] != b["employees"]).mean() > 0.5
    assert (a["industry"] != b["industry"]).mean() > 0.5


# ----------------------------------------------------------------------------- cities


def test_city_counts_hand_calculation() -> None:
    # Weights 5 : 3 : 2 and 7 enterprises: quotas 3.5, 2.1, 1.4; floors 3 + 2 + 1 = 6; the one
    # seat left goes to the largest remainder (0.5, 广州) -> 4, 2, 1.
    df = make_frame(7, cities=pd.Series({"广州": 5, "Shenzhen": 3, "珠海市": 2}), random_state=0)
    assert df["city"].value_counts().to_dict() == {"广州市": 4, "深圳市": 2, "珠海市": 1}
    assert df["city"].cat.categories.tolist() == ["广州市", "深圳市", "珠海市"]


def test_city_counts_tie_goes_to_earlier_city() -> None:
    # Weights 1 : 1 and 3 enterprises: quotas 1.5 each, one seat left, tie -> first listed.
    df = make_frame(3, cities=pd.Series({"深圳": 1.0, "广州": 1.0}), random_state=0)
    assert df["city"].value_counts().to_dict() == {"深圳市": 2, "广州市": 1}


def test_default_cities_are_guangdong_by_2010_population() -> None:
    # 广州 12,700,800 and 云浮 2,360,128 of 104,310,395 residents (2010 census, guangdong_2012):
    # 10,000 x 12,700,800 / 104,310,395 = 1217.6 and 10,000 x 2,360,128 / 104,310,395 = 226.3,
    # so the counts are 1217 or 1218 and 226 or 227.
    df = make_frame(10_000, random_state=3)
    counts = df["city"].value_counts()
    assert len(counts) == 21
    assert set(counts.index) == set(guangdong_2012().index)
    assert counts["广州市"] in (1217, 1218)
    assert counts["云浮市"] in (226, 227)


def test_national_cities() -> None:
    df = make_frame(5000, cities="national", random_state=4)
    assert df["city"].cat.categories.tolist() == national_cities()["city"].tolist()
    # 三沙市 has 2,333 of 1,396,654,378 residents: quota 0.008, floor 0, remainder too small.
    assert int((df["city"] == "三沙市").sum()) == 0
    # 北京市 21,893,095 / 1,396,654,378 x 5000 = 78.4 -> 78 or 79.
    assert int((df["city"] == "北京市").sum()) in (78, 79)


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=21).filter(
        lambda w: sum(w) > 0
    ),
    n=st.integers(min_value=0, max_value=400),
)
def test_city_counts_are_hamilton_quotas(weights: list[int], n: int) -> None:
    names = guangdong_2012().index[: len(weights)]
    df = make_frame(n, cities=pd.Series(weights, index=names), random_state=0)
    counts = df["city"].value_counts().reindex(names).to_numpy()
    quota = np.array(weights) / sum(weights) * n
    assert counts.sum() == n
    assert (counts >= np.floor(quota)).all() and (counts <= np.floor(quota) + 1).all()


# ----------------------------------------------------------------------------- columns


def test_columns_and_dtypes(guangdong: pd.DataFrame) -> None:
    df = guangdong
    assert tuple(df.columns) == COLUMNS
    for col in ("city", "industry", "registration_type", "status"):
        assert isinstance(df[col].dtype, pd.CategoricalDtype), col
    assert df["employees"].dtype == np.int64
    assert df["revenue"].dtype == np.float64 and df["assets"].dtype == np.float64
    assert df["in_panel"].dtype == bool
    assert (df["employees"] >= 1).all()
    assert (df["revenue"] > 0).all() and (df["assets"] > 0).all()
    assert df["industry"].cat.categories.tolist() == divisions("2011")["division"].tolist()
    assert df["registration_type"].cat.categories.tolist() == registration_types()["code"].tolist()


def test_ids_unique_and_shaped_like_credit_codes(guangdong: pd.DataFrame) -> None:
    ids = guangdong["enterprise_id"]
    assert ids.is_unique
    assert (ids.str.len() == 18).all()
    assert ids.str.match(r"^91\d{15}[0-9A-HJ-NPQRTUWXY]$").all()
    assert guangdong["name"].iloc[0] == "合成企业0000000"


def test_credit_code_check_character_hand_calculation() -> None:
    # First enterprise of 北京市 (division code 110100), row 0: "91" "110100" "000000000".
    # GB 32100-2015 weights 3**i mod 31 = 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28;
    # sum = 9x1 + 1x3 + 1x9 + 1x27 + 0x19 + 1x26 + 0 ... = 74; 74 mod 31 = 12;
    # 31 - 12 = 19 -> the 20th character of 0-9 A-H J-N P-R T U W-Y, which is K.
    df = make_frame(1, cities=pd.Series({"北京市": 1}), random_state=0)
    assert df["enterprise_id"].iloc[0] == "91110100000000000K"
    # Row 1 adds digit 1 at weight 28: 74 + 28 = 102; 102 mod 31 = 9; 31 - 9 = 22 -> N.
    df = make_frame(2, cities=pd.Series({"北京市": 1}), random_state=0)
    assert df["enterprise_id"].iloc[1] == "91110100000000001N"


def test_frame_passes_validation(guangdong: pd.DataFrame) -> None:
    out = validate_frame(guangdong)
    assert len(out) == len(guangdong)


# ----------------------------------------------------------------------------- codes


def test_every_code_is_accepted_by_the_classifications() -> None:
    sec = section_of(pd.Series(list(DIVISION_MIX)))
    assert set(sec) == set("ABCDEFGHILMNOQR")
    assert is_state_owned(pd.Series(list(REGISTRATION_MIX))).sum() == 3  # 110, 141, 151


def test_size_class_needs_no_fallback(guangdong: pd.DataFrame) -> None:
    # Every division drawn is one the size document sizes with known indicators, so
    # size_class raises no SizeClassWarning (warnings are errors in this suite).
    out = size_class(guangdong["industry"], guangdong["employees"], guangdong["revenue"], guangdong["assets"])
    assert (out["size_basis"] == "document").all()


def test_industry_version_2017() -> None:
    a = make_frame(4000, random_state=9)
    b = make_frame(4000, random_state=9, industry_version="2017")
    # 2017 inserted division 79 土地管理业: 2011's 79-96 are 2017's 80-97, sections unchanged.
    shifted = a["industry"].astype(int).map(lambda d: d + 1 if d >= 79 else d)
    assert (b["industry"].astype(int) == shifted).all()
    assert (section_of(a["industry"]) == section_of(b["industry"], version="2017")).all()
    assert (b["industry"].astype(str) != "79").all()


# ----------------------------------------------------------------------------- size and ownership


def test_size_mix_is_plausible(prepared: pd.DataFrame) -> None:
    share = prepared["size_class"].value_counts(normalize=True)
    assert share["micro"] + share["small"] > 0.85
    assert share["medium"] > share["large"] > 0
    assert share["large"] < 0.01


def test_every_city_has_medium_and_large_enterprises(prepared: pd.DataFrame) -> None:
    # With 200,000 enterprises even 珠海 (1.5% of residents, about 3,000 enterprises) has
    # enough medium and large ones for a quota table.
    counts = pd.crosstab(prepared["city"], prepared["size_class"])
    assert (counts["large"] >= 3).all()
    assert (counts["medium"] >= 100).all()


def test_manufacturing_heavy_and_varying_by_city(prepared: pd.DataFrame) -> None:
    c_share = (prepared["section"] == "C").groupby(prepared["city"], observed=True).mean()
    assert 0.35 <= (prepared["section"] == "C").mean() <= 0.45
    assert c_share.max() - c_share.min() > 0.1


def test_state_owned_share(prepared: pd.DataFrame) -> None:
    assert 0.02 <= prepared["state_owned"].mean() <= 0.08
    by_size = prepared.groupby("size_class", observed=True)["state_owned"].mean()
    assert by_size["large"] > by_size["medium"] > by_size["small"]


def test_employees_heavy_tailed(guangdong: pd.DataFrame) -> None:
    emp = np.sort(guangdong["employees"].to_numpy())
    top = emp[-len(emp) // 100 :].sum() / emp.sum()
    assert top > 0.2  # the largest 1% employ more than a fifth of all
    assert emp.max() >= 10_000


def test_revenue_grows_with_employees(guangdong: pd.DataFrame) -> None:
    rho = guangdong[["employees", "revenue", "assets"]].rank().corr()
    assert rho.loc["employees", "revenue"] > 0.7
    assert rho.loc["revenue", "assets"] > 0.7


# ----------------------------------------------------------------------------- panel and status


def test_panel_counts_exact_and_non_micro(guangdong: pd.DataFrame, prepared: pd.DataFrame) -> None:
    panel = guangdong_2013_panel()
    got = guangdong.loc[guangdong["in_panel"], "city"].value_counts().reindex(panel.index)
    assert (got == panel).all()
    assert (prepared.loc[prepared["in_panel"], "size_class"] != "micro").all()


def test_panel_prefers_larger_enterprises(guangdong: pd.DataFrame, prepared: pd.DataFrame) -> None:
    non_micro = prepared[prepared["size_class"] != "micro"]
    assert non_micro.loc[non_micro["in_panel"], "employees"].median() > non_micro["employees"].median()


def test_invalid_rate(guangdong: pd.DataFrame) -> None:
    status = guangdong["status"].astype(str)
    # 0.02 x 200,000 = 4,000 invalid enterprises exactly.
    assert int((status != "active").sum()) == 4000
    assert set(status[status != "active"]) <= set(STATUSES)


def test_no_panel_no_invalid() -> None:
    df = make_frame(100, random_state=0)
    assert not df["in_panel"].any()
    assert (df["status"] == "active").all()


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize("n", [-1, 2.5, "10"])
def test_bad_size(n: object) -> None:
    with pytest.raises(FrameError, match=repr(n)[:3]):
        make_frame(n)  # type: ignore[arg-type]


def test_unknown_cities_name_lists_valid() -> None:
    with pytest.raises(FrameError, match="'guangzhou'.*'national'"):
        make_frame(10, cities="guangzhou")  # type: ignore[arg-type]


def test_negative_weight_named() -> None:
    with pytest.raises(FrameError, match="深圳: -1"):
        make_frame(10, cities=pd.Series({"广州": 1, "深圳": -1}))


def test_unknown_city_named() -> None:
    with pytest.raises(UnknownCityError, match="Atlantis"):
        make_frame(10, cities=pd.Series({"广州": 1, "Atlantis": 1}))


def test_duplicate_city_named() -> None:
    with pytest.raises(FrameError, match="广州市"):
        make_frame(10, cities=pd.Series({"广州": 1, "Guangzhou": 1}))


def test_panel_outside_frame() -> None:
    with pytest.raises(FrameError, match="北京市"):
        make_frame(100, panel=pd.Series({"北京": 1}))


def test_panel_too_large_names_city() -> None:
    with pytest.raises(FrameError, match="广州市 wants 450"):
        make_frame(1000, panel=guangdong_2013_panel(), random_state=0)


def test_bad_invalid_rate() -> None:
    with pytest.raises(FrameError, match="1.5"):
        make_frame(10, invalid_rate=1.5)


def test_bad_industry_version_lists_valid() -> None:
    with pytest.raises(FrameError, match="'2011', '2017'.*'2002'"):
        make_frame(10, industry_version="2002")  # type: ignore[arg-type]


def test_bad_panel_count_named() -> None:
    with pytest.raises(FrameError, match="深圳: -2"):
        make_frame(100, panel=pd.Series({"广州": 1, "深圳": -2}))
