import pytest
from textual.widget import Widget
from movietui.tui.widgets.movie_table import MovieTable
from test_lazy_panes import *  # noqa

@pytest.fixture(autouse=True)
def buggy(monkeypatch):
    def nsu(self):
        c = self.app._css_update_count
        if c != self._css_count:
            self._css_count = c
            super(MovieTable, self).notify_style_update()
        else:
            Widget.notify_style_update(self)
    monkeypatch.setattr(MovieTable, "notify_style_update", nsu)
