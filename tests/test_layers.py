"""Layering rules (DESIGN §2): analysis/ imports no Bluesky stack; dependency direction
analysis ← devices ← plans, analysis ← callbacks, session on top; every module imports on
its own (no import cycles)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import axsuite.analysis
import axsuite.callbacks
import axsuite.devices
import axsuite.plans
import axsuite.session
import pytest

BLUESKY_STACK = {"bluesky", "ophyd", "tiled", "event_model", "databroker", "bluesky_tiled_plugins"}
FORBIDDEN = {
    "analysis": BLUESKY_STACK
    | {"axsuite.devices", "axsuite.plans", "axsuite.callbacks", "axsuite.session"},
    "devices": {"bluesky", "axsuite.plans", "axsuite.callbacks", "axsuite.session"},
    "plans": {"axsuite.callbacks", "axsuite.session"},
    "callbacks": {"axsuite.devices", "axsuite.plans", "axsuite.session"},
}
PACKAGES = {
    "analysis": axsuite.analysis,
    "devices": axsuite.devices,
    "plans": axsuite.plans,
    "callbacks": axsuite.callbacks,
    "session": axsuite.session,
}


def _modules(pkg) -> list[str]:
    names = [pkg.__name__]
    for info in pkgutil.walk_packages(pkg.__path__, prefix=pkg.__name__ + "."):
        names.append(info.name)
    return names


def _imports(module_name: str) -> set[str]:
    mod = importlib.import_module(module_name)
    tree = ast.parse(Path(mod.__file__).read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
    return out


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_follow_the_dependency_direction(layer):
    for name in _modules(PACKAGES[layer]):
        for imported in _imports(name):
            for bad in FORBIDDEN[layer]:
                assert not (imported == bad or imported.startswith(bad + ".")), (
                    f"{name} imports {imported}"
                )


#: Modules whose import is an action: the queueserver's startup module builds a session
#: (exercised by tests/test_queue_server.py).
IMPORT_IS_ACTION = {"axsuite.session.qserver_startup"}


def test_every_module_imports_on_its_own():
    names = [n for pkg in PACKAGES.values() for n in _modules(pkg) if n not in IMPORT_IS_ACTION]
    code = (
        "import importlib, sys\n"
        "for n in sys.argv[1:]:\n"
        "    for m in [k for k in sys.modules if k.startswith('axsuite')]:\n"
        "        del sys.modules[m]\n"
        "    importlib.import_module(n)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *names], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]


def test_nothing_reads_outside_the_repository():
    """A user's clone has nothing beside it (DESIGN §14): no source, test or benchmark may
    point at the team's hand-over folder or climb above the repository root."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    hand_over = "shared"  # the team's hand-over folder beside the checkout
    outside = (f"../{hand_over}", f"{hand_over}/data", *(f"parents[{k}]" for k in (2, 3)))
    offenders = []
    for folder in ("analysis", "callbacks", "devices", "plans", "session", "tests", "benchmarks"):
        for path in (root / folder).rglob("*.py"):
            if path.resolve() == Path(__file__).resolve():
                continue
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(root)}: {s}" for s in outside if s in text]
    assert not offenders, offenders
