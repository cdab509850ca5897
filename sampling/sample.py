"""The result of a selection: the panel kept, the new enterprises drawn, reserves, removals.

A :class:`Sample` is what :func:`sampling.select` returns and :func:`sampling.replace` takes
and returns. One row per enterprise with a role:

* ``panel`` - an enterprise of the existing panel, kept (``pi = 1``: the panel is a take-all
  part of the design, see :func:`sampling.select`);
* ``new`` - drawn this time;
* ``reserve`` - next in line in its cell, in ``reserve_rank`` order, not in the sample
  (``pi`` and ``weight`` are empty until it replaces someone);
* ``removed`` - a panel or sampled enterprise taken out, with its ``reason`` (one of
  :data:`sampling.status.STATUSES`, or the frame's ``status`` text).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from os import PathLike
from typing import Literal

import numpy as np
import pandas as pd

from quotas.labels import SIZE_LABELS_ZH
from sampling.roles import MONITORED_ROLES, ROLE_LABELS_ZH, ROLES

__all__ = ["SAMPLE_COLUMNS", "Sample"]


SAMPLE_COLUMNS: tuple[str, ...] = (
    "enterprise_id",
    "city",
    "section",
    "size_class",
    "state_owned",
    "role",
    "pi",
    "weight",
    "prn",
    "reason",
)
"""The canonical sample columns of ``pipeline.md``, always first in :meth:`Sample.to_frame`."""

# Registration form of the monitored enterprises: these six headers first, in this order.
_FORM_HEADERS = {
    "name": "企业名称",
    "enterprise_id": "统一社会信用代码",
    "registration_type": "企业性质",
    "industry": "所属行业",
    "city": "所在地市",
    "employees": "从业人员",
}
_EXTRA_HEADERS = {
    "section": "门类",
    "size_class": "划型规模",  # not 规模: that header is the size a bureau reports
    "state_owned": "国有",
    "role": "样本类型",
    "reserve_rank": "备选顺序",
    "pi": "入样概率",
    "weight": "设计权数",
    "prn": "永久随机数",
    "reason": "剔除原因",
    "replaces": "替换企业",
    "national": "两网合并",
}


@dataclass(frozen=True, eq=False)
class Sample:
    """A drawn sample with its panel, reserves and removals.

    Attributes
    ----------
    table : DataFrame
        One row per enterprise: :data:`SAMPLE_COLUMNS`, then ``reserve_rank`` (1, 2, ... within
        the cell for reserves), ``replaces`` (the enterprise a replacement stands in for) and
        the frame's ``name, industry, registration_type, employees`` where present.
    cells : DataFrame
        One row per cell: ``city, section, size_class, state_owned, quota, population, panel,
        new, reserves, removed, overshoot`` (``overshoot`` is True where the kept panel alone
        exceeds the quota).
    method : str
        The selection method.
    size : str or None
        The size column of the size-based methods.
    seed : int or None
        The seed the permanent random numbers were derived with (:func:`sampling.prn.derive_prn`),
        None when they came from the frame's ``prn`` column.
    priority : str or None
        The priority column, if candidates were ordered by it. Then the inclusion probabilities
        are the design's nominal ones, not the actual ones, and ``design_weights`` is False.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling import select
    >>> frame = pd.DataFrame({
    ...     "enterprise_id": [f"E{i}" for i in range(8)], "city": "深圳市", "section": "G",
    ...     "size_class": "small", "state_owned": False, "employees": 100,
    ... })
    >>> quotas = frame[["city", "section", "size_class", "state_owned"]].drop_duplicates()
    >>> sample = select(frame, quotas.assign(quota=2), method="srs", reserves=1, random_state=7)
    >>> list(sample.to_frame().columns[:10])
    ['enterprise_id', 'city', 'section', 'size_class', 'state_owned', 'role', 'pi', 'weight', 'prn', 'reason']
    >>> print(sample.summary().splitlines()[0])
    Sample (srs): 2 enterprises = 0 panel + 2 new; quota total 2 in 1 cells

    References
    ----------
    人力资源社会保障部办公厅关于进一步做好失业动态监测工作的通知 (人社部函〔2011〕308号).
    """

    table: pd.DataFrame
    cells: pd.DataFrame
    method: str
    size: str | None
    seed: int | None
    priority: str | None = None

    @property
    def design_weights(self) -> bool:
        """True when ``weight`` is a design weight 1 / pi (no priority ordering was used)."""
        return self.priority is None

    def to_frame(self, role: Literal["all", "sample"] = "all") -> pd.DataFrame:
        """The sample as a DataFrame, :data:`SAMPLE_COLUMNS` first.

        Parameters
        ----------
        role : {"all", "sample"}
            ``"sample"`` keeps only the enterprises to monitor (roles panel and new).
        """
        if role not in ("all", "sample"):
            raise ValueError(f"role must be 'all' or 'sample', got {role!r}")
        table = self.table
        if role == "sample":
            table = table[table["role"].isin(MONITORED_ROLES)]
        return table.reset_index(drop=True).copy()

    def _counts(self) -> pd.Series:
        return self.table["role"].value_counts().reindex(list(ROLES), fill_value=0)

    def summary(self) -> str:
        """Plain-text summary: counts by role, quotas met, cells where the panel overshoots."""
        counts = self._counts()
        cells = self.cells
        quota = int(cells["quota"].sum())
        monitored = int(counts["panel"] + counts["new"])
        lines = [
            f"Sample ({self.method}{', size ' + self.size if self.size else ''}): "
            f"{monitored} enterprises = {counts['panel']} panel + {counts['new']} new; "
            f"quota total {quota} in {int((cells['quota'] > 0).sum())} cells",
            f"reserves: {counts['reserve']}; removed: {counts['removed']}",
            "PRN: "
            + (
                "frame column 'prn'" if self.seed is None else f"derived from enterprise_id, seed {self.seed}"
            ),
        ]
        over = cells[cells["overshoot"]]
        if len(over):
            lines.append(
                f"{len(over)} cells where the kept panel exceeds the quota "
                f"(+{int((over['panel'] - over['quota']).sum())} enterprises):"
            )
            shown = over.head(10)
            for row in shown.itertuples(index=False):
                lines.append(
                    f"  {row.city} {row.section} {row.size_class} "
                    f"{'state' if row.state_owned else 'non-state'}: "
                    f"panel {row.panel} > quota {row.quota}"
                )
            if len(over) > len(shown):
                lines.append(f"  ... and {len(over) - len(shown)} more")
        short = cells[(cells["panel"] + cells["new"] < cells["quota"])]
        if len(short):
            lines.append(f"{len(short)} cells below quota after removals (no candidates left)")
        if not self.design_weights:
            lines.append(
                f"candidates were ordered by priority column {self.priority!r}: pi and weight "
                "are the design's nominal values, not true inclusion probabilities"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        counts = self._counts()
        head = "".join(f"<th>{html.escape(role)}</th>" for role in ROLES)
        row = "".join(f"<td>{counts[role]}</td>" for role in ROLES)
        text = html.escape(self.summary()).replace("\n", "<br>")
        preview = self.to_frame().head(20).to_html(index=False, na_rep="")
        return (
            f"<div><p>{text}</p><table><tr>{head}</tr><tr>{row}</tr></table><p>first rows:</p>{preview}</div>"
        )

    def to_excel(self, path: str | PathLike[str]) -> None:
        """Write the sample for the city bureaus, with the registration form's headers.

        Sheets: 样本 (panel and new enterprises), 备选 (reserves in order), 剔除 (removed).
        The first six columns are those of the registration form (企业名称, 统一社会信用代码,
        企业性质, 所属行业, 所在地市, 从业人员); size classes and roles in Chinese.
        """
        from quotas.classify import registration_types

        types = registration_types()
        type_names = dict(zip(types["code"].astype(str), types["name_zh"]))
        table = self.table.copy()
        for column in _FORM_HEADERS:
            if column not in table:
                table[column] = pd.NA
        table["registration_type"] = [type_names.get(str(code), code) for code in table["registration_type"]]
        table["size_class"] = table["size_class"].map(SIZE_LABELS_ZH).fillna(table["size_class"])
        table["state_owned"] = np.where(table["state_owned"].astype(bool), "是", "否")
        table["role"] = table["role"].map(ROLE_LABELS_ZH)
        columns = list(_FORM_HEADERS) + [c for c in _EXTRA_HEADERS if c in table]
        out = table[columns].rename(columns={**_FORM_HEADERS, **_EXTRA_HEADERS})
        roles = self.table["role"].to_numpy()
        sheets = {
            "样本": out[np.isin(roles, MONITORED_ROLES)],
            "备选": out[roles == "reserve"],
            "剔除": out[roles == "removed"],
        }
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for name, part in sheets.items():
                part.to_excel(writer, sheet_name=name, index=False, na_rep="")
                writer.sheets[name].freeze_panes = "A2"
