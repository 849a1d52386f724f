"""Shared pieces of the reliability tests: killable workers, database checks, the tally.

Workers live in ``workers/`` and are run as real subprocesses (``python workers/x.py``), so a
SIGKILL lands on a real interpreter holding a real SQLite connection.
"""

from __future__ import annotations

import hashlib
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WORKERS = Path(__file__).resolve().parent / "workers"


class Figures:
    """Counters and notes gathered across the reliability tests."""

    def __init__(self) -> None:
        self.counts: dict[str, float] = defaultdict(float)
        self.notes: dict[str, object] = {}
        self.lock = threading.Lock()

    def add(self, key: str, amount: float = 1) -> None:
        with self.lock:
            self.counts[key] += amount

    def note(self, key: str, value: object) -> None:
        with self.lock:
            self.notes[key] = value

    def as_dict(self) -> dict:
        counts = {
            k: (int(v) if float(v).is_integer() else round(v, 3))
            for k, v in sorted(self.counts.items())
        }
        return {"counts": counts, "notes": dict(sorted(self.notes.items()))}


FIGURES = Figures()


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("MOVIETUI_HOME", None)  # workers always get their home on the command line
    return env


class Child:
    """A worker subprocess whose stdout lines arrive on a queue (read by a thread).

    Lines are only printed by a worker after the call they report has returned, so
    everything read here was confirmed by the product before the kill.
    """

    def __init__(self, script: str, *args: str, stdin: bool = False) -> None:
        self.argv = [sys.executable, str(WORKERS / script), *map(str, args)]
        self.proc = subprocess.Popen(
            self.argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            cwd=REPO,
            env=worker_env(),
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self._stderr: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=self._pump_err, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _pump_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._stderr.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self._stderr)

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def next_line(self, timeout: float = 60.0) -> str | None:
        """The next stdout line, None at EOF; fails the test on timeout."""
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            pytest.fail(
                f"{self.argv[1]}: no output for {timeout:.0f} s; stderr: {self.stderr[-2000:]}"
            )
        if line is not None:
            self.seen.append(line)
        return line

    def wait_for(self, prefix: str, timeout: float = 120.0) -> str:
        """Read lines until one starts with ``prefix``; fail if the child ends first."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(max(0.1, deadline - time.monotonic()))
            if line is None:
                self.proc.wait(timeout=10)
                pytest.fail(
                    f"{self.argv[1]} ended (rc={self.proc.returncode}) before {prefix!r}; "
                    f"last lines {self.seen[-5:]}; stderr: {self.stderr[-3000:]}"
                )
            if line.startswith(prefix):
                return line

    def drain(self) -> list[str]:
        """Lines already queued (after a kill the pipe still holds what was printed)."""
        self.proc.wait(timeout=30)
        out = []
        while True:
            line = self.next_line(timeout=10)
            if line is None:
                return out
            out.append(line)

    def kill(self) -> None:
        """SIGKILL the worker; fail if it had already died of an error on its own (a
        worker that crashed before the kill would make the round prove nothing)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        if self.proc.returncode not in (0, -signal.SIGKILL):
            pytest.fail(
                f"{self.argv[1]} died on its own (rc={self.proc.returncode}): {self.stderr[-3000:]}"
            )

    def finish(self, timeout: float = 120.0) -> list[str]:
        """Wait for a normal exit; fail with the child's stderr if it did not exit 0."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"{self.argv[1]} did not finish in {timeout:.0f} s")
        lines = self.drain()
        if self.proc.returncode != 0:
            pytest.fail(f"{self.argv[1]} exited {self.proc.returncode}: {self.stderr[-3000:]}")
        return lines


def integrity(db: Path) -> str:
    """``PRAGMA integrity_check`` through a fresh, independent connection."""
    conn = sqlite3.connect(db)
    try:
        return ";".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dir_digest(folder: Path) -> dict[str, str]:
    """name -> sha256 of every file directly in ``folder``."""
    return {p.name: file_digest(p) for p in sorted(folder.iterdir()) if p.is_file()}
