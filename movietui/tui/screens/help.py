"""F1 / ? : every key, in Markdown.

The text is rich's Markdown, rendered once per width into styled text in one Static.
Textual's Markdown widget mounts a widget per block and a grid per table (~400 widgets
here) and took 1.6 s to open; a Static holding the Markdown itself renders it three times
while laid out (~0.2 s).
"""

from __future__ import annotations

from functools import lru_cache

from rich.console import Console
from rich.markdown import Markdown
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from movietui.tui.user_settings import bindings_markdown

HELP = """\
# movietui keys

Everything below also works with the mouse (click tabs, rows, buttons), and every verb is in
the command palette (**ctrl+p**). Keys can be remapped in `settings.toml` (`movietui locate`
prints where) by binding id: the ids are listed at the end of this help.

## Anywhere
| Key | What |
|---|---|
| `?` / `F1` | this help |
| `ctrl+p` | command palette: train, switch profile, import, search, go to a tab… |
| `p` | profiles: create, rename, switch, delete |
| `M` | movie night: one list for two or more profiles (`s` cycles the strategy) |
| `q` | quit |

## Main screen
| Key | What |
|---|---|
| `b` `f` `y` `l` `g` | tabs: Browse, For you, Your ratings, watchList, traininG |
| `/` | search titles (type to search; accents and case do not matter); Enter, Esc or ↓ back to the list |
| `F` | the filter row (Browse, For you): genre first, Tab walks on; Enter or space opens a choice (typing jumps to an option); Esc back to the list |
| `t` / `x` | start / stop training |
| `c` / `s` | Training tab: switch the model (matrix factorisation / neural) / make it predict the stars (★) |
| `Enter` | Training tab's model history: make the highlighted saved model current again (`*` marks it) |
| `o` | onboarding: rate a few well-known movies |
| `m` | the Taste map tab |

## In any movie list
| Key | What |
|---|---|
| `↓`/`j`, `↑`/`k`, `PgDn`/`PgUp` | move (more rows load as you reach the end) |
| `Enter` | movie details and similar movies |
| `1`-`5` | rate with whole stars (saved at once) |
| `+` / `-` | half a star up / down |
| `0` / `Delete` | remove your rating |
| `n` | not interested ("not for me"): never recommended again, and the model learns from it (`n` again clears) |
| `v` | seen it, no rating: gone from For you, still in Browse (`v` again clears) |
| `u` | undo the last rating or mark change |
| `w` | add to / remove from the watchlist |

A film holds a rating or a mark, not both: rating a marked film clears its mark, and marking a
rated film removes its rating (`u` brings it back). Browse's You column shows `seen` or `hidden`.

## Movie details
Same rating and mark keys for the movie shown; `Enter` on a similar movie opens it; `Escape` goes back.

## Taste map
Films as dots in their factors' two main directions, coloured by main genre; the header names the
films at each axis' ends. You are the marker (its trail: where each rating moved you), rated films
show their stars. Arrows / `hjkl` pan, `+` `-` zoom, `0` fits, `]` / `[` films nearest you, `Enter`
opens one, `s` switches the ranker's map and the rating model's.

## Demo (command palette, or `movietui demo`)
A real MovieLens user's ratings replayed into models trained without them: `space` pause / play,
`n` one step, `+` / `-` speed, `s` the other map, `Escape` back.

## Onboarding
`1`-`5` rate, `v` seen, `n` not interested, `s` or `↓` skip, `Escape` done. Recommendations beside
the list change after each one.
"""


BOX_WIDTH = 90  # columns, border and scrollbar included
TEXT_INSET = 4  # the border's two columns and the scrollbar's two


class MarkdownText(Static):
    """Markdown drawn by rich, rendered again only when the width changes."""

    def __init__(self, markdown: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.markdown = markdown
        self._width = 0

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:
            self._width = event.size.width
            self.update(render_markdown(self.markdown, self._width, self.app.console))


@lru_cache(maxsize=4)
def render_markdown(markdown: str, width: int, console: Console) -> Text:
    lines = console.render_lines(Markdown(markdown), console.options.update_width(width), pad=False)
    text = Text()
    for number, line in enumerate(lines):
        if number:
            text.append("\n")
        for segment in line:
            if not segment.control:
                text.append(segment.text, segment.style)
    return text


def help_markdown() -> str:
    return HELP + "\n## Remapping keys (settings.toml, `[keys]`)\n" + bindings_markdown()


def prerender(console: Console, screen_width: int) -> None:
    """Render the help for a screen this wide ahead of F1 (~65 ms), e.g. in a worker."""
    render_markdown(help_markdown(), min(BOX_WIDTH, screen_width) - TEXT_INSET, console)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = f"""
    HelpScreen {{ background: $background; }}  /* see-through cost ~40 ms a paint */
    #help-box {{
        width: {BOX_WIDTH};
        max-width: 100%;
        height: 90%;
        border: thick $primary;
        background: $surface;
        overflow-y: scroll;  /* the scrollbar from the start: one width to render at */
        scrollbar-size-vertical: {TEXT_INSET - 2};
    }}
    """
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield MarkdownText(help_markdown(), id="help-text")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
