"""Reading and writing table files, and the contract of each table kind that passes between stages.

One reader, :func:`read_table`, for every table file the library takes:

* the format follows the extension: ``.csv`` (also ``.txt``, ``.tsv``), ``.xlsx`` / ``.xlsm``,
  ``.parquet``;
* CSV text is UTF-8 (with or without BOM) or GB18030 (what Chinese Excel saves as "CSV");
  UTF-16 (Excel's "Unicode text") and Big5 (traditional Chinese) are named in the error rather
  than read as garbled headers;
* the delimiter is the comma, the semicolon or the tab, whichever the header line uses;
* every cell is read as text, as written (numbers are read by :mod:`basis.numbers`, so that
  thousands separators are read the same way in every input);
* the index of the result is the row number as the user sees it: the CSV line or the Excel
  row, the header being row 1 (so the first record is row 2; a Parquet file is numbered the
  same way); blank rows are dropped but keep the numbering, so that every later error names
  the row the user will find in the file.

One writer, :func:`write_table`, by extension (``.csv`` as UTF-8 with BOM, which Excel opens
correctly; ``.xlsx``; ``.parquet``), always atomic (:func:`basis.files.atomic_path`).

The contract: a :class:`TableKind` lists a table's columns (:class:`Column`: name, type,
Chinese header, whether required). :meth:`TableKind.read` reads a file (or checks a
DataFrame) into exactly these columns and types, and names each bad value's row, column and
reason; :meth:`TableKind.write` writes one. The kinds themselves are defined by the package that
owns each table (``quotas.contract``, ``sampling.contract``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from basis.booleans import parse_yes_no
from basis.exceptions import PROBLEM_COLUMNS, TableError
from basis.files import atomic_path
from basis.numbers import LARGEST_COUNT, LARGEST_NUMBER, read_numbers

__all__ = [
    "READ_SUFFIXES",
    "WRITE_SUFFIXES",
    "Column",
    "TableKind",
    "check_file",
    "decode_text",
    "delimiter",
    "header_key",
    "read_table",
    "write_table",
]

READ_SUFFIXES: tuple[str, ...] = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet")
WRITE_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".parquet")

_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


def _name(path: Path) -> str:
    return str(path)


def check_file(path: Path, what: str = "") -> None:
    """Raise :class:`TableError` unless ``path`` is a non-empty file of a readable type."""
    label = f"{what} {path}" if what else str(path)
    if not path.exists():
        raise TableError(f"{label}: no such file")
    if path.is_dir():
        raise TableError(f"{label}: is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise TableError(f"{label}: the old Excel format .xls is not read; save it as .xlsx")
    if suffix not in READ_SUFFIXES:
        raise TableError(
            f"{label}: unknown file type {suffix or '(no extension)'!r}; use .csv, .xlsx or .parquet"
        )
    if path.stat().st_size == 0:
        raise TableError(f"{label}: the file is empty (0 bytes)")


def _looks_big5(data: bytes, text: str) -> bool:
    """Big5 bytes also decode as GB18030, into rare characters: many CJK characters outside
    GB2312 where real GB text has almost none, while the bytes are valid Big5."""
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if len(cjk) < 4:
        return False
    rare = 0
    for c in cjk:
        try:
            c.encode("gb2312")
        except UnicodeEncodeError:
            rare += 1
    if rare < 0.2 * len(cjk):
        return False
    try:
        data.decode("big5")
    except UnicodeDecodeError:
        return False
    return True


def decode_text(data: bytes, label: str) -> str:
    """The text of a CSV file's bytes: UTF-8 (with or without BOM) or GB18030; UTF-16 and Big5
    are named in a :class:`TableError` (``label`` leads the message)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError(
            f"{label}: the text is UTF-16 (Excel's 'Unicode text'); save it as 'CSV UTF-8' or as .xlsx"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and not _looks_big5(data, text):
        return text
    try:
        data.decode("big5")
        other = "Big5 (traditional Chinese)"
    except UnicodeDecodeError:
        other = "another encoding"
    raise TableError(
        f"{label}: the text is not UTF-8 or GB18030 but looks like {other}; save it as 'CSV UTF-8' or as .xlsx"
    )


def delimiter(text: str, suffix: str = ".csv", *, lines: int = 1) -> str:
    """The delimiter (comma, semicolon or tab) used most in the first ``lines`` non-blank lines."""
    first = [line for line in text.splitlines()[: lines * 4] if line.strip()][:lines]
    counts = {d: max((line.count(d) for line in first), default=0) for d in _DELIMITERS}
    if suffix == ".tsv" and counts["\t"]:
        return "\t"
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_text(path: Path, label: str) -> pd.DataFrame:
    text = decode_text(path.read_bytes(), label)
    if not text.strip():
        raise TableError(f"{label}: the file has no header line (only blank lines)")
    sep = delimiter(text, path.suffix.lower())
    header = next(csv.reader(io.StringIO(text.lstrip("\r\n")), delimiter=sep), [])
    names = [h.strip() for h in header]
    repeated = sorted({h for h in names if h and names.count(h) > 1})
    if repeated:
        raise TableError(f"{label}: the header repeats {repeated}; each column needs its own name")
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            expected, line, saw = found.groups()
            raise TableError(
                f"{label}, row {line}: {saw} values where the header has {expected} "
                f"(a {_DELIMITERS[sep]} inside a value needs quotes)"
            ) from None
        raise TableError(f"{label}: not readable as a {_DELIMITERS[sep]}-separated table ({exc})") from None
    if len(df.columns) == 1 and len(df):
        column = str(df.columns[0])
        raise TableError(
            f"{label}: one column only ({column[:40]!r}); the values must be separated by commas, "
            "semicolons or tabs"
        )
    lines = _record_lines(text, sep) if "\n" in "".join(df.columns) or _has_newline(df) else None
    df.index = pd.Index(lines if lines is not None else np.arange(2, len(df) + 2), name="row")
    return df


def _has_newline(df: pd.DataFrame) -> bool:
    return any(df[c].str.contains("\n", regex=False).any() for c in df.columns)


def _record_lines(text: str, sep: str) -> list[int]:
    """The line each record starts on, when quoted values span lines."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    starts = []
    previous = 0
    for _ in reader:
        starts.append(previous + 1)
        previous = reader.line_num
    return starts[1:]


def _read_excel(path: Path, label: str, sheet: str | int | None) -> pd.DataFrame:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # zip or XML errors of a file that is not a workbook
        raise TableError(f"{label}: not a readable Excel workbook ({type(exc).__name__})") from None
    with book:
        names = [str(n) for n in book.sheet_names]
        if isinstance(sheet, str) and sheet not in names:
            raise TableError(f"{label}: no sheet {sheet!r}; the sheets are {names}")
        if isinstance(sheet, int) and not 0 <= sheet < len(names):
            raise TableError(f"{label}: no sheet number {sheet}; the file has {len(names)}: {names}")
        df = pd.read_excel(
            book, sheet_name=sheet if sheet is not None else 0, dtype=str, keep_default_na=False
        )
    df.index = pd.Index(np.arange(2, len(df) + 2), name="row")
    df.columns = [str(c) for c in df.columns]
    # pandas renames a repeated header "gdp" to "gdp.1": name the repetition instead.
    repeated = sorted(
        {
            c.rsplit(".", 1)[0]
            for c in df.columns
            if re.fullmatch(r".+\.\d+", c) and c.rsplit(".", 1)[0] in df.columns
        }
    )
    if repeated:
        raise TableError(f"{label}: the header repeats {repeated}; each column needs its own name")
    return df


def _read_parquet(path: Path, label: str) -> pd.DataFrame:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow's errors for a file that is not Parquet
        raise TableError(f"{label}: not a readable Parquet file ({type(exc).__name__})") from None
    df.index = pd.Index(np.arange(2, len(df) + 2), name="row")
    return df


def read_table(path: str | os.PathLike[str], *, sheet: str | int | None = 0, what: str = "") -> pd.DataFrame:
    """Read a CSV, Excel or Parquet file as it stands, cells as text, rows numbered as the user sees them.

    Parameters
    ----------
    path : path
        ``.csv`` / ``.txt`` / ``.tsv`` (UTF-8 or GB18030; comma, semicolon or tab), ``.xlsx`` /
        ``.xlsm`` or ``.parquet``.
    sheet : str or int, default 0
        The Excel sheet (name or position).
    what : str, optional
        What the file is (``"--quotas"``, ``"register"``), put before its name in messages.

    Returns
    -------
    DataFrame
        Columns as in the file (headers as text, cells as text; Parquet keeps its types),
        index ``row``: the CSV line or Excel row, the header being row 1. Rows whose cells are
        all blank are left out (their numbers are skipped).

    Raises
    ------
    TableError
        A missing file, a folder, an empty file, an unknown extension, text in an encoding other
        than UTF-8 / GB18030 (named: UTF-16, Big5), one column only (the delimiter is none of
        comma, semicolon, tab), a line with more values than the header, a file that is not a
        workbook or not Parquet, a missing sheet.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("city;gdp\\n广州;\\"28,839\\"\\n\\n深圳;32387\\n", encoding="gb18030")
    >>> table = read_table(folder / "a.csv")
    >>> table.index.tolist(), table["gdp"].tolist()
    ([2, 4], ['28,839', '32387'])
    """
    p = Path(path)
    label = f"{what} {_name(p)}" if what else _name(p)
    check_file(p, what)
    suffix = p.suffix.lower()
    if suffix in _TEXT_SUFFIXES:
        df = _read_text(p, label)
    elif suffix == ".parquet":
        df = _read_parquet(p, label)
    else:
        df = _read_excel(p, label, sheet)
    if len(df.columns) == 0:
        raise TableError(f"{label}: the file has no columns")
    df.columns = [str(c).strip() for c in df.columns]
    if df.columns.has_duplicates:
        repeated = sorted(set(df.columns[df.columns.duplicated()]))
        raise TableError(f"{label}: the header repeats {repeated}; each column needs its own name")
    text = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype)]
    if text and len(df):
        blank = np.ones(len(df), dtype=bool)
        for c in df.columns:
            if c in text:
                blank &= (df[c].fillna("").astype(str).str.strip() == "").to_numpy()
            else:
                blank &= df[c].isna().to_numpy()
        if blank.any():
            df = df[~blank]
    df.attrs["source"] = label
    return df


def write_table(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    index: bool = False,
    overwrite: bool = True,
    sheet: str = "Sheet1",
) -> Path:
    """Write a table atomically, in the format of the extension.

    Parameters
    ----------
    df : DataFrame
        The table (not modified).
    path : path
        ``.csv`` (UTF-8 with BOM, so that Excel shows the Chinese text), ``.xlsx`` (one sheet,
        header row frozen, :func:`basis.xlsx.write_frames`) or ``.parquet``; a device or a pipe
        (``/dev/stdout``) gets CSV.
    index : bool, default False
        Whether to write the index as the first column.
    overwrite : bool, default True
        If False, an existing file is an :class:`~basis.exceptions.OutputError`.
    sheet : str, default "Sheet1"
        The sheet name of an ``.xlsx``.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    TableError
        An extension other than .csv, .xlsx, .parquet (checked before anything is written).
    OutputError
        The file could not be written (folder missing or read-only, disk full).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_table(pd.DataFrame({"city": ["广州市"], "n": [3]}), path)
    >>> read_table(path)["n"].tolist()
    ['3']
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if p.exists() and not p.is_file() and not p.is_dir():
        suffix = ".csv"  # a device or a pipe (/dev/stdout): text
    if suffix not in WRITE_SUFFIXES:
        raise TableError(
            f"{p}: cannot write {suffix or 'a file without extension'}; use .csv, .xlsx or .parquet"
        )
    if suffix == ".xlsx":
        from basis.xlsx import write_frames  # the library's one xlsx writer (atomic too)

        write_frames(p, {sheet: df.reset_index() if index else df}, overwrite=overwrite)
        return p
    with atomic_path(p, overwrite=overwrite) as tmp:
        if suffix == ".csv":
            df.to_csv(tmp, index=index, encoding="utf-8-sig")
        else:
            out = df if not index else df.reset_index()
            out.to_parquet(tmp, index=False)
    return p


def header_key(header: Any) -> str:
    """A header as compared with known names: NFKC, no spaces, underscores, hyphens or units in
    brackets (``（万元）``, ``(人)``), lower case.

    Examples
    --------
    >>> header_key(" Allocated_Total（人）")
    'allocatedtotal'
    """
    text = unicodedata.normalize("NFKC", str(header)).strip()
    text = re.sub(r"[(][^)]*[)]", "", text)
    return re.sub(r"[\s_\-]+", "", text).lower()


ColumnType = Literal["text", "count", "number", "bool"]


@dataclass(frozen=True)
class Column:
    """One column of a table kind.

    Attributes
    ----------
    name : str
        The canonical name (the header written to CSV and Parquet).
    type : {"text", "count", "number", "bool"}
        ``count``: whole numbers from 0 (read as int64, never rounded); ``number``: float
        (blank is NaN); ``bool``: True/False, yes/no, 是/否, 1/0; ``text``: stripped text.
    zh : str
        The Chinese header (written to the bureaus' Excel files, accepted when reading).
    required : bool, default True
        Whether the column must be present.
    aliases : tuple of str
        Other accepted headers.
    maximum : float, optional
        Largest plausible value of a number column.
    blank : bool, default False
        Whether a cell may be blank.
    description : str
        What the column holds (for the documentation).
    """

    name: str
    type: ColumnType
    zh: str
    required: bool = True
    aliases: tuple[str, ...] = ()
    maximum: float | None = None
    blank: bool = False
    description: str = ""

    def headers(self) -> tuple[str, ...]:
        return (self.name, self.zh, *self.aliases)


@dataclass(frozen=True)
class TableKind:
    """The contract of one table that one stage writes and the next reads.

    Attributes
    ----------
    name : str
        The kind (``"allocation"``, ``"quota table"``).
    description : str
        What the table is and which stage writes it.
    columns : tuple of Column
        Its columns, in order.
    other : Column, optional
        The type of any further column (e.g. one count per category in sector targets);
        None keeps further columns as text, unchecked.
    key : tuple of str
        Columns that identify a row; a key given twice is an error (a key column that is not
        required and absent is left out).
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    other: Column | None = None
    key: tuple[str, ...] = ()
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup = {header_key(h): c.name for c in self.columns for h in c.headers()}
        object.__setattr__(self, "_lookup", lookup)

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        return next(c for c in self.columns if c.name == name)

    def read(
        self,
        source: str | os.PathLike[str] | pd.DataFrame,
        *,
        sheet: str | int | None = 0,
        what: str = "",
        columns: Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        """Read a file of this kind (or check a DataFrame) into canonical columns and types.

        Parameters
        ----------
        source : path or DataFrame
            A table file (see :func:`read_table`) or a DataFrame (not modified; its index is
            taken as the row numbers).
        sheet : str or int, default 0
            The Excel sheet.
        what : str, optional
            What the file is, for messages (e.g. the command-line option).
        columns : mapping, optional
            ``{header: canonical}`` for headers the kind does not know.

        Returns
        -------
        DataFrame
            The kind's columns under their canonical names and types (count: int64, number:
            float, bool: bool, text: str), then any other column; the index holds the rows'
            numbers as the user sees them.

        Raises
        ------
        TableError
            A required column missing (the message lists the headers found and those
            accepted), two headers for one column, or bad values: every one is listed in
            ``problems`` with its row, and the message shows the first ten.
        """
        if isinstance(source, pd.DataFrame):
            raw = source
            label = what or f"the {self.name} table"
        else:
            raw = read_table(source, sheet=sheet, what=what)
            label = raw.attrs["source"]
        renamed = self._rename(raw, label, columns)
        out = pd.DataFrame(index=raw.index)
        problems = []
        for column in self.columns:
            if column.name in renamed.columns:
                out[column.name], found = _convert(renamed[column.name], column)
                problems.append(found)
        others = [c for c in renamed.columns if c not in out.columns]
        for name in others:
            if self.other is None:
                out[name] = renamed[name]
            else:
                spec = Column(name, self.other.type, name, maximum=self.other.maximum, blank=self.other.blank)
                out[name], found = _convert(renamed[name], spec)
                problems.append(found)
        found = (
            pd.concat([p for p in problems if len(p)], ignore_index=True)
            if any(len(p) for p in problems)
            else None
        )
        if found is not None:
            raise TableError(f"{label}: {len(found)} bad value(s) in {found['row'].nunique()} row(s)", found)
        key = [k for k in self.key if k in out.columns]  # an optional key column may be absent
        if key and len(out):
            repeated = out.duplicated(key, keep=False)
            if repeated.any():
                rows = out[repeated]
                problems_df = pd.DataFrame(
                    {
                        "row": rows.index,
                        "column": ", ".join(key),
                        "value": [" / ".join(str(v) for v in r) for r in rows[key].itertuples(index=False)],
                        "reason": "is listed more than once",
                    }
                )
                raise TableError(f"{label}: {len(rows)} rows repeat a {' / '.join(key)}", problems_df)
        out.attrs["source"] = label
        return out

    def _rename(self, raw: pd.DataFrame, label: str, columns: Mapping[str, str] | None) -> pd.DataFrame:
        explicit = dict(columns or {})
        known = {c.name for c in self.columns}
        wrong = {h: c for h, c in explicit.items() if c not in known}
        if wrong:
            raise TableError(
                f"columns= names unknown column(s) {wrong}; the {self.name} table has {sorted(known)}"
            )
        mapping: dict[str, str] = {}
        for header in raw.columns:
            target = explicit.get(header) or self._lookup.get(header_key(header))
            if target is not None:
                mapping[header] = target
        seen: dict[str, list[str]] = {}
        for header, target in mapping.items():
            seen.setdefault(target, []).append(header)
        clash = {t: hs for t, hs in seen.items() if len(hs) > 1}
        if clash:
            detail = "; ".join(f"{t}: {hs}" for t, hs in clash.items())
            raise TableError(f"{label}: several headers for one column ({detail}); keep one of each")
        missing = [c for c in self.columns if c.required and c.name not in seen]
        if missing:
            accepted = "; ".join(f"{c.name}: {', '.join(dict.fromkeys(c.headers()))}" for c in missing)
            raise TableError(
                f"{label}: no column {', '.join(repr(c.name) for c in missing)} among the headers "
                f"{list(raw.columns)} (accepted: {accepted}); is this the {self.name} table?"
            )
        return raw.rename(columns=mapping)

    def write(
        self,
        df: pd.DataFrame,
        path: str | os.PathLike[str],
        *,
        chinese: bool = False,
        overwrite: bool = True,
    ) -> Path:
        """Write a table of this kind atomically, its columns first in contract order.

        Parameters
        ----------
        df : DataFrame
            The table with canonical column names (a missing optional column is left out).
        path : path
            ``.csv``, ``.xlsx`` or ``.parquet``.
        chinese : bool, default False
            Chinese headers (for city bureaus); :meth:`read` accepts both.
        overwrite : bool, default True
            If False, an existing file is an error.
        """
        missing = [c.name for c in self.columns if c.required and c.name not in df.columns]
        if missing:
            raise TableError(f"the {self.name} table to write lacks column(s) {missing}")
        first = [c.name for c in self.columns if c.name in df.columns]
        out = df[first + [c for c in df.columns if c not in first]]
        if chinese:
            out = out.rename(columns={c.name: c.zh for c in self.columns})
        return write_table(out, path, overwrite=overwrite)

    def documentation(self) -> pd.DataFrame:
        """The contract as a table: ``column, type, zh, required, description``."""
        return pd.DataFrame(
            [(c.name, c.type, c.zh, c.required, c.description) for c in self.columns],
            columns=["column", "type", "zh", "required", "description"],
        )


def _convert(values: pd.Series, column: Column) -> tuple[pd.Series, pd.DataFrame]:
    """A column in its contract type, and its problems (``row, column, value, reason``)."""
    if column.type in ("count", "number"):
        whole = column.type == "count"
        limit = column.maximum if column.maximum is not None else (LARGEST_COUNT if whole else LARGEST_NUMBER)
        numbers, problems = read_numbers(
            values, column=column.name, whole=whole, maximum=limit, blank=column.blank
        )
        if whole and not len(problems):
            # Whole numbers as int64; nullable Int64 only where a blank is allowed and occurs.
            return (numbers.astype("Int64") if numbers.isna().any() else numbers.astype(np.int64)), problems
        return numbers, problems
    if column.type == "bool":
        return _booleans(values, column.name)
    text = values.astype(object).where(values.notna(), "").map(lambda v: str(v).strip())
    problems = pd.DataFrame(columns=list(PROBLEM_COLUMNS))
    if not column.blank:
        empty = text == ""
        if empty.any():
            problems = pd.DataFrame(
                {"row": values.index[empty], "column": column.name, "value": None, "reason": "is blank"}
            )
    return text.astype(str), problems


def _booleans(values: pd.Series, name: str) -> tuple[pd.Series, pd.DataFrame]:
    flags, bad = parse_yes_no(values, blank=None)
    problems = pd.DataFrame(
        {
            "row": values.index[bad],
            "column": name,
            "value": values[bad].to_numpy(dtype=object),
            "reason": "is not a yes/no value (True/False, 是/否, 1/0)",
        },
        columns=list(PROBLEM_COLUMNS),
    )
    return pd.Series(flags, index=values.index, name=values.name), problems


def known_headers(kinds: Iterable[TableKind]) -> set[str]:
    """Every header the given kinds accept, as compared (:func:`header_key`)."""
    return {header_key(h) for k in kinds for c in k.columns for h in c.headers()}
