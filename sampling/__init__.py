"""Enterprise frames, sample selection and audit for employment monitoring."""

from __future__ import annotations

from sampling.exceptions import FrameError, SampleError, SelectionError

__all__ = ["FrameError", "SampleError", "SelectionError"]
