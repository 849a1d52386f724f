"""Where a release's files come from: a zip (read in place, never extracted) or a folder.

``open_source`` finds the folder that holds the MovieLens files (the zip's top folder,
the folder itself, or a release folder one level inside it) and names the release after
it. Damaged zips surface as ``DataError`` here and in ``ReleaseSource.open``'s readers.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from movietui.errors import DataError

# Files whose presence marks a release folder, by layout.
MARKERS = ("ratings.csv", "movies.csv", "ratings.dat", "movies.dat", "u.data", "u.item")
# Folder names GroupLens used that differ from the release name.
RELEASE_ALIASES = {"ml-10m100k": "ml-10m"}
# What a broken zip raises while it is being read.
ZIP_ERRORS = (zipfile.BadZipFile, EOFError, zlib.error)


def damaged_zip(path: Path, detail: object) -> DataError:
    return DataError(
        f"{path} is not a readable zip ({detail}; truncated or damaged?): download it again "
        f"and run `movietui import {path}`"
    )


class ReleaseSource:
    """The files of one release folder, inside a zip or on disk."""

    def __init__(self, path: Path, zf: zipfile.ZipFile | None, root: str, name: str) -> None:
        self.path = path  # the zip or folder the user named
        self.name = name  # release name, e.g. "ml-latest-small"
        self._zip = zf
        self._root = root  # posix folder inside the zip, or absolute folder on disk
        self._files = self._list_files()

    def _list_files(self) -> dict[str, str]:
        """Lower-cased file name -> its real member name or path in the release folder."""
        if self._zip is not None:
            prefix = f"{self._root}/" if self._root else ""
            return {
                n[len(prefix) :].lower(): n
                for n in self._zip.namelist()
                if n.startswith(prefix) and "/" not in n[len(prefix) :] and not n.endswith("/")
            }
        return {p.name.lower(): str(p) for p in Path(self._root).iterdir() if p.is_file()}

    def has(self, filename: str) -> bool:
        return filename.lower() in self._files

    def where(self, filename: str) -> str:
        """How error messages name a file: ``ml-1m/ratings.dat in ml-1m.zip`` or its path."""
        real = self._files.get(filename.lower())
        if self._zip is not None:
            member = real or (f"{self._root}/{filename}" if self._root else filename)
            return f"{member} in {self.path.name}"
        return real or str(Path(self._root) / filename)

    def size(self, filename: str) -> int:
        real = self._files[filename.lower()]
        if self._zip is not None:
            return self._zip.getinfo(real).file_size
        return Path(real).stat().st_size

    def open(self, filename: str) -> BinaryIO:
        real = self._files[filename.lower()]
        try:
            if self._zip is not None:
                return self._zip.open(real)  # type: ignore[return-value]
            return open(real, "rb")
        except ZIP_ERRORS as exc:
            raise damaged_zip(self.path, exc) from None
        except OSError as exc:
            raise DataError(
                f"Cannot open {self.where(filename)} ({exc.strerror or exc}): check the file"
            ) from None

    def read_bytes(self, filename: str) -> bytes:
        with self.open(filename) as fh:
            try:
                return fh.read()
            except ZIP_ERRORS as exc:
                raise damaged_zip(self.path, exc) from None


def _release_name(folder: str) -> str:
    return RELEASE_ALIASES.get(folder.lower(), folder)


def _zip_root(zf: zipfile.ZipFile) -> str | None:
    """The shallowest folder in the zip holding a marker file ("" = top level)."""
    roots = []
    for member in zf.namelist():
        p = PurePosixPath(member)
        if p.name.lower() in MARKERS and not member.startswith("__MACOSX"):
            roots.append(str(p.parent) if str(p.parent) != "." else "")
    return min(roots, key=lambda r: (r.count("/") if r else -1, r)) if roots else None


def _folder_root(folder: Path) -> Path | None:
    """The folder itself if it holds a marker file, else the first release folder inside."""

    def holds(p: Path) -> bool:
        return any(c.name.lower() in MARKERS and c.is_file() for c in p.iterdir())

    if holds(folder):
        return folder
    subfolders = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    return next((p for p in subfolders if holds(p)), None)


NOT_A_RELEASE = (
    "no MovieLens files (ratings.csv/movies.csv, ratings.dat/movies.dat or u.data/u.item) found: "
    "point movietui import at a GroupLens release zip or its unpacked folder"
)


@contextmanager
def open_source(path: str | Path) -> Iterator[ReleaseSource]:
    """Open a release zip or folder; DataError when it is missing, not a zip or holds no release."""
    path = Path(path).expanduser()
    if not path.exists():
        raise DataError(
            f"{path} does not exist: check the path, or run `movietui import ml-latest-small` to download"
        )
    if path.is_dir():
        try:
            root = _folder_root(path)
        except OSError as exc:
            raise DataError(
                f"Cannot read folder {path} ({exc.strerror or exc}): check its permissions"
            ) from None
        if root is None:
            raise DataError(f"{path}: {NOT_A_RELEASE}")
        yield ReleaseSource(path, None, str(root), _release_name(root.name))
        return
    try:
        zf = zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        if path.name.lower() in MARKERS or path.suffix.lower() in (".csv", ".dat"):
            raise DataError(
                f"{path} is a single file: import the release zip or the folder that holds it "
                f"(`movietui import {path.parent}`)"
            ) from None
        raise damaged_zip(path, exc) from None
    except OSError as exc:
        raise DataError(f"Cannot open {path} ({exc.strerror or exc}): check the file") from None
    with zf:
        inner = _zip_root(zf)  # the release's folder inside the zip ("" for none)
        if inner is None:
            raise DataError(f"{path}: {NOT_A_RELEASE}")
        folder = PurePosixPath(inner).name if inner else path.stem
        yield ReleaseSource(path, zf, inner, _release_name(folder))
