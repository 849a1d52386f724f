"""First run (and re-import): download a MovieLens release or import a local one.

Offline machines get going in one key: zips and folders found on disk are listed first,
numbered. The import runs in a thread worker on this screen; its progress arrives as
coalesced ``ImportTick`` messages.
"""

from __future__ import annotations

import threading
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from movietui.errors import MovietuiError
from movietui.service import STAGE_NAMES, Service
from movietui.text import human_size
from movietui.tui.messages import CatalogImported, ImportDone, ImportFailed, ImportTick
from movietui.tui.widgets.path_suggester import PathSuggester

INTRO = (
    "Welcome to movietui. It needs a MovieLens catalog (movies and the community's ratings) "
    "to learn from. Pick one below (a number key picks it at once), or type the path of a "
    "MovieLens zip or folder. Nothing is sent anywhere; downloads come from GroupLens."
)


class WelcomeScreen(Screen):
    BINDINGS = [
        *[
            Binding(
                str(n),
                f"pick({n})",
                "Pick" if n == 1 else str(n),
                show=n == 1,
                id=f"welcome.pick{n}",
            )
            for n in range(1, 10)
        ],
        Binding("escape", "cancel", "Cancel", id="welcome.cancel"),
    ]

    def __init__(
        self, service: Service, import_path: str | None = None, can_cancel: bool = False
    ) -> None:
        """``can_cancel``: Escape goes back (a re-import from a running app)."""
        super().__init__()
        self.service = service
        self.import_path = import_path
        self.can_cancel = can_cancel
        self.sources: list[str] = []
        self._cancel: threading.Event | None = None
        self.importing = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="welcome-box"):
            yield Static(Text(INTRO), id="welcome-intro")
            yield OptionList(id="sources")
            with Horizontal(id="path-row"):
                yield Input(
                    placeholder="…or a path: ~/Downloads/ml-latest-small.zip (→ completes)",
                    suggester=PathSuggester(),
                    id="path-input",
                )
                yield Button("Import", id="import-path", variant="primary")
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Static(id="import-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#import-progress").display = False
        self._fill_sources()
        if self.import_path:
            self.start_import(self.import_path)

    def on_unmount(self) -> None:
        # Worker threads cannot be killed: ask a running import to stop so quitting is quick.
        if self._cancel is not None:
            self._cancel.set()

    def _fill_sources(self) -> None:
        service = self.service
        options = self.query_one("#sources", OptionList)
        self.sources = []
        try:
            local = service.find_local_datasets()
        except MovietuiError:
            local = []
        for path in local:
            self.sources.append(str(path))
            options.add_option(
                Option(Text(f"{len(self.sources)}  Import {path}  (found on this machine)"))
            )
        try:
            releases = service.releases()
        except MovietuiError as error:
            releases = []
            self.notify(str(error), severity="warning")
        for release in releases:
            self.sources.append(release.name)
            label = (
                f"{len(self.sources)}  Download {release.name} ({human_size(release.size_bytes)})"
            )
            if release.description:
                label += f": {release.description}"
            options.add_option(Option(Text(label)))
        options.highlighted = 0 if self.sources else None
        options.focus()

    # ---- choosing ----------------------------------------------------------------------
    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.sources):
            self.start_import(self.sources[number - 1])

    @on(OptionList.OptionSelected, "#sources")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.start_import(self.sources[event.option_index])

    @on(Input.Submitted, "#path-input")
    @on(Button.Pressed, "#import-path")
    def _import_typed(self) -> None:
        value = self.query_one("#path-input", Input).value.strip()
        if not value:
            self.notify("Type the path of a MovieLens zip or folder first.", severity="warning")
            return
        path = Path(value).expanduser()
        if not path.exists():
            self.notify(
                f"{path} does not exist: check the path (→ completes it).", severity="error"
            )
            return
        self.start_import(str(path))

    def action_cancel(self) -> None:
        if self.importing and self._cancel is not None:
            self._cancel.set()
            self.query_one("#import-status", Static).update("Cancelling…")
        elif self.can_cancel:
            self.dismiss()

    # ---- importing ---------------------------------------------------------------------
    def start_import(self, source: str) -> None:
        if self.importing:
            self.notify("An import is already running (Escape cancels it).", severity="warning")
            return
        self.importing = True
        self._cancel = threading.Event()
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#import-status", Static).update(Text(f"Importing {source}…"))
        self._import(source, self._cancel)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _import(self, source: str, cancel: threading.Event) -> None:
        try:
            report = self.service.import_catalog(
                source, progress=lambda p: self.post_message(ImportTick(p)), cancel=cancel
            )
        except MovietuiError as error:
            self.post_message(ImportFailed(str(error)))
            return
        except Exception as error:  # a bug must still leave the app running with a message
            self.post_message(ImportFailed(f"import failed unexpectedly: {error!r}"))
            return
        self.post_message(ImportDone(report))

    def on_import_tick(self, message: ImportTick) -> None:
        progress = message.progress
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=progress.total, progress=progress.done)
        stage = STAGE_NAMES.get(progress.stage, progress.stage).capitalize()
        if progress.stage == "download":
            amount = f"{human_size(progress.done)} of {human_size(progress.total)}"
        elif progress.total:
            amount = f"{progress.done:,} of {progress.total:,}"
        else:
            amount = f"{progress.done:,}"
        line = f"{stage}: {amount}"
        if progress.message:
            line += f" · {progress.message}"
        self.query_one("#import-status", Static).update(Text(line), layout=False)

    def on_import_failed(self, message: ImportFailed) -> None:
        self.importing = False
        self.query_one("#import-progress").display = False
        self.query_one("#import-status", Static).update(Text(f"Import failed: {message.error}"))
        self.notify(message.error, title="Import failed", severity="error", timeout=10)

    def on_import_done(self, message: ImportDone) -> None:
        self.importing = False
        report = message.report
        self.notify(
            f"{report.release}: {report.n_movies:,} movies, {report.n_ratings:,} ratings "
            f"imported in {report.seconds:.1f} s. Training the first model…",
            title="Imported",
        )
        for note in report.notes[:3]:
            self.notify(note, severity="warning", timeout=8)
        self.post_message(CatalogImported(report))
