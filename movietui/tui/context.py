"""What the app hands its screens (attributes down): the service, the training controller,
and the signal on which it publishes committed changes.

A screen reads data from ``service`` and subscribes to ``changes`` (and, for the main
screen, ``training.updates``); it never casts ``self.app`` to call it. Requests go up as
messages (``movietui.tui.messages``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from textual.dom import DOMNode
from textual.message import Message
from textual.signal import Signal

from movietui.service import Hyper, NeuralHyper, Service
from movietui.tui.training import TrainingController


@dataclass(frozen=True)
class Context:
    service: Service
    training: TrainingController
    changes: Signal[Message]  # RatingChanged, WatchlistChanged, ProfileChanged
    train_base: Hyper | None = None  # what the Training tab's fields edit; None: the defaults
    neural_base: NeuralHyper | None = None  # the same, for the neural model
    # Set when the app is exiting: screens start no new background work.
    closing: threading.Event = field(default_factory=threading.Event)

    def listen(self, node: DOMNode, *, training: bool = False) -> None:
        """Deliver the published changes (and training updates) to ``node`` as messages.
        Call from ``on_mount``; an unmounted node is dropped by the signal itself."""
        self.changes.subscribe(node, node.post_message, immediate=True)
        if training:
            self.training.updates.subscribe(node, node.post_message, immediate=True)
