"""Shared set-up for the GUI tests: offscreen Qt and async tests run on a qasync loop.

pytest-asyncio (auto mode) runs every ``async def`` test; the ``pytest_asyncio_loop_factories``
hook below makes it build each test's loop as a :class:`qasync.QEventLoop` on the one
``QApplication`` (the same object pytest-qt's ``qapp`` fixture returns), so Qt signals and
asyncio tasks share one loop exactly as in the app.

Inside an async test never call ``qtbot.wait*`` (it nests a second loop and other tasks'
wake-ups are lost) and never ``loop.stop()``: await :func:`until` or ``asyncio.sleep`` instead.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from app.sandbox import Sandbox
from app.session import Session


@pytest.fixture(scope="session")
def qapp_cls() -> type[QApplication]:
    return QApplication


@pytest.fixture(scope="module")
def simulator() -> Iterator[Sandbox]:
    """The test module's own simulator (its balance moves only with that module's jobs), every
    docs quirk on; a module that needs other settings defines its own."""
    with Sandbox(speed=1000, balance=100_000) as server:
        yield server


CHILD_SANDBOX_MODULES = frozenset({"test_developer_menu", "test_startup"})
"""Test modules whose windows run the sandbox as the app does, in a child process. The others
keep it in this process (``session.sandbox``), where they read its request and create logs
and switch its faults directly."""


@pytest.fixture(autouse=True)
def _sandbox_in_process(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every session a test makes serves the sandbox in process, but in
    :data:`CHILD_SANDBOX_MODULES`."""
    module = str(request.node.module.__name__).rsplit(".", 1)[-1]
    monkeypatch.setattr(Session, "sandbox_in_process", module not in CHILD_SANDBOX_MODULES)


@pytest.fixture(autouse=True)
def _qt_objects_die_in_the_main_thread(qapp: QApplication) -> Iterator[None]:
    """After each test, delete its widgets and collect its garbage here, in the main thread.

    pytest-qt closes registered widgets and calls ``deleteLater``; left alone, the Python
    wrappers of those widgets, and of qasync's per-loop timer object, may be freed by the
    cyclic garbage collector in whichever thread happens to allocate next (the simulator's
    server thread, an executor thread). A QObject destroyed in a foreign thread cannot stop
    its timers ("QObject::~QObject: Timers cannot be stopped from another thread") and a
    later timer event then crashes the process.
    """
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _application() -> QApplication:
    """The QApplication pytest-qt's ``qapp`` fixture will find (created here if first)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setQuitOnLastWindowClosed(False)
    assert isinstance(app, QApplication)
    return app


LOST_STEPS: list[str] = []
"""Task steps asyncio dropped because a nested Qt event loop ran them inside another task's
step (see :func:`outside_task`); each fails the test that caused it."""


def _report(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    if "Cannot enter into task" in str(context.get("exception", "")):
        LOST_STEPS.append(str(context["exception"])[:300])
    loop.default_exception_handler(context)


def _qasync_loop() -> asyncio.AbstractEventLoop:
    loop = qasync.QEventLoop(_application())
    loop.set_exception_handler(_report)
    return loop


@pytest.fixture(autouse=True)
def _no_task_step_lost() -> Iterator[None]:
    """A task whose step was dropped never finishes: say so where it happened, not as a
    hang or a "background tasks still running" later."""
    LOST_STEPS.clear()
    yield
    lost, LOST_STEPS[:] = list(LOST_STEPS), []
    assert not lost, f"a Qt call spun the event loop inside the test's task: {lost}"


async def outside_task(action: Callable[[], object]) -> None:
    """Run ``action`` from a plain event-loop callback, not inside the test's task.

    A Qt call that spins the event loop (``QTest.mouseMove`` processes events) runs qasync's
    timers inside it; called from a test coroutine, any other task's step due then is started
    while the test's task is the current one, and asyncio drops it ("Cannot enter into task
    … while another task … is being executed"): that task never finishes. The app itself
    never spins a nested loop inside a coroutine."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def run() -> None:
        try:
            action()
        except BaseException as exc:  # handed to the awaiting test
            done.set_exception(exc)
        else:
            done.set_result(None)
    loop.call_soon(run)
    await done


def pytest_asyncio_loop_factories(
        config: pytest.Config, item: pytest.Item) -> Mapping[str, Callable[[], object]]:
    """Every async test under tests/gui runs on a qasync loop bound to the QApplication."""
    return {"qasync": _qasync_loop}


async def until(predicate: Callable[[], object], timeout: float = 5.0,
                interval: float = 0.01, message: str = "") -> None:
    """Await until ``predicate()`` is true (the Qt loop keeps running); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(message or f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


LONG_LIVED = frozenset({"poll scheduler"})
"""Tasks that run for the whole connection (stopped by ``StudioService.aclose``)."""


async def idle(timeout: float = 5.0) -> None:
    """Await until no other asyncio task is pending (image downloads, credit refreshes ...).

    End a test with this when it started background work it did not wait for: qasync
    processes Qt events once more after each ``run_until_complete`` with no running loop,
    so a task still in flight when the test returns takes a step outside any loop and dies
    ("no running event loop"), leaving noise (or never-awaited coroutines) behind.
    """
    current = asyncio.current_task()

    def pending() -> list[str]:
        return [t.get_name() for t in asyncio.all_tasks()
                if t is not current and not t.done() and t.get_name() not in LONG_LIVED]
    try:
        await until(lambda: not pending(), timeout)
    except AssertionError:
        raise AssertionError(f"background tasks still running: {pending()}") from None


async def settle_then_close(service: Any) -> None:
    """Fixture teardown: let background work (thumbnails, credits) finish inside the loop, then
    close the service, which cancels whatever is still running (and says what that was)."""
    try:
        await idle(timeout=15)
    except AssertionError as exc:
        # Not a test failure (the test's own assertions have run); shown in the report.
        logging.getLogger("tests").warning("teardown cancelled %s", exc)
    await service.aclose()
