"""Child process of the start-up benchmark: start a window, print the wall-clock time of its
first paint, close it. ``app`` runs the real Creatify Studio entry point; ``bare`` a plain
PySide6 QMainWindow (the baseline)."""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class FirstPaint(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.done and event.type() == QEvent.Type.Paint and isinstance(watched,
                                                                             QMainWindow):
            self.done = True
            print(f"first-paint {time.time():.6f}", flush=True)
            QTimer.singleShot(0, watched.close)
        return False


def main(kind: str, data_dir: str) -> int:
    app = QApplication(sys.argv[:1])
    probe = FirstPaint()
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
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""))
