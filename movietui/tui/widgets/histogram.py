"""Your rating distribution as horizontal bars, labelled with numbers (not colour alone)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

STEPS = [x / 2 for x in range(10, 0, -1)]  # 5.0 .. 0.5


def histogram_text(counts: dict[float, int], width: int = 24) -> Text:
    total = sum(counts.values())
    peak = max(counts.values(), default=0) or 1
    text = Text()
    text.append(f"Your ratings: {total}\n", style="bold")
    if total:
        mean = sum(k * v for k, v in counts.items()) / total
        text.append(f"Mean {mean:.2f} stars\n\n")
    for step in STEPS:
        count = counts.get(step, 0)
        bar = "█" * round(width * count / peak) if count else ""
        text.append(f"{step:>3g} ")
        text.append(f"{bar:<{width}}", style="bold")
        text.append(f" {count}\n")
    return text


class RatingHistogram(Static):
    def show(self, counts: dict[float, int]) -> None:
        self.update(histogram_text(counts))
