"""Child process of the start-up benchmark: start a window, print the wall-clock time of its
first paint and of the moment it is ready for input, close it. ``app`` runs the real Creatify
Studio entry point; ``bare`` a plain PySide6 QMainWindow (the baseline: ready when painted).

The app's window is ready when it sets its ``startupReady`` property (``MainWindow.attach``:
the service, the sidebar and the last page built, the clicks made while loading answered).
With ``--modules``, the modules loaded at the first paint are printed too (one line,
comma-separated), for the test that keeps the first paint light.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QDynamicPropertyChangeEvent, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

READY_WAIT = 30.0
"""Seconds after the first paint the app's window is given to get ready."""


class StartupProbe(QObject):
    def __init__(self, ready_on_paint: bool, modules: bool) -> None:
        super().__init__()
        self.ready_on_paint = ready_on_paint
        self.modules = modules
        self.painted = False
        self.ready = False
        self.closing = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QMainWindow):
            return False
        if not self.painted and event.type() == QEvent.Type.Paint:
            self.painted = True
            print(f"first-paint {time.time():.6f}", flush=True)
            if self.modules:
                print("modules " + ",".join(sorted(sys.modules)), flush=True)
            if self.ready_on_paint:
                self._ready(watched)
            else:  # a window that never gets ready: closed, its "ready" line missing
                QTimer.singleShot(int(READY_WAIT * 1000), watched.close)
        elif (not self.ready and event.type() == QEvent.Type.DynamicPropertyChange
              and isinstance(event, QDynamicPropertyChangeEvent)
              and bytes(event.propertyName().data()) == b"startupReady"):
            self._ready(watched)
        if self.painted and self.ready and not self.closing:
            self.closing = True
            QTimer.singleShot(0, watched.close)
        return False

    def _ready(self, window: QMainWindow) -> None:
        self.ready = True
        print(f"ready {time.time():.6f}", flush=True)


def main(kind: str, data_dir: str, modules: bool = False) -> int:
    app = QApplication(sys.argv[:1])
    probe = StartupProbe(ready_on_paint=kind == "bare", modules=modules)
    app.installEventFilter(probe)
    if kind == "bare":
        window = QMainWindow()
        window.resize(1180, 760)
        window.show()
        app.lastWindowClosed.connect(app.quit)
        return app.exec()
    from ui.main import main as studio_main

    return studio_main(["--data-dir", data_dir])


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--modules"]
    sys.exit(main(arguments[0], arguments[1] if len(arguments) > 1 else "",
                  modules="--modules" in sys.argv[1:]))
