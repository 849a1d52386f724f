"""The Training tab's neural model, driven through the Pilot: choose it, train it (small),
watch its curve advance beside matrix factorisation's, make it predict the stars, and back."""

from __future__ import annotations

from textual.widgets import Button, Input
from tui_support import SIZE, wait_until

from movietui.service import MAX_EPOCHS, NeuralHyper, Service
from movietui.tui.app import make_app
from movietui.tui.widgets.loss_chart import LossChart

# Small and without a validation split: the run cannot stop early, so its curve is still
# advancing whenever the test looks, until the test presses Stop (x).
NEURAL_NO_EARLY_STOP = NeuralHyper(factors=8, hidden=8, epochs=5, val_fraction=0.0, seed=7)


def line(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_train_the_neural_model_from_the_training_tab_and_make_it_predict_stars(
    profile_service: Service,
) -> None:
    service = profile_service
    assert service.neural_info() is None and service.model_info() is not None
    app = make_app(service=service, neural_base=NEURAL_NO_EARLY_STOP)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await wait_until(pilot, lambda: bool(app.screen.query("#train-kind")))
        screen = app.screen
        assert "No neural model yet" in line(app, "#neural-line")
        assert line(app, "#model-line").startswith("★ Model #")  # MF predicts, for now

        await pilot.click("#train-kind")  # matrix factorisation -> neural
        await pilot.pause()
        assert "neural" in str(screen.query_one("#train-kind", Button).label)
        assert screen.query_one("#hp-reg", Input).disabled
        assert screen.query_one("#hp-factors", Input).value == "8"  # the neural base's
        screen.query_one("#hp-epochs", Input).value = str(MAX_EPOCHS)
        await pilot.click("#train-start")
        await wait_until(pilot, lambda: len(app.training.state.history) >= 1)
        assert app.training.state.kind == "neural"
        chart = screen.query_one("#loss-chart", LossChart)
        # its curve advances on the chart, beside matrix factorisation's saved one
        await wait_until(pilot, lambda: dict(chart.curves).get("neural", 0) >= 1)
        first = dict(chart.curves)["neural"]
        await wait_until(pilot, lambda: dict(chart.curves).get("neural", 0) > first)
        assert app.training.running
        await pilot.press("x")  # Stop keeps the epochs learned so far
        await wait_until(pilot, lambda: not app.training.running)
        result = app.training.state.result
        assert app.training.state.error is None and result is not None and result.cancelled
        assert result.model_info is not None and result.model_info.kind == "neural"
        assert result.model_info.hyper.factors == 8
        await wait_until(
            pilot, lambda: dict(chart.curves).get("neural") == len(result.model_info.history)
        )
        curves = dict(chart.curves)
        assert curves["MF"] == len(service.model_info().history) > 0
        assert curves["neural"] == len(result.model_info.history)
        assert "Neural epoch" in line(app, "#progress-line")
        assert f"Neural #{result.model_info.model_id}" in line(app, "#neural-line")
        assert service.star_model() == "mf"  # trained, not yet predicting

        before = service.recommendations(5)
        await pilot.press("s")  # the tab is on the neural model: it predicts the stars now
        await pilot.pause()
        assert service.star_model() == "neural"
        assert line(app, "#neural-line").startswith("★ Neural #")
        assert "★" not in line(app, "#model-line")
        after = service.recommendations(5)
        assert [r.predicted for r in after] != [r.predicted for r in before]

        await pilot.press("c")  # back to matrix factorisation, and let it predict again
        await pilot.pause()
        assert "matrix factorisation" in str(screen.query_one("#train-kind", Button).label)
        assert not screen.query_one("#hp-reg", Input).disabled
        await pilot.press("b", "s")  # s acts on the Training tab only
        await pilot.pause()
        assert service.star_model() == "neural"
        await pilot.press("g")
        await pilot.pause()
        await pilot.click("#train-use")
        await pilot.pause()
        assert service.star_model() == "mf"
        assert line(app, "#model-line").startswith("★ Model #")
        assert "★" not in line(app, "#neural-line")
