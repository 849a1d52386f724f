"""The Training tab's model history: every saved model, newest first, the current one of each
kind marked ``*``; Enter on a row makes that model current (posts ``UseRequested``; the main
screen calls ``Service.use_model`` and refreshes every list).

Attributes down: the screen hands it ``Service.model_history()`` rows through ``show``.
"""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from movietui.service import HISTORY_COLUMNS, ModelRecord


class ModelHistory(DataTable):
    """Saved models; Enter uses the highlighted one."""

    BINDINGS = [
        Binding(
            "enter",
            "use_model",
            "Use this model",
            tooltip="Make the highlighted saved model the current one",
            id="training.use_model",
        )
    ]

    class UseRequested(Message):
        """Make saved model ``model_id`` current again."""

        def __init__(self, model_id: int) -> None:
            super().__init__()
            self.model_id = model_id

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.model_ids: list[int] = []

    def on_mount(self) -> None:
        self.add_columns(*HISTORY_COLUMNS)

    def show(self, rows: list[ModelRecord]) -> None:
        """Fill the table, keeping the cursor on the model it was on."""
        ids = [r.model_id for r in rows]
        cells = [r.cells() for r in rows]
        if ids == self.model_ids and all(
            tuple(str(c) for c in self.get_row_at(k)) == cells[k] for k in range(len(ids))
        ):
            return  # nothing changed: no repaint
        on = self.model_ids[self.cursor_row] if 0 <= self.cursor_row < len(self.model_ids) else None
        self.clear()
        for model_id, row in zip(ids, cells, strict=True):
            self.add_row(*row, key=str(model_id))
        self.model_ids = ids
        if on in ids:
            self.move_cursor(row=ids.index(on))

    def highlighted(self) -> int | None:
        """The model id under the cursor (None when the table is empty)."""
        if 0 <= self.cursor_row < len(self.model_ids):
            return self.model_ids[self.cursor_row]
        return None

    def action_use_model(self) -> None:
        model_id = self.highlighted()
        if model_id is not None:
            self.post_message(self.UseRequested(model_id))

    @on(DataTable.RowSelected)
    def _clicked(self, event: DataTable.RowSelected) -> None:
        """A click on the highlighted row uses it, like Enter (and is not a film to open)."""
        event.stop()
        self.action_use_model()
