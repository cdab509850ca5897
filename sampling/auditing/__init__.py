"""Audit a proposed monitoring sample: the ministry's rules, data checks and representativeness.

:func:`audit` takes one city's (or a province's) list of monitoring enterprises, as read by
:func:`sampling.read.read_sample` or returned by :func:`sampling.select`, and returns an
:class:`AuditReport` with one row per city and check:

* every rule of the rule set, checked by :func:`quotas.checks.check_cells` on the sample's
  counts (status ``pass``, ``fail`` for a broken hard rule, ``warn`` for a broken soft rule,
  ``skipped`` when its data were not given);
* data checks, all hard (:mod:`sampling.auditing.checks`): ``duplicates`` (an enterprise listed
  twice), ``absent_from_frame`` and ``outside_city`` (when the register is an enterprise
  frame), ``size_consistent`` (a reported size that differs from the size re-derived by
  国统字〔2011〕75号 from employees, revenue and assets) and ``target`` (when targets are given);
* representativeness, soft (:mod:`sampling.auditing.represent`): ``represent_section``,
  ``represent_sector``, ``represent_size_class`` and ``represent_state_owned`` compare the
  sample's shares with the register's (dissimilarity index and Cohen's w, with Pearson's test,
  or with weights the Rao-Scott test on the sample's own stratified design).

``report.passed`` is False exactly when some row has status ``fail``, so a submission can be
gated on it. The modules: :mod:`~sampling.auditing.run` (the entry point),
:mod:`~sampling.auditing.inputs` (sample, weights, register, classification),
:mod:`~sampling.auditing.checks`, :mod:`~sampling.auditing.represent`,
:mod:`~sampling.auditing.report` (the result and its views), :mod:`~sampling.auditing.labels`
(Chinese names).
"""

from __future__ import annotations

from sampling.auditing.report import RESULT_COLUMNS, AuditReport, main_table
from sampling.auditing.represent import DIMENSIONS
from sampling.auditing.run import audit

__all__ = ["DIMENSIONS", "RESULT_COLUMNS", "AuditReport", "audit", "main_table"]
