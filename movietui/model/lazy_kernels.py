"""``kernels`` and ``ranker_kernels``, imported on first use.

numba costs ~0.2 s to import and ~0.3 s more to set up its compiler on the first kernel
call; opening the app (reading a saved model, scoring with numpy) needs neither.
``Service.warm_up`` pays it in a worker thread after the first paint.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class _LazyKernels:
    """Attribute access imports the kernel module (once; later it is a dict lookup)."""

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str):
        module: ModuleType = importlib.import_module(self._module)
        return getattr(module, name)


kernels = _LazyKernels("movietui.model.kernels")
ranker_kernels = _LazyKernels("movietui.model.ranker_kernels")
