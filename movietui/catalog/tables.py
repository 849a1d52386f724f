"""Fast reading of big all-number files (ratings) with exact line numbers on failure.

The happy path is pandas' C parser with explicit dtypes, streamed in chunks straight
from the zip member (progress = bytes consumed). Only when that fails do we pay for a
second, slower pass as text that finds the first offending row, so the message can say
"line 5,012: rating 'four' is not a number".
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pandas as pd

from movietui.catalog.progress import Progress, ProgressFn
from movietui.catalog.sources import ZIP_ERRORS, ReleaseSource, damaged_zip
from movietui.errors import DataError

CHUNK_ROWS = 2_000_000
REDOWNLOAD = "re-download the release from GroupLens"


@dataclass(frozen=True)
class NumericTable:
    """How to read one delimited all-number file."""

    filename: str
    sep: str
    columns: dict[str, str]  # output name -> numpy dtype
    usecols: list[str] | list[int]  # header names, or field positions when there is no header
    names: list[str] | None = None  # all field names for headerless files; None = header row
    first_line: int = 2  # line number of the first data row (header = line 1)
    all_columns: bool = False  # usecols are every field: let pandas reject rows with extra fields


class _CountingReader(io.RawIOBase):
    """Counts the bytes pandas pulls through, for progress on a compressed stream."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def _read_kwargs(spec: NumericTable, dtype: object) -> dict:
    return {
        "sep": spec.sep,
        "header": None if spec.names else 0,
        "names": spec.names,
        "usecols": None if spec.all_columns else spec.usecols,
        "dtype": dtype,
        "engine": "c",
        "chunksize": CHUNK_ROWS,
    }


def read_numeric(
    src: ReleaseSource, spec: NumericTable, progress: ProgressFn | None = None
) -> dict[str, np.ndarray]:
    """Read the table's columns as contiguous arrays, or raise a one-line DataError."""
    where = src.where(spec.filename)
    total = src.size(spec.filename)
    if total == 0:
        raise DataError(f"{where} is empty: {REDOWNLOAD}")
    keys = list(spec.columns)
    # With a header, usecols are the names; without, pandas names the columns from `names`.
    labels = list(spec.usecols) if spec.names is None else [spec.names[i] for i in spec.usecols]  # type: ignore[index]
    dtypes = {label: spec.columns[key] for key, label in zip(keys, labels, strict=True)}
    parts: dict[str, list[np.ndarray]] = {k: [] for k in keys}
    with src.open(spec.filename) as raw:
        counter = _CountingReader(raw)
        try:
            with pd.read_csv(counter, **_read_kwargs(spec, dtypes)) as reader:
                for frame in reader:
                    for key, label in zip(keys, labels, strict=True):
                        parts[key].append(frame[label].to_numpy())
                    if progress is not None:
                        progress(Progress("read", min(counter.count, total), total, spec.filename))
        except ZIP_ERRORS as exc:
            raise damaged_zip(src.path, exc) from None
        except UnicodeDecodeError:
            raise _locate_bad_utf8(src, spec.filename) from None
        except pd.errors.EmptyDataError:
            raise DataError(f"{where} is empty: {REDOWNLOAD}") from None
        except pd.errors.ParserError as exc:
            raise parser_error(where, exc) from None
        except (ValueError, OverflowError, TypeError):
            raise _locate_bad_value(src, spec) from None
    if sum(p.size for p in parts[keys[0]]) == 0:
        raise DataError(f"{where} has no data rows: {REDOWNLOAD}")
    return {k: np.concatenate(v) for k, v in parts.items()}  # fresh, writable, contiguous


