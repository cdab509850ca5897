"""Shared test data for the sampling tests."""

from __future__ import annotations

import pandas as pd
import pytest

from sampling import Sample, select
from sampling.cells import CELL_KEYS as KEYS


@pytest.fixture
def raw_register() -> pd.DataFrame:
    """A small register as a city bureau's Excel export has it: Chinese headers, units in
    brackets, a thousands separator, a city written three ways, a blank revenue."""
    return pd.DataFrame(
        {
            "统一社会信用代码": ["91440101A", "91440101B", "91440101C", "91440101D"],
            "企业名称": ["甲", "乙", "丙", "丁"],
            "所在地市": ["广州", "广州市", "Guangzhou", "深圳"],
            "所属行业": ["1311", "C13", "51", "70"],
            "企业性质": ["国有企业", "173", "有限责任公司", "151"],
            "从业人员（人）": ["300", "1,200", "25", "80"],
            "营业收入（万元）": ["2000", "30000", "", "500"],
            "备注": ["", "", "", ""],
        }
    )


_DESIGN_CELLS = [
    # city, section, size class, state-owned, N, panel, quota
    ("广州市", "C", "small", False, 40, 3, 10),
    ("广州市", "G", "medium", False, 25, 0, 6),
    ("韶关市", "C", "small", False, 8, 0, 8),  # take-all: quota = N
    ("韶关市", "G", "small", True, 30, 1, 5),
]


@pytest.fixture
def design_register() -> pd.DataFrame:
    """The register of :func:`design_sample`: 103 enterprises in 4 cells, 4 of them panel."""
    rows, k = [], 0
    for city, section, size, owned, n_pop, panel, _ in _DESIGN_CELLS:
        for j in range(n_pop):
            rows.append(
                (
                    f"E{k:04d}",
                    city,
                    section,
                    size,
                    owned,
                    20 + (37 * k) % 400,
                    j < panel,
                    (0.5 + k * 0.618034) % 1,
                )
            )
            k += 1
    columns = [
        "enterprise_id",
        "city",
        "section",
        "size_class",
        "state_owned",
        "employees",
        "in_panel",
        "prn",
    ]
    return pd.DataFrame(rows, columns=columns)


@pytest.fixture
def design_sample(design_register: pd.DataFrame) -> Sample:
    """A sample with a panel, a take-all cell and two cities (simple random sampling in the
    cells). Its design export is checked in as tests/sampling/r/sample_design.csv
    (test_sample.py checks it is what the library writes), which
    tests/sampling/r/make_design_refs.R reads."""
    quotas = pd.DataFrame([c[:4] + (c[6],) for c in _DESIGN_CELLS], columns=[*KEYS, "quota"])
    return select(design_register, quotas, method="srs")
