"""Enterprise frames, sample selection and audit for employment monitoring."""

from __future__ import annotations

from sampling.audit import AuditReport, audit
from sampling.exceptions import AuditError, FrameError, SampleError, SampleReadWarning, SelectionError
from sampling.read import read_sample

__all__ = [
    "AuditError",
    "AuditReport",
    "FrameError",
    "SampleError",
    "SampleReadWarning",
    "SelectionError",
    "audit",
    "read_sample",
]
