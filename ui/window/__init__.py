"""The main window: its tabs, menus and status bar, the welcome page, drops of product pages."""

from ui.window.main_window import MainWindow

__all__ = ["MainWindow"]
