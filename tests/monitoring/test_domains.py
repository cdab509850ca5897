"""Domain estimators (svytotal, svymean, svyratio under svyby): hand calculations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from monitoring.domains import Domains
from monitoring.exceptions import EstimationError
from monitoring.nonresponse import adjust_nonresponse


def _domains() -> Domains:
    # One stratum, N = 10, 4 monitored (weight 2.5), all respond; column kind: x, x, y and a
    # blank (the fourth enterprise is in no domain of that grouping).
    design = pd.DataFrame(
        {
            "enterprise_id": list("abcd"),
            "city": "广州市",
            "section": "C",
            "size_class": "small",
            "state_owned": False,
            "weight": 2.5,
            "fpc": 10,
            "kind": ["x", "x", "y", None],
        }
    )
    reports = pd.DataFrame(
        {"enterprise_id": list("abcd"), "base_employment": [1, 3, 5, 7], "end_employment": [2, 3, 5, 7]}
    )
    return Domains(adjust_nonresponse(reports, design))


def test_families_and_counts():
    domains = _domains()
    province, kind = domains.families(["kind"])
    assert (province.by, province.values) == ("province", ["all"])
    assert (kind.by, kind.values, kind.codes.tolist()) == ("kind", ["x", "y"], [0, 0, 1, -1])
    assert domains.count(kind).tolist() == [2, 1]
    with pytest.raises(EstimationError, match="by: no column 'region'"):
        domains.families(["region"])


def test_total_and_mean_by_hand():
    # y = 1, 3, 5, 7. Domain x: z = 2.5 y 1{x} = 2.5, 7.5, 0, 0 (mean 2.5; squares
    # 0 + 25 + 6.25 + 6.25 = 37.5); V = (1 - 4/10) x 4/3 x 37.5 = 30.
    # Mean in x: (1 + 3) / 2 = 2; scores 2.5 (y - 2) / 5 = -0.5, 0.5, 0, 0; V = 0.6 x 4/3 x 0.5 = 0.4.
    domains = _domains()
    _, kind = domains.families(["kind"])
    y = np.array([1.0, 3, 5, 7])
    total, variance = domains.total(kind, y)
    assert total[0] == pytest.approx(10, rel=1e-14) and variance[0] == pytest.approx(30, rel=1e-14)
    mean, variance = domains.mean(kind, y)
    assert mean[0] == pytest.approx(2, rel=1e-14) and variance[0] == pytest.approx(0.4, rel=1e-14)


def test_ratio_by_hand():
    # Domain x: R = (2 + 3) / (1 + 3) = 1.25, Y = 2.5 x 4 = 10; residuals x - R y = 0.75, -0.75;
    # scores 2.5 x (0.75, -0.75, 0, 0) / 10 = 0.1875, -0.1875, 0, 0 (mean 0);
    # V = 0.6 x 4/3 x 2 x 0.1875^2 = 0.05625.
    domains = _domains()
    _, kind = domains.families(["kind"])
    ratio, variance = domains.ratio(kind, np.array([2.0, 3, 5, 7]), np.array([1.0, 3, 5, 7]))
    assert ratio[0] == pytest.approx(1.25, rel=1e-14)
    assert variance[0] == pytest.approx(0.05625, rel=1e-12)
    _, scores = domains.ratio_scores(kind, np.array([2.0, 3, 5, 7]), np.array([1.0, 3, 5, 7]))
    np.testing.assert_allclose(scores, [0.1875, -0.1875, 0, 0], atol=1e-15)
