"""The errors of the basis package (bad values handed to its writers)."""

from __future__ import annotations

__all__ = ["SheetError"]


class SheetError(ValueError):
    """A worksheet that cannot be written: a bad or repeated sheet name, an unknown style, a
    cell reference out of range. The message names the sheet, cell or style."""
