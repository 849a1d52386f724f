"""Open the store (which backs up and migrates an old file), then print ``opened VERSION``.

python opener.py DB
"""

from __future__ import annotations

import sys

from movietui.store import open_store

print("started", flush=True)
store = open_store(sys.argv[1])
version = store.conn.execute("PRAGMA user_version").fetchone()[0]
print(f"opened {version}", flush=True)
store.close()
