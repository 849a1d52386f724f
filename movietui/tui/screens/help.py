"""F1 / ? : every key, in Markdown."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# movietui keys

Everything below also works with the mouse (click tabs, rows, buttons), and every verb is in
the command palette (**ctrl+p**). Keys can be remapped by binding id (`App.set_keymap`).

## Anywhere
| Key | What |
|---|---|
| `?` / `F1` | this help |
| `ctrl+p` | command palette: train, switch profile, import, search, go to a tab… |
| `p` | profiles: create, rename, switch, delete |
| `q` | quit |

## Main screen
| Key | What |
|---|---|
| `b` `f` `y` `l` `g` | tabs: Browse, For you, Your ratings, watchList, traininG |
| `/` | search titles (type to search; accents and case do not matter) |
| `t` / `x` | start / stop training |
| `o` | onboarding: rate a few well-known movies |

## In any movie list
| Key | What |
|---|---|
| `↓`/`j`, `↑`/`k`, `PgDn`/`PgUp` | move (more rows load as you reach the end) |
| `Enter` | movie details and similar movies |
| `1`-`5` | rate with whole stars (saved at once) |
| `+` / `-` | half a star up / down |
| `0` / `Delete` | remove your rating |
| `u` | undo the last rating change |
| `w` | add to / remove from the watchlist |

## Movie details
Same rating keys for the movie shown; `Enter` on a similar movie opens it; `Escape` goes back.

## Onboarding
`1`-`5` rate, `s` or `↓` skip, `Escape` done. Recommendations beside the list change after each rating.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
