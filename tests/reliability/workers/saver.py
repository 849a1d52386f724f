"""Save models in a loop until killed; print ``saved SEQ MODEL_ID`` after each save returned.

    python saver.py DB FIRST_SEQ META_JSON [PAUSE_SECONDS]

META_JSON is a model meta from MFModel.to_arrays (written by the parent), so this worker
need not import the model room.
"""

from __future__ import annotations

import json
import sys
import time

from det_models import payload

from movietui.store import open_store


def main() -> None:
    db, seq, meta_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    pause = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    with open(meta_file) as fh:
        template = json.load(fh)
    store = open_store(db)
    payload(seq, template)  # warm the base arrays before saying ready
    print("ready", flush=True)
    while True:
        arrays, meta = payload(seq, template)
        model_id = store.save_model(arrays, meta)
        print(f"saved {seq} {model_id}", flush=True)
        seq += 1
        time.sleep(pause)


if __name__ == "__main__":
    main()
