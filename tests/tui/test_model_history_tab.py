"""The Training tab's model history, through the Pilot: a stopped run that validates worse is
saved without replacing the better model (issue 12, item 4), the line after the run says so
with both figures, and Enter on a saved model makes it current."""

from __future__ import annotations

from textual.widgets import Input
from tui_support import SIZE, wait_until

from movietui.service import MAX_EPOCHS, Hyper, Service
from movietui.tui.app import make_app
from movietui.tui.widgets.model_history import ModelHistory

# A run far worse than the session's model: 2 factors at a tiny learning rate. It ends only
# by Stop: with the default patience early stopping ended it before `x` in 1 of 2 CI runs.
WORSE = Hyper(factors=2, epochs=MAX_EPOCHS, lr=0.0005, reg=0.05, seed=3, patience=MAX_EPOCHS)


def line(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def table_rows(table: ModelHistory) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(k)] for k in range(table.row_count)]


async def test_stop_keeps_the_better_model_and_enter_in_the_history_switches(
    profile_service: Service,
) -> None:
    service = profile_service
    good = service.model_info()
    good_recs = [(r.movie.movie_id, round(r.predicted, 4)) for r in service.recommendations(10)]
    app = make_app(service=service, train_base=WORSE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await wait_until(pilot, lambda: bool(app.screen.query(ModelHistory)))
        table = app.screen.query_one(ModelHistory)
        await wait_until(pilot, lambda: table.row_count == 1)
        assert table_rows(table)[0][:3] == ["*", str(good.model_id), "MF"]

        screen = app.screen
        screen.query_one("#hp-factors", Input).value = "2"
        screen.query_one("#hp-lr", Input).value = "0.0005"
        await pilot.press("t")
        await wait_until(pilot, lambda: len(app.training.state.history) >= 1)
        await pilot.press("x")  # Stop mid-run: the bug made this worse model current
        await wait_until(pilot, lambda: not app.training.running)
        result = app.training.state.result
        assert result is not None and result.cancelled and not result.made_current
        new = result.new_model
        assert new is not None and new.val_rmse > good.val_rmse
        assert service.model_info().model_id == good.model_id  # the better one stays

        # The panel shows the outcome when the app has handled the run's end (a message
        # after the thread is done): wait for that, not for the thread alone.
        kept = f"kept the current model (validation RMSE {good.val_rmse:.4f})"
        await wait_until(pilot, lambda: kept in line(app, "#progress-line"))
        progress = line(app, "#progress-line")
        assert f"the new run #{new.model_id} ({new.val_rmse:.4f}) is saved in the history" in (
            progress
        )
        await wait_until(pilot, lambda: table.row_count == 2)
        rows = table_rows(table)
        assert [r[:2] for r in rows] == [["", str(new.model_id)], ["*", str(good.model_id)]]
        assert rows[0][6].endswith("stopped") and rows[0][7] == f"{new.val_rmse:.4f}"
        assert rows[1][4].startswith("ml-latest-small")

        table.focus()
        await pilot.pause()
        assert table.highlighted() == good.model_id  # the cursor stays on the row it was on
        await pilot.press("up", "enter")  # the newest row: use the new model after all
        await wait_until(pilot, lambda: service.model_info().model_id == new.model_id)
        await wait_until(pilot, lambda: table_rows(table)[0][0] == "*")
        assert table_rows(table)[1][0] == ""
        assert [
            (r.movie.movie_id, round(r.predicted, 4)) for r in service.recommendations(10)
        ] != good_recs

        await pilot.press("down", "enter")  # and back to the better one
        await wait_until(pilot, lambda: service.model_info().model_id == good.model_id)
        assert [
            (r.movie.movie_id, round(r.predicted, 4)) for r in service.recommendations(10)
        ] == good_recs