def parser_error(where: str, exc: Exception) -> DataError:
    """pandas' tokenizer says "Expected 4 fields in line 7, saw 5"; keep the line."""
    text = str(exc).strip().splitlines()[-1] if str(exc).strip() else "unreadable row"
    line = re.search(r"line (\d+)", text)
    fields = re.search(r"Expected (\d+) fields in line \d+, saw (\d+)", text)
    if line and fields:
        return DataError(
            f"{where} line {int(line.group(1)):,}: expected {fields.group(1)} fields but found "
            f"{fields.group(2)}: fix that row or {REDOWNLOAD}"
        )
    at = f" line {int(line.group(1)):,}" if line else ""
    return DataError(
        f"{where}{at}: cannot parse ({text.removeprefix('Error tokenizing data. ')}): {REDOWNLOAD}"
    )


def _locate_bad_value(src: ReleaseSource, spec: NumericTable) -> DataError:
    """Second pass as text: the first row whose field is missing, not a number or too big."""
    where = src.where(spec.filename)
    kwargs = _read_kwargs(spec, str)
    kwargs["keep_default_na"] = False
    keys = list(spec.columns)
    labels = list(spec.usecols) if spec.names is None else [spec.names[i] for i in spec.usecols]  # type: ignore[index]
    row0 = 0
    try:
        with src.open(spec.filename) as raw, pd.read_csv(raw, **kwargs) as reader:
            for frame in reader:
                bad_rows = []
                for key, label in zip(keys, labels, strict=True):
                    text = frame[label]
                    bad = _bad_mask(text, np.dtype(spec.columns[key]))
                    if bad.any():
                        i = int(np.argmax(bad))
                        bad_rows.append((i, key, label, text.iloc[i]))
                if bad_rows:
                    i, key, label, value = min(bad_rows)
                    column = (
                        key if spec.names else label
                    )  # the header's own spelling when there is one
                    line = spec.first_line + row0 + i
                    what = (
                        "is missing"
                        if not str(value).strip()
                        else f"{str(value)[:40]!r} is not a valid {_kind(spec.columns[key])}"
                    )
                    return DataError(
                        f"{where} line {line:,}: {column} {what}: fix that row or {REDOWNLOAD}"
                    )
                row0 += len(frame)
    except ZIP_ERRORS as exc:
        return damaged_zip(src.path, exc)
    except (ValueError, UnicodeDecodeError) as exc:
        return DataError(
            f"{where}: cannot parse ({str(exc).splitlines()[0] if str(exc) else exc!r}): {REDOWNLOAD}"
        )
    return DataError(f"{where}: some values are not numbers: {REDOWNLOAD}")


def _locate_bad_utf8(src: ReleaseSource, filename: str) -> DataError:
    """Stream the raw bytes through a UTF-8 decoder to name the first bad byte and its line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = 0
    where = src.where(filename)
    try:
        with src.open(filename) as fh:
            while block := fh.read(1 << 20):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    # the decoder may hold back up to 3 bytes of a split character from the last block
                    start = max(0, exc.start - len(exc.object) + len(block))
                    line = lines + block.count(b"\n", 0, start) + 1
                    bad = block[start] if start < len(block) else 0
                    return DataError(
                        f"{where} line {line:,}: byte 0x{bad:02x} at offset {offset + start:,} is not UTF-8 text "
                        f"(wrong encoding?): {REDOWNLOAD}"
                    )
                offset += len(block)
                lines += block.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return DataError(f"{where} ends in the middle of a character (truncated?): {REDOWNLOAD}")
    except ZIP_ERRORS as exc:
        return damaged_zip(src.path, exc)
    return DataError(f"{where} is not UTF-8 text: {REDOWNLOAD}")


def _kind(dtype: str) -> str:
    return "whole number" if np.dtype(dtype).kind in "iu" else "number"


def _bad_mask(text: pd.Series, dtype: np.dtype) -> np.ndarray:
    values = pd.to_numeric(text.str.strip(), errors="coerce")
    bad = np.array(values.isna(), dtype=bool)  # a writable copy
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad |= (numbers != np.floor(numbers)) | (numbers < info.min) | (numbers > info.max)
    return bad
