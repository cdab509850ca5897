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

from basis.files import atomic_path
from basis.results import Result
from quotas.labels import SIZE_LABELS_ZH
from sampling.cells import INDUSTRY_GROUP, cell_keys, with_cell_keys
from sampling.exceptions import SampleError
from sampling.roles import MONITORED_ROLES, ROLE_LABELS_ZH, ROLES

__all__ = ["DESIGN_COLUMNS", "SAMPLE_COLUMNS", "Sample", "sample_columns", "survey_design"]


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
"""The canonical sample columns of ``pipeline.md``, always first in :meth:`Sample.to_frame`
(with ``industry_group`` after ``section`` when the cells are industry groups:
:func:`sample_columns`)."""

DESIGN_COLUMNS: tuple[str, ...] = (
    "enterprise_id",
    "city",
    "section",
    "size_class",
    "state_owned",
    "role",
    "stratum",
    "fpc",
    "pi",
    "weight",
)
"""The columns of :func:`survey_design` and :meth:`Sample.to_survey_design`: what R's
``svydesign(ids = ~1, strata = ~stratum, fpc = ~fpc, weights = ~weight)`` needs."""

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
    "industry_group": "行业组",
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
    "batch": "更换批次",
    "authorised_by": "更换依据",
}


@dataclass(frozen=True, eq=False, repr=False)
class Sample(Result):
    """A drawn sample with its panel, reserves and removals.

    Attributes
    ----------
    table : DataFrame
        One row per enterprise: :data:`SAMPLE_COLUMNS` (with ``industry_group`` after
        ``section`` when the cells are industry groups), then ``reserve_rank`` (1, 2, ... within
        the cell for reserves), ``replaces`` (the enterprise a replacement stands in for) and
        the frame's ``name, industry, registration_type, employees`` where present.
    cells : DataFrame
        One row per cell: ``city, section[, industry_group], size_class, state_owned, quota,
        population, panel, new, reserves, removed, overshoot`` (``population`` is the cell's
        enterprises that could be in the sample: in business, panel or of at least
        ``min_employees``; ``overshoot`` is True where the kept panel alone exceeds the quota).
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
    min_employees : int or None
        The smallest size of a new enterprise (:mod:`sampling.eligibility`); None for none.

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
    min_employees: int | None = None

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

    def to_survey_design(self, *, register: pd.DataFrame | None = None) -> pd.DataFrame:
        """The sample's design, one row per monitored enterprise: :data:`DESIGN_COLUMNS`.

        This is the design :func:`sampling.select` draws, and the one definition of it that the
        audit, the monitoring estimates and an R user share (see :func:`survey_design`):
        strata are the quota cells, each cell's kept panel a take-all stratum of its own; the
        new enterprises are the cell's other stratum, drawn from the cell's enterprises in
        business outside the panel.

        Parameters
        ----------
        register : DataFrame, optional
            The enterprise register to take each cell's number of enterprises from: a
            prepared frame (counted by :func:`sampling.structure.structure`, with the sample's
            ``min_employees``) or a structure table (``city, section, size_class, state_owned,
            enterprises``, and ``industry_group`` when the cells are industry groups). Default:
            the counts :func:`sampling.select` recorded (``cells["population"]``, the
            enterprises in business in each cell that could be in the sample when it was drawn).

        Returns
        -------
        DataFrame
            :data:`DESIGN_COLUMNS`, then ``name`` and ``employees`` where present.

        Raises
        ------
        SampleError
            A cell with new enterprises has no size, or fewer enterprises than were drawn
            from it (the message names the cell).

        Examples
        --------
        >>> import pandas as pd
        >>> from sampling import select
        >>> frame = pd.DataFrame({
        ...     "enterprise_id": [f"E{i}" for i in range(10)], "city": "深圳市", "section": "G",
        ...     "size_class": "small", "state_owned": False, "employees": 100,
        ...     "in_panel": [True] + [False] * 9})
        >>> quotas = frame[["city", "section", "size_class", "state_owned"]].drop_duplicates()
        >>> s = select(frame, quotas.assign(quota=4), method="srs", random_state=1)
        >>> s.to_survey_design()[["role", "stratum", "fpc", "pi", "weight"]].drop_duplicates().values.tolist()
        [['panel', '深圳市/G/small/non-state/panel', 1, 1.0, 1.0], ['new', '深圳市/G/small/non-state/drawn', 9, 0.3333333333333333, 3.0]]
        """
        units = self.to_frame("sample")
        keys = list(cell_keys(self.cells))
        if register is None:
            sizes = self.cells.set_index(keys)["population"]
        else:
            sizes = _register_cell_sizes(register, keys, self.min_employees)
        return survey_design(units, cell_sizes=sizes)

    def write_survey_design(self, path: str | PathLike[str], *, register: pd.DataFrame | None = None) -> None:
        """Write :meth:`to_survey_design` as a UTF-8 CSV file (atomically), for R.

        In R: ``d <- read.csv(path, encoding = "UTF-8")``, then
        ``svydesign(ids = ~1, strata = ~stratum, fpc = ~fpc, weights = ~weight, data = d)``.
        """
        table = self.to_survey_design(register=register)
        with atomic_path(path) as tmp:
            table.to_csv(tmp, index=False, encoding="utf-8")

    def _counts(self) -> pd.Series:
        return self.table["role"].value_counts().reindex(list(ROLES), fill_value=0)

    def headline(self) -> str:
        """One line: the method, the enterprises monitored (panel + new) and the quotas."""
        counts = self._counts()
        cells = self.cells
        monitored = int(counts["panel"] + counts["new"])
        return (
            f"Sample ({self.method}{', size ' + self.size if self.size else ''}): "
            f"{monitored} enterprises = {counts['panel']} panel + {counts['new']} new; "
            f"quota total {int(cells['quota'].sum())} in {int((cells['quota'] > 0).sum())} cells"
        )

    def summary(self) -> str:
        """Plain-text summary: counts by role, quotas met, cells where the panel overshoots."""
        counts = self._counts()
        cells = self.cells
        lines = [
            self.headline(),
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
                    f"  {row.city} {getattr(row, INDUSTRY_GROUP, row.section)} {row.size_class} "
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

    def _repr_html_(self) -> str:
        counts = self._counts()
        head = "".join(f"<th>{html.escape(ROLE_LABELS_ZH.get(role, role))} {role}</th>" for role in ROLES)
        row = "".join(f"<td>{counts[role]:,}</td>" for role in ROLES)
        text = html.escape(self.summary()).replace("\n", "<br>")
        preview = self.to_frame().head(20).to_html(index=False, na_rep="")
        return (
            f"<div><p>{text}</p><table><tr>{head}</tr><tr>{row}</tr></table><p>first rows:</p>{preview}</div>"
        )

    def to_excel(self, path: str | PathLike[str], *, overwrite: bool = True) -> None:
        """Write the sample for the city bureaus, with the registration form's headers
        (atomically: :func:`basis.files.atomic_path`).

        Sheets: 样本 (panel and new enterprises), 备选 (reserves in order), 剔除 (removed).
        The first six columns are those of the registration form (企业名称, 统一社会信用代码,
        企业性质, 所属行业, 所在地市, 从业人员); size classes and roles in Chinese.
        """
        from basis.xlsx import write_frames
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
        write_frames(path, sheets, freeze="A2", overwrite=overwrite)


def _register_cell_sizes(register: pd.DataFrame, keys: list[str], min_employees: int | None) -> pd.Series:
    """The register's enterprises per cell of ``keys`` (a register of industry groups counted by
    section when the sample's cells are sections)."""
    if not isinstance(register, pd.DataFrame):
        raise SampleError(f"register must be a DataFrame, got {type(register).__name__}")
    if "enterprises" not in register.columns:
        from sampling.prepare import prepare_frame
        from sampling.structure import structure

        if not {"section", "size_class", "state_owned"} <= set(register.columns):
            register = prepare_frame(register)
        if INDUSTRY_GROUP not in keys:
            register = register.drop(columns=INDUSTRY_GROUP, errors="ignore")
        register = structure(register, min_employees=min_employees)
    missing = [c for c in (*keys, "enterprises") if c not in register.columns]
    if missing:
        hint = (
            " (the sample's cells are industry groups: prepare the register with the same key industries)"
            if INDUSTRY_GROUP in missing
            else ""
        )
        raise SampleError(f"register has no column(s) {missing}; it has {list(register.columns)}{hint}")
    return register.groupby(keys, sort=False)["enterprises"].sum()


