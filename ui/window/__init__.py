"""The main window: its sidebar and pages, menus and status bar, the welcome page, drops of
product pages."""

from ui.window.main_window import MainWindow

__all__ = ["MainWindow"]
