"""The main window: its tabs, menus and status bar, the welcome page, drops of product pages."""
