"""Enterprise frames, sample selection and audit for employment monitoring."""

from __future__ import annotations

from sampling import synthetic
from sampling.auditing import AuditReport, audit
from sampling.exceptions import (
    AuditError,
    FrameError,
    SampleError,
    SampleReadWarning,
    SelectionError,
    UnauthorisedReplacementWarning,
)
from sampling.frame import read_frame
from sampling.inclusion import inclusion_probabilities
from sampling.national import NationalSubset, national_subset
from sampling.prepare import prepare_frame, validate_frame
from sampling.prn import derive_prn
from sampling.read import read_sample
from sampling.replace import replace
from sampling.sample import Sample
from sampling.select import select
from sampling.structure import structure

__all__ = [
    "AuditError",
    "AuditReport",
    "FrameError",
    "NationalSubset",
    "Sample",
    "SampleError",
    "SampleReadWarning",
    "SelectionError",
    "UnauthorisedReplacementWarning",
    "audit",
    "derive_prn",
    "inclusion_probabilities",
    "national_subset",
    "prepare_frame",
    "read_frame",
    "read_sample",
    "replace",
    "select",
    "structure",
    "synthetic",
    "validate_frame",
]
