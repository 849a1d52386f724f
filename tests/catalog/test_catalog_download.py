"""The manifest, and real downloads from an HTTP server the test starts on 127.0.0.1."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from catalog_builders import csv_zip

from movietui.catalog import download
from movietui.catalog.download import (
    DownloadCancelled,
    ReleaseInfo,
    download_release,
    load_manifest,
    resolve_release,
)
from movietui.catalog.progress import Progress
from movietui.catalog.readers import read_release
from movietui.errors import DataError, MovietuiError, NotFoundError


class Server:
    """Serves path -> (status, body, claimed Content-Length); counts the requests."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes, int | None]] = {}
        self.hits: list[str] = []
        routes, hits = self.routes, self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                status, body, claimed = routes.get(self.path, (404, b"not found", None))
                self.send_response(status)
                self.send_header(
                    "Content-Length", str(claimed if claimed is not None else len(body))
                )
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


@pytest.fixture
def release_zip(tmp_path: Path) -> bytes:
    (tmp_path / "built").mkdir()
    return csv_zip(tmp_path / "built", name="ml-fixture").read_bytes()


def info_for(server: Server, path: str, body: bytes, md5: str | None = "right") -> ReleaseInfo:
    digest = hashlib.md5(body).hexdigest() if md5 == "right" else md5
    return ReleaseInfo("ml-fixture", server.url(path), len(body), digest, "test release")


def leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir() if p.name != "built") if cache.exists() else []


def test_manifest_lists_the_grouplens_releases() -> None:
    releases = {r.name: r for r in load_manifest()}
    assert list(releases) == [
        "ml-latest-small",
        "ml-latest",
        "ml-32m",
        "ml-25m",
        "ml-20m",
        "ml-10m",
        "ml-1m",
        "ml-100k",
    ]
    for name, r in releases.items():
        assert r.url == f"https://files.grouplens.org/datasets/movielens/{name}.zip"
        assert r.description and r.years
        assert r.md5 is None or len(r.md5) == 32
    assert (
        releases["ml-latest-small"].md5 is None and releases["ml-latest"].md5 is None
    )  # they change over time
    assert releases["ml-32m"].size_bytes == 238_950_008
    assert releases["ml-25m"].md5 == "6b51fb2759a8657d3bfcbfc42b592ada"


def test_manifest_falls_back_to_the_repo_copy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(download, "_PACKAGED", tmp_path / "absent.json")
    assert len(load_manifest()) == 8
    monkeypatch.setattr(download, "checkout_data_dir", lambda: tmp_path / "not-a-checkout")
    with pytest.raises(DataError, match="manifest is missing"):
        load_manifest()


def test_checkout_data_dir_only_from_a_checkout(tmp_path: Path) -> None:
    """Installed, parents[2] of the module is site-packages: no data/ of ours is looked for there."""
    installed = tmp_path / "site-packages" / "movietui" / "catalog" / "download.py"
    installed.parent.mkdir(parents=True)
    installed.touch()
    assert download.checkout_data_dir(installed) is None
    (tmp_path / "site-packages" / "pyproject.toml").touch()  # a checkout has pyproject.toml
    assert download.checkout_data_dir(installed) == (tmp_path / "site-packages" / "data").resolve()
    assert download.checkout_data_dir() is not None  # these tests run from a checkout


def test_resolve_names_and_urls() -> None:
    assert resolve_release("ml-25m").md5 == "6b51fb2759a8657d3bfcbfc42b592ada"
    assert (
        resolve_release("https://files.grouplens.org/datasets/movielens/ml-1m.zip").name == "ml-1m"
    )
    other = resolve_release("http://example.org/files/my-release.zip")
    assert (other.name, other.md5) == ("my-release", None)
    with pytest.raises(
        NotFoundError, match="Unknown release 'ml-99m': choose one of ml-latest-small"
    ):
        resolve_release("ml-99m")


def test_download_verifies_and_renames(server: Server, release_zip: bytes, tmp_path: Path) -> None:
    server.routes["/ml-fixture.zip"] = (200, release_zip, None)
    cache = tmp_path / "cache"
    seen: list[Progress] = []
    path = download_release(
        info_for(server, "/ml-fixture.zip", release_zip), cache, progress=seen.append
    )
    assert path == cache / "ml-fixture.zip" and path.read_bytes() == release_zip
    assert leftovers(cache) == ["ml-fixture.zip"]  # no .part left
    assert seen[0] == Progress("download", 0, len(release_zip), "ml-fixture")
    assert seen[-1].done == seen[-1].total == len(release_zip)
    assert read_release(path).release == "ml-fixture"
    # a verified copy is reused without asking the server again
    again = download_release(info_for(server, "/ml-fixture.zip", release_zip), cache)
    assert again == path and server.hits == ["/ml-fixture.zip"]


