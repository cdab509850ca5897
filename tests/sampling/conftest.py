"""Shared test data for the sampling tests."""

from __future__ import annotations

import pandas as pd
import pytest


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
