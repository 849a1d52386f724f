"""Train through the Service, printing ``epoch N`` after each epoch, then ``done MODEL_ID``.

python trainer.py HOME EPOCHS [LR]
"""

from __future__ import annotations

import sys

from movietui.errors import MovietuiError
from movietui.model import Hyper
from movietui.service import Service


def main() -> None:
    home, epochs = sys.argv[1], int(sys.argv[2])
    lr = float(sys.argv[3]) if len(sys.argv) > 3 else 0.01
    service = Service.open(home)
    hyper = Hyper(factors=16, epochs=epochs, lr=lr, patience=epochs, val_fraction=0.05, seed=epochs)
    print("ready", flush=True)
    try:
        result = service.train(hyper, on_epoch=lambda r: print(f"epoch {r.epoch}", flush=True))
    except MovietuiError as exc:
        print(f"error {exc}", flush=True)
    else:
        print(f"done {result.model_info.model_id}", flush=True)
    service.close()


if __name__ == "__main__":
    main()
