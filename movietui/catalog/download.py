"""The GroupLens release manifest and a resumable-safe download with checksum.

``download_release`` streams into ``<cache>/<name>.zip.part`` in 1 MiB blocks, checks
the md5 GroupLens publishes (the frozen releases; ml-latest and ml-latest-small change
and publish none, so for those we check that the result is a readable zip), then
renames atomically to ``<cache>/<name>.zip``. A verified file already in the cache is
reused. Every failure is one line saying what to download by hand and how to import it.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from movietui.catalog.progress import Progress, ProgressFn
from movietui.errors import DataError, MovietuiError, NotFoundError

BLOCK = 1 << 20  # 1 MiB
TIMEOUT_S = 30
_PACKAGED = Path(__file__).with_name("manifest.json")  # the wheel's copy (pyproject force-include)


def checkout_data_dir(anchor: Path | None = None) -> Path | None:
    """The data/ folder of a source checkout, or None when movietui runs installed.

    From a checkout this file is <repo>/movietui/catalog/download.py and <repo> holds
    pyproject.toml; installed, the same parents[2] is site-packages, which has no data/ of ours.
    """
    root = Path(anchor or __file__).resolve().parents[2]
    return root / "data" if (root / "pyproject.toml").is_file() else None


class DownloadCancelled(MovietuiError):
    """The user stopped a download; the partial file was removed."""


@dataclass(frozen=True)
class ReleaseInfo:
    name: str
    url: str
    size_bytes: int | None
    md5: str | None
    description: str
    years: str = ""  # "1995-2023"


def load_manifest() -> list[ReleaseInfo]:
    """The releases movietui knows, from the packaged manifest or a checkout's data/manifest.json."""
    data = checkout_data_dir()
    places = [_PACKAGED] + ([data / "manifest.json"] if data is not None else [])
    path = next((p for p in places if p.is_file()), None)
    if path is None:
        raise DataError(f"The release manifest is missing ({_PACKAGED}): reinstall movietui")
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["releases"]
        return [
            ReleaseInfo(
                name=e["name"],
                url=e["url"],
                size_bytes=e.get("size_bytes"),
                md5=(e.get("md5") or None),
                description=e.get("description", ""),
                years=e.get("years", ""),
            )
            for e in entries
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(
            f"The release manifest {path} is damaged ({exc}): reinstall movietui"
        ) from None


def resolve_release(name_or_url: str | ReleaseInfo) -> ReleaseInfo:
    """A manifest name ("ml-25m"), a URL to some .zip, or a ReleaseInfo as is."""
    if isinstance(name_or_url, ReleaseInfo):
        return name_or_url
    text = str(name_or_url).strip()
    if text.startswith(("http://", "https://")):
        stem = Path(urllib.parse.urlparse(text).path).name.removesuffix(".zip") or "download"
        known = {r.url: r for r in load_manifest()}
        return known.get(text, ReleaseInfo(stem, text, None, None, ""))
    releases = load_manifest()
    for release in releases:
        if release.name == text.lower():
            return release
    names = ", ".join(r.name for r in releases)
    raise NotFoundError(
        f"Unknown release {text!r}: choose one of {names}, or give a URL or a local zip/folder path"
    )


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _by_hand(info: ReleaseInfo, reason: str) -> DataError:
    return DataError(
        f"Could not download {info.name} from {info.url} ({reason}): download it by hand and run "
        f"`movietui import PATH/{info.name}.zip`"
    )


def _is_good(path: Path, info: ReleaseInfo) -> bool:
    """A cached file counts when its md5 matches, or (no published md5) when it is a whole zip."""
    if info.md5:
        return file_md5(path) == info.md5.lower()
    return zipfile.is_zipfile(path)


def download_release(
    name_or_url: str | ReleaseInfo,
    cache_dir: str | Path,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Download a release zip into ``cache_dir`` (or reuse a verified copy); returns its path."""
    info = resolve_release(name_or_url)
    cache = Path(cache_dir).expanduser()
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f"Cannot create the download folder {cache} ({exc.strerror or exc}): check its permissions"
        ) from None
    final = cache / f"{info.name}.zip"
    part = cache / f"{info.name}.zip.part"
    if final.is_file() and _is_good(final, info):
        size = final.stat().st_size
        if progress is not None:
            progress(Progress("download", size, size, f"{final.name} already downloaded"))
        return final
    try:
        digest = _fetch(info, part, progress, cancel)
        if info.md5 and digest != info.md5.lower():
            raise DataError(
                f"{info.name}.zip from {info.url} has md5 {digest} but GroupLens publishes {info.md5}: "
                f"the download is damaged; try again, or download it by hand and run "
                f"`movietui import PATH/{info.name}.zip`"
            )
        if not zipfile.is_zipfile(part):
            raise _by_hand(info, "the server did not send a zip file")
        os.replace(part, final)
    except BaseException:
        part.unlink(missing_ok=True)  # never leave half a file behind, whatever stopped us
        raise
    return final


def _fetch(
    info: ReleaseInfo, part: Path, progress: ProgressFn | None, cancel: threading.Event | None
) -> str:
    """Stream the URL into ``part``; returns the md5 hex digest of what was written."""
    digest = hashlib.md5(usedforsecurity=False)
    request = urllib.request.Request(info.url, headers={"User-Agent": "movietui"})
    try:
        with (
            urllib.request.urlopen(request, timeout=TIMEOUT_S) as response,
            open(part, "wb") as out,
        ):
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else info.size_bytes
            done = 0
            if progress is not None:
                progress(Progress("download", 0, total, info.name))
            while True:
                if cancel is not None and cancel.is_set():
                    raise DownloadCancelled(f"Download of {info.name} cancelled; nothing was saved")
                block = response.read(BLOCK)
                if not block:
                    break
                try:
                    out.write(block)
                except OSError as exc:
                    raise DataError(
                        f"Cannot write {part} ({exc.strerror or exc}): free some disk space or choose another folder"
                    ) from None
                digest.update(block)
                done += len(block)
                if progress is not None:
                    progress(Progress("download", done, total, info.name))
            if length and length.isdigit() and done < int(length):
                raise _by_hand(
                    info, f"the connection closed after {done:,} of {int(length):,} bytes"
                )
    except urllib.error.HTTPError as exc:
        raise _by_hand(info, f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        text = getattr(reason, "strerror", None) or str(reason)
        if isinstance(reason, socket.gaierror):  # the name did not resolve: most often no network
            text += "; are you offline?"
        raise _by_hand(info, text) from None
    except http.client.IncompleteRead as exc:
        raise _by_hand(info, f"the connection closed after {len(exc.partial):,} bytes") from None
    except TimeoutError:
        raise _by_hand(info, f"no answer for {TIMEOUT_S} s") from None
    except (http.client.HTTPException, ConnectionError) as exc:
        raise _by_hand(info, f"connection failed: {exc.__class__.__name__}") from None
    except OSError as exc:
        if exc.filename is not None:  # we could not create the .part file
            raise DataError(
                f"Cannot write {part} ({exc.strerror or exc}): check the folder's permissions"
            ) from None
        raise _by_hand(info, exc.strerror or str(exc)) from None
    return digest.hexdigest()