def _cell_label(keys: pd.DataFrame) -> pd.Series:
    owned = np.where(keys["state_owned"].astype(bool), "state", "non-state")
    return (
        keys["city"].astype(str)
        + "/"
        + keys[INDUSTRY_GROUP if INDUSTRY_GROUP in keys.columns else "section"].astype(str)
        + "/"
        + keys["size_class"].astype(str)
        + "/"
        + owned
    )


def survey_design(units: pd.DataFrame, *, cell_sizes: pd.Series) -> pd.DataFrame:
    """The stratified design of monitored enterprises drawn in quota cells.

    :func:`sampling.select` keeps each cell's panel whole and draws the new enterprises from
    the cell's other enterprises in business. So each cell holds two strata:

    * ``<cell>/panel``: the kept panel (role ``panel``), a take-all stratum: ``pi = 1``,
      ``weight = 1`` and ``fpc`` = its number of enterprises (``1 - n_h / N_h = 0``: no
      variance);
    * ``<cell>/drawn``: the other enterprises of the sample, with their ``pi`` and ``weight``
      and ``fpc = N_cell - panel``, the cell's enterprises in business outside the kept panel.

    A cell is labelled ``city/section/size_class/state|non-state``, or, when the units carry
    ``industry_group`` (cells of industry groups, :mod:`sampling.cells`),
    ``city/industry_group/size_class/state|non-state`` (``深圳市/C39/small/non-state``).
    Without a ``role`` column every enterprise is in the drawn stratum of its cell.

    Parameters
    ----------
    units : DataFrame
        One row per monitored enterprise: ``enterprise_id, city, section, size_class,
        state_owned, weight`` and optionally ``industry_group``, ``role`` (``panel`` / ``new``)
        and ``pi`` (default ``1 / weight``).
    cell_sizes : Series
        The number of enterprises (in business) of each cell in the register, indexed by the
        units' cell keys: ``(city, section, size_class, state_owned)``, or ``(city, section,
        industry_group, size_class, state_owned)`` with ``industry_group``.

    Returns
    -------
    DataFrame
        :data:`DESIGN_COLUMNS` (with ``industry_group`` after ``section`` when the units have
        it), then ``name`` and ``employees`` where present.

    Raises
    ------
    SampleError
        A missing column, a weight that is not positive, or a cell with drawn enterprises but
        no size or fewer enterprises than were drawn (the message names the cell).

    Notes
    -----
    For ``method="srs"`` this is exactly the design drawn (``pi = n_h / N_h``): R's
    ``svydesign(ids = ~1, strata = ~stratum, fpc = ~fpc, weights = ~weight)`` then gives the
    unbiased variance of stratified simple random sampling (Cochran 1977, 5.9). For the
    size-based methods the inclusion probabilities vary within a stratum and the same
    variance is the usual approximation (a with-replacement variance with finite population
    correction; Särndal, Swensson & Wretman 1992, 3.7).

    References
    ----------
    Cochran, W. G. (1977). Sampling Techniques, 3rd ed., Wiley. Särndal, C.-E., Swensson, B.
    & Wretman, J. (1992). Model Assisted Survey Sampling, Springer. Lumley, T. survey:
    ``svydesign``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.sample import survey_design
    >>> units = pd.DataFrame({"enterprise_id": ["a", "b", "c"], "city": "广州市", "section": "C",
    ...                       "size_class": "small", "state_owned": False, "role": ["panel", "new", "new"],
    ...                       "weight": [1.0, 4.0, 4.0]})
    >>> sizes = pd.Series([9], index=pd.MultiIndex.from_tuples([("广州市", "C", "small", False)]))
    >>> survey_design(units, cell_sizes=sizes)[["stratum", "fpc", "pi"]].drop_duplicates().values.tolist()
    [['广州市/C/small/non-state/panel', 1, 1.0], ['广州市/C/small/non-state/drawn', 8, 0.25]]
    """
    cell_columns = list(cell_keys(units))
    missing = [c for c in ("enterprise_id", *cell_columns, "weight") if c not in units.columns]
    if missing:
        raise SampleError(f"the design needs column(s) {missing}; the units have {list(units.columns)}")
    table = units.reset_index(drop=True)
    weight = pd.to_numeric(table["weight"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(weight) | (weight <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SampleError(
            f"the design needs positive weights; enterprise {table['enterprise_id'][i]!r} has {table['weight'][i]!r}"
        )
    role = table["role"].astype(str).to_numpy() if "role" in table.columns else np.full(len(table), "new")
    panel = role == "panel"
    keys = table[cell_columns].astype({"state_owned": bool})
    # Labels and sizes are looked up once per cell, then taken for every enterprise.
    code = keys.groupby(cell_columns, sort=False, dropna=False).ngroup().to_numpy()
    cells = keys.drop_duplicates().reset_index(drop=True)
    cell_label = _cell_label(cells).to_numpy(dtype=object)
    label = pd.Series(cell_label[code])
    panel_in_cell = np.bincount(code, weights=panel, minlength=len(cells))[code]
    drawn_in_cell = np.bincount(code, weights=~panel, minlength=len(cells))[code]
    if not isinstance(cell_sizes, pd.Series) or cell_sizes.index.nlevels != len(cell_columns):
        raise SampleError(f"cell_sizes must be a Series indexed by ({', '.join(cell_columns)})")
    sizes = pd.Series(
        cell_sizes.to_numpy(), index=pd.MultiIndex.from_frame(_index_frame(cell_sizes.index, cell_columns))
    )
    found = sizes.reindex(pd.MultiIndex.from_frame(cells)).to_numpy()
    n_cell = pd.to_numeric(pd.Series(found, dtype=object), errors="coerce").to_numpy(dtype=float)[code]
    unknown = ~panel & np.isnan(n_cell)
    if unknown.any():
        raise SampleError(
            f"cell {label[np.flatnonzero(unknown)[0]]} has drawn enterprises but no size in the register"
        )
    drawn_size = n_cell - panel_in_cell
    short = ~panel & (drawn_size < drawn_in_cell)
    if short.any():
        i = int(np.flatnonzero(short)[0])
        raise SampleError(
            f"cell {label[i]}: {int(n_cell[i])} enterprises in the register, but {int(panel_in_cell[i])} panel "
            f"and {int(drawn_in_cell[i])} drawn in the sample"
        )
    pi = (
        pd.to_numeric(table["pi"], errors="coerce").to_numpy(dtype=float)
        if "pi" in table.columns
        else 1.0 / weight
    )
    out = pd.DataFrame(
        {
            "enterprise_id": table["enterprise_id"],
            **{c: table[c] for c in cell_columns},
            "role": role,
            "stratum": np.char.add(label.to_numpy(dtype=str), np.where(panel, "/panel", "/drawn")).astype(
                object
            ),
            "fpc": np.where(panel, panel_in_cell, np.nan_to_num(drawn_size)).astype(np.int64),
            "pi": np.where(panel, 1.0, pi),
            "weight": np.where(panel, 1.0, weight),
        }
    )
    for extra in ("name", "employees"):
        if extra in table.columns:
            out[extra] = table[extra]
    return out


def _index_frame(index: pd.Index, columns: list[str]) -> pd.DataFrame:
    frame = index.to_frame(index=False)
    frame.columns = columns
    return frame.astype({"state_owned": bool})


def sample_columns(table: pd.DataFrame) -> list[str]:
    """The canonical columns of a sample table: :data:`SAMPLE_COLUMNS`, with ``industry_group``
    after ``section`` when the table has it.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.sample import sample_columns
    >>> sample_columns(pd.DataFrame(columns=["industry_group"]))[:5]
    ['enterprise_id', 'city', 'section', 'industry_group', 'size_class']
    """
    return with_cell_keys(SAMPLE_COLUMNS, cell_keys(table))
