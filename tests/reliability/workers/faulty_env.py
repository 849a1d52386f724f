"""Use an existing database from an environment that refuses writes, and report each outcome.

    python faulty_env.py DB readonly      # drop root's override (user namespace), then open + write
    python faulty_env.py DB fsize LIMIT   # files may not grow past LIMIT bytes (RLIMIT_FSIZE)

Prints ``open ok`` or ``open error <message>``, then for each write attempt
``<what> ok`` / ``<what> error <message>``, then ``done``. A StoreError is an expected,
reported outcome; any other exception escapes as a traceback and a non-zero exit.
"""

from __future__ import annotations

import os

# unshare(CLONE_NEWUSER) refuses a multi-threaded process: keep numpy's BLAS single-threaded.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import ctypes
import resource
import signal
import sys

import numpy as np

from movietui.errors import MovietuiError
from movietui.store import open_store

CLONE_NEWUSER = 0x10000000


def drop_write_override() -> None:
    """Root ignores file modes; in a fresh user namespace we are 'nobody' and modes apply."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER) != 0:
        print(f"cannot-drop-root errno {ctypes.get_errno()}", flush=True)
        raise SystemExit(3)


def attempt(what: str, call) -> object:  # type: ignore[no-untyped-def]
    try:
        result = call()
    except MovietuiError as exc:
        print(f"{what} error {exc}", flush=True)
        return None
    print(f"{what} ok", flush=True)
    return result


def main() -> None:
    db, mode = sys.argv[1], sys.argv[2]
    if mode == "readonly":
        drop_write_override()
    elif mode == "fsize":
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
        limit = int(sys.argv[3])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    store = attempt("open", lambda: open_store(db))
    if store is not None:
        profile = store.list_profiles()[0].id
        attempt("rate", lambda: store.set_rating(profile, 999_999, 4.5))
        rows = [(1_000_000 + k, 0.5 + (k % 10) / 2, 1.0e9 + k) for k in range(100_000)]
        attempt("bulk", lambda: store.set_ratings_bulk(profile, rows))
        big = np.arange(4_000_000, dtype=np.float32)  # 16 MB
        attempt("model", lambda: store.save_model({"w": big}, {"note": "too big"}))
        store.close()
    print("done", flush=True)


if __name__ == "__main__":
    main()
