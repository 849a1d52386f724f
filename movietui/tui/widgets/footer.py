"""The main screen's footer: the keys on offer, drawn as one line of text by one widget.

Textual's Footer mounts a widget per key and rebuilds them all (remove, compose, style, lay
out) whenever the keys change: moving between the Training tab and a movie list cost ~35 ms
after each switch. Here a change of keys is a new line of text. A click on a key presses it,
as in Footer; the pointer highlights the key under it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

EDGE = "▏"  # before the command palette's key, at the right


@dataclass(frozen=True)
class ShownKey:
    key: str  # what a click presses
    display: str  # how the key is written
    description: str
    enabled: bool


def footer_keys(screen: Screen) -> tuple[tuple[ShownKey, ...], ShownKey | None]:
    """The shown keys of ``screen``'s active bindings, one per action (its first key, as
    Footer shows them), and the command palette's key apart."""
    app = screen.app
    keys: dict[str, ShownKey] = {}
    palette = None
    for _node, binding, enabled, _tooltip in screen.active_bindings.values():
        entry = ShownKey(binding.key, app.get_key_display(binding), binding.description, enabled)
        if binding.key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
            palette = entry
        elif binding.show:
            keys.setdefault(binding.action, entry)
    return tuple(keys.values()), palette


class KeyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--hover",
        "key-footer--edge",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--hover { background: $block-hover-background; }
        & > .key-footer--edge { color: $foreground 20%; }
    }
    """

    keys: tuple[ShownKey, ...] = ()
    palette: ShownKey | None = None
    _hover: ShownKey | None = None
    _spans: tuple[tuple[int, int, ShownKey], ...] = ()  # (start, end, key) as last drawn

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        keys, palette = footer_keys(screen)
        if (keys, palette) != (self.keys, self.palette):
            self.keys, self.palette = keys, palette
            self.refresh()

    def render(self) -> Text:
        style = self.get_component_rich_style
        key_style, text_style = style("key-footer--key"), style("key-footer--description")
        hover = style("key-footer--hover", partial=True)
        spans: list[tuple[int, int, ShownKey]] = []

        def part(entry: ShownKey, lead: str = " ") -> Text:
            piece = Text.assemble(
                (f"{lead}{entry.display} ", key_style), (f"{entry.description} ", text_style)
            )
            if not entry.enabled:
                piece.stylize(Style(dim=True))
            if entry == self._hover:
                piece.stylize(hover)
            return piece

        line = Text(no_wrap=True, overflow="crop")
        for entry in self.keys:
            start = line.cell_len
            line.append_text(part(entry))
            spans.append((start, line.cell_len, entry))
        if self.palette is not None:
            tail = Text(EDGE, style=style("key-footer--edge", partial=True))
            tail.append_text(part(self.palette, lead=""))
            start = max(line.cell_len, self.size.width - tail.cell_len)
            line.pad_right(start - line.cell_len)
            line.append_text(tail)
            spans.append((start + len(EDGE), line.cell_len, self.palette))
        self._spans = tuple(spans)
        return line

    def _key_at(self, x: int) -> ShownKey | None:
        return next((key for start, end, key in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event.x)
        if key != self._hover:
            self._hover = key
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
