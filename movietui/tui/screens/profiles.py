"""Profiles: several people share one database. Create, rename, switch, delete.

The dialog calls the service it was given; after a change it posts ``ProfilesEdited`` to
the app (which outlives this dialog), and the app tells every screen."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList
from textual.widgets.option_list import Option

from movietui.errors import MovietuiError
from movietui.service import Service
from movietui.tui import format as fmt
from movietui.tui.messages import ProfilesEdited
from movietui.tui.screens.dialogs import ConfirmModal, NameModal


class ProfilesScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("n", "new", "New", id="profiles.new"),
        Binding("r", "rename", "Rename", id="profiles.rename"),
        Binding("d", "delete", "Delete", id="profiles.delete"),
        Binding("escape", "close", "Close", id="profiles.close"),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="profiles-box"):
            yield Label("Profiles (Enter switches)", classes="dialog-title")
            yield OptionList(id="profile-list")
            with Horizontal(classes="dialog-buttons"):
                yield Button("New (n)", id="new", variant="primary")
                yield Button("Rename (r)", id="rename")
                yield Button("Delete (d)", id="delete", variant="error")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        service = self.service
        current = service.current_profile
        options = self.query_one("#profile-list", OptionList)
        options.clear_options()
        for profile in service.profiles():
            mark = "● " if current and profile.id == current.id else "  "
            options.add_option(
                Option(
                    Text(f"{mark}{profile.name}  ({fmt.count(profile.n_ratings, 'rating')})"),
                    id=str(profile.id),
                )
            )
        if current is not None:
            options.highlighted = options.get_option_index(str(current.id))
        options.focus()

    def _selected_id(self) -> int | None:
        options = self.query_one("#profile-list", OptionList)
        if options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return int(option_id) if option_id is not None else None

    def _name_of(self, profile_id: int) -> str:
        return next((p.name for p in self.service.profiles() if p.id == profile_id), "?")

    @on(OptionList.OptionSelected)
    def _switch(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        try:
            profile = self.service.switch_profile(int(event.option.id))
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return
        self.notify(f"Switched to {profile.name}.", timeout=2)
        self.app.post_message(ProfilesEdited())
        self.dismiss(None)

    @on(Button.Pressed, "#new")
    def action_new(self) -> None:
        def created(name: str | None) -> None:
            if not name:
                return
            try:
                profile = self.service.create_profile(name)
            except MovietuiError as error:
                self.notify(str(error), severity="error")
                return
            self.notify(f"Profile {profile.name!r} created.")
            self.app.post_message(ProfilesEdited())
            self.reload()

        self.app.push_screen(NameModal("New profile name"), created)

    @on(Button.Pressed, "#rename")
    def action_rename(self) -> None:
        profile_id = self._selected_id()
        if profile_id is None:
            return

        def renamed(name: str | None) -> None:
            if not name:
                return
            try:
                self.service.rename_profile(profile_id, name)
            except MovietuiError as error:
                self.notify(str(error), severity="error")
                return
            self.app.post_message(ProfilesEdited())
            self.reload()

        self.app.push_screen(NameModal("Rename profile", value=self._name_of(profile_id)), renamed)

    @on(Button.Pressed, "#delete")
    def action_delete(self) -> None:
        profile_id = self._selected_id()
        if profile_id is None:
            return
        name = self._name_of(profile_id)

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.service.delete_profile(profile_id)
            except MovietuiError as error:
                self.notify(str(error), severity="error")
                return
            self.notify(f"Profile {name!r} deleted.", timeout=3)
            self.app.post_message(ProfilesEdited())
            self.reload()

        self.app.push_screen(
            ConfirmModal(
                f"Delete profile {name!r} with all its ratings and watchlist? This cannot be undone."
            ),
            confirmed,
        )

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
