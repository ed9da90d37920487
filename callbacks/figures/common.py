"""Helpers shared by the figures: pyplot-free figures for files, autoscaling."""

from __future__ import annotations

from typing import Any


def file_figure(**kwargs: Any) -> Any:
    """A matplotlib ``Figure`` not managed by pyplot, for PNG files: saving plots never
    switches or touches the interactive backend of a live session."""
    from matplotlib.figure import Figure

    kwargs.setdefault("layout", "constrained")
    return Figure(**kwargs)


def autoscale(*axes: Any) -> None:
    """Rescale axes to the data their artists hold now."""
    for ax in axes:
        ax.relim()
        ax.autoscale_view()
