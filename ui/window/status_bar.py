"""The window's status bar: the connection mode, the credits left and committed, a refresh,
and who follows the jobs when another Creatify Studio (the command line) does."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtWidgets import QLabel, QStatusBar, QToolButton

from ui.common.theme import WARNING, tone_hex


class StatusWidgets:
    """The permanent widgets of the status bar (the messages come and go beside them).

    Built with the window's frame, before the first paint: what it shows once connected (the
    mode's names, the credits' format) is loaded when first shown."""

    def __init__(self, bar: QStatusBar, refresh: Callable[[], object]) -> None:
        self.mode_badge = QLabel("")
        self.mode_badge.setObjectName("mode_badge")
        self.mode_badge.setAccessibleName("Connection mode")
        self.credits_label = QLabel("Credits: —")
        self.credits_label.setObjectName("credits_label")
        self.credits_label.setAccessibleName("Remaining credits")
        self.refresh_button = QToolButton()
        self.refresh_button.setText("⟳")
        self.refresh_button.setObjectName("refresh_credits")
        self.refresh_button.setAccessibleName("Refresh credits")
        self.refresh_button.setToolTip("Refresh the remaining credits (F5)")
        self.refresh_button.clicked.connect(refresh)
        self.follower_label = QLabel("")
        self.follower_label.setObjectName("follower_label")
        self.follower_label.setAccessibleName("Who follows the jobs")
        self.follower_label.setVisible(False)
        bar.addPermanentWidget(self.follower_label)
        bar.addPermanentWidget(self.mode_badge)
        bar.addPermanentWidget(self.credits_label)
        bar.addPermanentWidget(self.refresh_button)

    def show_mode(self, mode: str) -> None:
        from ui.service import Mode

        sandbox = mode == Mode.SANDBOX
        self.mode_badge.setText(" SANDBOX " if sandbox else (" LIVE " if mode == Mode.LIVE
                                                              else " offline "))
        self.mode_badge.setStyleSheet(
            "background: #f59e0b; color: black; font-weight: 700; border-radius: 3px;"
            if sandbox else "")
        if mode == Mode.NONE:
            self.credits_label.setText("Credits: —")
            self.show_follower(True, None)  # no jobs followed anywhere for this window

    def show_follower(self, follower: bool, who: str | None) -> None:
        """Nothing while this window polls the jobs; otherwise "Jobs followed by another
        Creatify Studio (command line)": the jobs still update, read from the shared ledger."""
        self.follower_label.setVisible(not follower)
        if follower:
            self.follower_label.setText("")
            return
        self.follower_label.setText("Jobs followed by another Creatify Studio"
                                    + (f" ({who})" if who else ""))
        self.follower_label.setToolTip(
            "Another Creatify Studio on this data folder polls Creatify for the jobs; this "
            "window shows their changes and takes over when it closes.")

    def show_credits(self, credits: Decimal | None, committed: Decimal,
                     low: Decimal | None) -> None:
        """"Credits: 480 remaining / 25 committed in flight", amber below the threshold."""
        from app.generators.quote import format_credits
        from app.jobs.budget import credits as credits_figure

        if credits is None:
            self.credits_label.setText("Credits: —")
            self.credits_label.setStyleSheet("")
            return
        self.credits_label.setText(f"Credits: {format_credits(credits)} remaining / "
                                   f"{credits_figure(committed)} committed in flight")
        below = low is not None and credits - committed < low
        self.credits_label.setStyleSheet(
            f"color: {tone_hex(WARNING)}; font-weight: 600;" if below else "")
        self.credits_label.setToolTip(
            f"Below your low-balance threshold of {format_credits(low)}: paid jobs that would "
            f"go lower are refused." if below and low is not None else
            "Remaining credits (read from Creatify) and the estimates of jobs still running.")

    def credits_unknown(self) -> None:
        self.credits_label.setText("Credits: ?")
