"""Solvers for the quota model: HiGHS through highspy (the default) and any PuLP solver (CBC).

:func:`solve` takes a :class:`quotas.model.Model` and returns a status (``"optimal"``,
``"optimal-restricted"``, ``"infeasible"`` or the solver's own word) and the column values.
The same named model goes to each solver, so a model written out by :func:`to_pulp` reads like
the one HiGHS solved.

References
----------
Huangfu, Q. and Hall, J. A. J. (2018). Parallelizing the dual revised simplex method.
Mathematical Programming Computation 10, 119-142 (HiGHS).
"""

from __future__ import annotations

import os
import sys
import warnings
from functools import cache
from typing import Any, Literal

import numpy as np

from quotas.exceptions import QuotaInputError
from quotas.model import Model

__all__ = ["SOLVERS", "SolverName", "check_solver", "solve", "to_pulp"]

SolverName = Literal["highs", "cbc"]
SOLVERS: tuple[str, ...] = ("highs", "cbc")
"""Solver names :func:`build_quotas` accepts (or pass a PuLP solver object)."""


def _highs_available() -> bool:
    try:
        import highspy  # noqa: F401
    except ImportError:  # pragma: no cover - highspy is a dependency
        return False
    return True


def check_solver(solver: Any) -> tuple[str, Any]:
    if solver is None:
        return ("highs", None) if _highs_available() else ("cbc", None)
    if isinstance(solver, str):
        key = solver.strip().lower()
        if key not in SOLVERS:
            raise QuotaInputError(
                f"unknown solver {solver!r}; valid: {list(SOLVERS)} or a PuLP solver object"
            )
        if key == "highs" and not _highs_available():  # pragma: no cover
            raise QuotaInputError("solver 'highs' needs the highspy package; use solver='cbc'")
        return key, None
    import pulp

    if not isinstance(solver, pulp.LpSolver):
        raise QuotaInputError(
            f"solver must be one of {list(SOLVERS)} or a PuLP solver object, got {solver!r}"
        )
    return "pulp", solver


@cache
def _absorb_highs_banner() -> None:
    """HiGHS prints a copyright banner on stdout when a process makes its first instance, before
    any option can silence it; make that first instance with stdout pointed at the null device."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _solve_highs(model: Model, blocks: list[np.ndarray] | None = None) -> tuple[str, np.ndarray | None]:
    """Solve with HiGHS: the linear relaxation first, the MIP only if a quota is fractional.

    The deviation columns make the relaxation exact cell by cell, so it is usually integral;
    an integral optimum of the relaxation is an optimum of the integer program. In a joint
    model (``blocks``: the quota columns of each city), only the cities with a fractional quota
    are re-solved as integers, the others kept at their relaxed optimum (status
    ``"optimal-restricted"``): the full joint MIP is too slow to prove optimal.
    """
    import highspy

    a = model.arrays()
    _absorb_highs_banner()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    h.setOptionValue("time_limit", 60.0)
    lp = highspy.HighsLp()
    lp.num_col_ = model.n_cols
    lp.num_row_ = len(model.row_names)
    lp.col_cost_ = a["cost"]
    lp.col_lower_ = a["lo"]
    lp.col_upper_ = a["hi"]
    lp.row_lower_ = a["row_lo"]
    lp.row_upper_ = a["row_hi"]
    mat = a["matrix"]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = mat.indptr
    lp.a_matrix_.index_ = mat.indices
    lp.a_matrix_.value_ = mat.data
    lp.col_names_ = model.col_names
    lp.row_names_ = model.row_names
    h.passModel(lp)
    # These small LPs solve several times faster without presolve.
    h.setOptionValue("presolve", "off")
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kModelEmpty:
        return "optimal", np.zeros(0)
    if status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible", None
    if status != highspy.HighsModelStatus.kOptimal:
        return h.modelStatusToString(status), None
    x = np.asarray(h.getSolution().col_value, dtype=float)
    integer = np.flatnonzero(a["integer"])
    if np.abs(x[integer] - np.round(x[integer])).max(initial=0.0) <= 1e-9:
        return "optimal", x
    label = "optimal"
    if blocks is not None and len(blocks) > 1:
        fractional = [np.abs(x[b] - np.round(x[b])).max(initial=0.0) > 1e-9 for b in blocks]
        for cols, frac in zip(blocks, fractional):
            if not frac:
                for j in cols:
                    h.changeColBounds(int(j), float(np.round(x[j])), float(np.round(x[j])))
        integer = np.concatenate([b for b, frac in zip(blocks, fractional) if frac])
        label = "optimal-restricted"
        # The band row's fractional coefficients make a knapsack: proving the last 1e-4 of
        # the objective takes minutes, for differences far below one enterprise.
        h.setOptionValue("mip_rel_gap", 1e-4)
    for j in integer:
        h.changeColIntegrality(int(j), highspy.HighsVarType.kInteger)
    h.setOptionValue("presolve", "choose")
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return label, np.asarray(h.getSolution().col_value, dtype=float)
    if status == highspy.HighsModelStatus.kInfeasible and label == "optimal":
        return "infeasible", None
    return h.modelStatusToString(status), None


def to_pulp(model: Model, name: str) -> tuple[Any, list[Any]]:
    import pulp

    a = model.arrays()
    prob = pulp.LpProblem(name, pulp.LpMinimize)
    # PuLP 3 attaches variables to the problem (prob.add_variable); older PuLP builds them alone.
    make = getattr(prob, "add_variable", pulp.LpVariable)
    variables = [
        make(
            nm,
            None if not np.isfinite(lo) else float(lo),
            None if not np.isfinite(hi) else float(hi),
            cat=pulp.LpInteger if integer else pulp.LpContinuous,
        )
        for nm, lo, hi, integer in zip(model.col_names, a["lo"], a["hi"], a["integer"])
    ]
    prob += pulp.lpSum(c * v for c, v in zip(a["cost"], variables) if c != 0.0)
    csr = a["matrix"].tocsr()
    for r, nm in enumerate(model.row_names):
        start, end = csr.indptr[r], csr.indptr[r + 1]
        expr = pulp.lpSum(csr.data[k] * variables[csr.indices[k]] for k in range(start, end))
        lo, hi = a["row_lo"][r], a["row_hi"][r]
        if lo == hi:
            prob += expr == lo, nm
        elif np.isfinite(lo):
            prob += expr >= lo, nm
        else:
            prob += expr <= hi, nm
    return prob, variables


def _solve_pulp(model: Model, solver: Any) -> tuple[str, np.ndarray | None]:
    import pulp

    prob, variables = to_pulp(model, "quotas")
    status = prob.solve(solver)
    label = pulp.LpStatus[status]
    if label == "Optimal":
        return "optimal", np.array([v.varValue or 0.0 for v in variables], dtype=float)
    if label == "Infeasible":
        return "infeasible", None
    return label, None


def solve(
    model: Model, kind: str, solver: Any, blocks: list[np.ndarray] | None = None
) -> tuple[str, np.ndarray | None]:
    if kind == "highs":
        return _solve_highs(model, blocks)
    if kind == "cbc":
        import pulp

        if pulp.COIN_CMD(msg=False).available():
            cbc = pulp.COIN_CMD(msg=False, timeLimit=120)
        else:
            # The CBC binary bundled with PuLP: deprecated in PuLP 3 (removed in 4.0) but, without
            # a system CBC, the only one there is.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                cbc = pulp.PULP_CBC_CMD(msg=False, timeLimit=120)
        return _solve_pulp(model, cbc)
    return _solve_pulp(model, solver)
