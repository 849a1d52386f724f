"""What the CLI tests share: the command in a subprocess or in process, and its error line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m movietui --home HOME ARGS...` in a subprocess (MOVIETUI_HOME unset)."""
    env = {k: v for k, v in os.environ.items() if k != "MOVIETUI_HOME"}
    return subprocess.run(
        [sys.executable, "-m", "movietui", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=env,
    )


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result.stdout


def one_line_error(code: int, err: str) -> str:
    """The one line a failed command prints (exit status 1, no traceback)."""
    assert code == 1 and "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("movietui: error: "), err
    return lines[0]


def assert_one_line_error(result: subprocess.CompletedProcess) -> str:
    return one_line_error(result.returncode, result.stderr)


def in_process(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    """main() called directly: the same code path, without paying numba's import again."""
    from movietui.cli import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def in_home(capsys: pytest.CaptureFixture, home: Path, *argv: str) -> tuple[int, str, str]:
    return in_process(capsys, "--home", str(home), *argv)