def test_download_by_url_without_md5_checks_it_is_a_zip(
    server: Server, release_zip: bytes, tmp_path: Path
) -> None:
    server.routes["/ml-fixture.zip"] = (200, release_zip, None)
    server.routes["/page.zip"] = (200, b"<html>maintenance</html>", None)
    assert download_release(server.url("/ml-fixture.zip"), tmp_path).read_bytes() == release_zip
    with pytest.raises(DataError, match=r"Could not download page from .*did not send a zip file"):
        download_release(server.url("/page.zip"), tmp_path)
    assert leftovers(tmp_path) == ["ml-fixture.zip"]


def test_wrong_md5_deletes_the_download(server: Server, release_zip: bytes, tmp_path: Path) -> None:
    server.routes["/ml-fixture.zip"] = (200, release_zip, None)
    with pytest.raises(DataError) as info:
        download_release(info_for(server, "/ml-fixture.zip", release_zip, md5="0" * 32), tmp_path)
    message = str(info.value)
    assert (
        f"has md5 {hashlib.md5(release_zip).hexdigest()} but GroupLens publishes {'0' * 32}"
        in message
    )
    assert "movietui import PATH/ml-fixture.zip" in message
    assert leftovers(tmp_path) == []


def test_stale_cached_file_is_downloaded_again(
    server: Server, release_zip: bytes, tmp_path: Path
) -> None:
    server.routes["/ml-fixture.zip"] = (200, release_zip, None)
    (tmp_path / "ml-fixture.zip").write_bytes(b"half a file")
    path = download_release(info_for(server, "/ml-fixture.zip", release_zip), tmp_path)
    assert path.read_bytes() == release_zip and server.hits == ["/ml-fixture.zip"]


def test_http_404(server: Server, release_zip: bytes, tmp_path: Path) -> None:
    info = info_for(server, "/missing.zip", release_zip)
    with pytest.raises(DataError) as caught:
        download_release(info, tmp_path)
    assert str(caught.value) == (
        f"Could not download ml-fixture from {info.url} (HTTP 404 Not Found): download it by hand and run "
        "`movietui import PATH/ml-fixture.zip`"
    )
    assert leftovers(tmp_path) == []


def test_connection_refused(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    info = ReleaseInfo(
        "ml-latest-small", f"http://127.0.0.1:{port}/ml-latest-small.zip", None, None, ""
    )
    with pytest.raises(DataError) as caught:
        download_release(info, tmp_path)
    message = str(caught.value)
    assert message.startswith(f"Could not download ml-latest-small from {info.url} (")
    assert "refused" in message.lower()
    assert message.endswith(
        "download it by hand and run `movietui import PATH/ml-latest-small.zip`"
    )
    assert "\n" not in message and leftovers(tmp_path) == []


def test_truncated_response(server: Server, release_zip: bytes, tmp_path: Path) -> None:
    server.routes["/ml-fixture.zip"] = (
        200,
        release_zip[:300],
        len(release_zip),
    )  # promises more than it sends
    with pytest.raises(DataError, match=r"Could not download ml-fixture .*(closed after|cut)"):
        download_release(info_for(server, "/ml-fixture.zip", release_zip, md5=None), tmp_path)
    assert leftovers(tmp_path) == []


def test_cancel_deletes_the_part_file(server: Server, tmp_path: Path) -> None:
    body = bytes(range(256)) * (3 * 4096)  # 3 MiB: several blocks
    server.routes["/big.zip"] = (200, body, None)
    cancel = threading.Event()

    def progress(p: Progress) -> None:
        if p.done >= download.BLOCK:
            assert (tmp_path / "ml-fixture.zip.part").exists()
            cancel.set()

    with pytest.raises(DownloadCancelled) as caught:
        download_release(
            info_for(server, "/big.zip", body), tmp_path, progress=progress, cancel=cancel
        )
    assert isinstance(caught.value, MovietuiError) and "cancelled" in str(caught.value)
    assert leftovers(tmp_path) == []
