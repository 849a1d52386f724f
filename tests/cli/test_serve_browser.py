"""`movietui serve` for real: the server started, the page loaded in headless Chromium.

The terminal draws on a canvas, so the app's first screen is read from the websocket frames
the page receives (the welcome screen's text); a screenshot is saved under tests/artifacts/.
Chromium is Debian's package (/usr/bin/chromium; `.ci/run` installs it under CI), driven by
Playwright without downloading a browser. Not skipped under CI=true.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from movietui.cli import main
from movietui.cli.serve import WARNING, app_command

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
FIRST_SCREEN = b"Welcome to movietui"
FIRST_SCREEN_TARGET_S = 3.0
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "chromium is missing under CI; .ci/run installs it (apt-get install -y chromium)"
            )
        pytest.skip("no chromium here: `apt-get install -y chromium` to run the browser test")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_first_screen_in_a_browser(tmp_path: Path) -> None:
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    port = _free_port()
    home = tmp_path / "home"
    server = subprocess.Popen(
        [sys.executable, "-m", "movietui", "serve", "--port", str(port), "--home", str(home)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its app processes are stopped with it
    )
    loaded = 0.0
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first, first
        assert "no authentication" in server.stdout.readline()
        received: list[bytes] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})

            def on_socket(ws) -> None:
                ws.on(
                    "framereceived",
                    lambda payload: received.append(
                        payload if isinstance(payload, bytes) else payload.encode()
                    ),
                )

            page.on("websocket", on_socket)
            start = time.perf_counter()
            for _ in range(50):  # the server may still be binding its port
                try:
                    page.goto(f"http://127.0.0.1:{port}/")
                    loaded = time.perf_counter() - start
                    break
                except Exception:
                    page.wait_for_timeout(100)
            deadline = start + 30
            while FIRST_SCREEN not in b"".join(received) and time.perf_counter() < deadline:
                page.wait_for_timeout(20)  # lets Playwright deliver the next frames
            seconds = time.perf_counter() - start
            assert FIRST_SCREEN in b"".join(received), "the welcome screen never reached the page"
            # Two animation frames: the canvas has painted what the frames carried.
            page.evaluate(
                "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
            )
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / "serve-first-screen.png"
            page.screenshot(path=str(shot))
            browser.close()
        print(
            f"\nserve: page loaded after {loaded:.2f} s, first screen in the browser after "
            f"{seconds:.2f} s (target <= {FIRST_SCREEN_TARGET_S} s); screenshot {shot}"
        )
        assert shot.stat().st_size > 1000
        assert seconds <= FIRST_SCREEN_TARGET_S * 3  # the target with slack for a loaded CI box
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_serve_bad_port_is_one_line(capsys) -> None:
    assert main(["serve", "--port", "70000"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--port 70000" in err


def test_serve_command_and_warning() -> None:
    assert app_command("/tmp/x y").endswith("-m movietui --home '/tmp/x y'")
    assert "no authentication" in WARNING and "127.0.0.1" in WARNING
