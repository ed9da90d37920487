"""Shared fixtures: a bare RunEngine, the default profile, a fresh beamline, a session."""

from __future__ import annotations

import logging

import pytest
from bluesky import RunEngine

logging.getLogger("tiled").setLevel(logging.WARNING)


@pytest.fixture
def RE():
    """A RunEngine with no subscriptions (documents collected by the test)."""
    return RunEngine({})


@pytest.fixture(scope="session")
def profile():
    """The default profile."""
    from axsuite.session.profile import load_profile

    return load_profile("default")


@pytest.fixture
def beamline(profile):
    """A freshly built simulated beamline with the profile's seed."""
    from axsuite.devices import make_beamline

    return make_beamline(profile)


@pytest.fixture
def session(tmp_path):
    """A full session on an embedded catalog in a temporary directory (silent)."""
    from axsuite.session.session import build_session

    lines: list[str] = []
    s = build_session(
        "default",
        data_dir=tmp_path / "data",
        echo=lines.append,
        safe_callbacks=False,
        progress=False,
    )
    s.echo_lines = lines
    yield s
    s.close()


class MessageRecorder:
    """Iterate a plan like a RunEngine would, recording every message."""

    def __init__(self):
        self.msgs = []

    def run(self, plan):
        try:
            msg = next(plan)
            while True:
                self.msgs.append(msg)
                msg = plan.send(None)
        except StopIteration:
            pass


@pytest.fixture
def message_recorder():
    """A MessageRecorder: ``.run(plan)`` then ``.msgs`` (for validation-before-motion tests)."""
    return MessageRecorder()


class DocCollector:
    """Records (name, doc) pairs; ``docs("event")`` filters by name."""

    def __init__(self):
        self.items: list[tuple[str, dict]] = []

    def __call__(self, name, doc):
        self.items.append((name, doc))

    def docs(self, name):
        return [d for n, d in self.items if n == name]


@pytest.fixture
def collector():
    """A document collector."""
    return DocCollector()
