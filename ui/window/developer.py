"""The Developer menu: the offline sandbox's address, speed and account, its fault switches and
docs quirks, and "Reset the sandbox…".

Shown only in sandbox mode. Everything goes through the service (which reads and changes the
simulator over its ``/_sandbox/*`` endpoints, whichever process serves it); what the sandbox
says is read again each time the menu opens. A failure is said in the status bar and in the
menu itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

from ui.service import Mode, SandboxControlError, SandboxState, StudioService, describe

Report = Callable[[str, int], None]
"""``report(message, milliseconds)``: the status bar's ``showMessage``."""


@dataclass(frozen=True)
class FaultSwitch:
    """One checkable fault: the simulator's knob, what it does, and its value when on."""

    knob: str
    label: str
    on: float | bool
    unit: str = ""  # after a rate's percentage ("of requests"); empty for seconds and switches


FAULT_SWITCHES: tuple[FaultSwitch, ...] = (
    FaultSwitch("fail_rate", "New jobs fail", 1 / 3, "of new jobs"),
    FaultSwitch("reject_rate", "New jobs are rejected", 1 / 3, "of new jobs"),
    FaultSwitch("error_rate", "Server errors (500, 502, 503)", 0.2, "of requests"),
    FaultSwitch("rate_limit_rate", "Too many requests (429)", 0.2, "of requests"),
    FaultSwitch("reset_rate", "Dropped connections", 0.1, "of requests"),
    FaultSwitch("malformed_rate", "Answers cut in half", 0.1, "of answers"),
    FaultSwitch("unknown_status_rate", "An undocumented job status", 0.2, "of job reads"),
    FaultSwitch("latency", "Slow answers", 2.0),
    FaultSwitch("insufficient_credits", "Out of credits", True),
)

QUIRK_LABELS: dict[str, str] = {
    "preview_pending": "A ready preview reads “pending”",
    "scripts_as_string": "AI Scripts: paragraphs as one text",
    "musics_paged": "The music list comes in pages",
    "asset_credits_string": "Asset Generator: credits used as text",
    "ads_clone_ignores_ids": "The Ad Clone list ignores “ids”",
    "inspiration_strings": "AI Ad Template: inputs and results as JSON text",
}


def fault_text(switch: FaultSwitch, value: Any) -> str:
    """The switch's label with what it does: the current value when on, else the value it
    would take."""
    shown = value if value else switch.on
    if isinstance(switch.on, bool):
        return f"{switch.label} (every paid request refused)"
    if switch.knob == "latency":
        return f"{switch.label} ({float(shown):g} s each)"
    return f"{switch.label} ({float(shown) * 100:.0f} % {switch.unit})"


def _credits(value: Decimal) -> str:
    return f"{value.normalize():,f}"


class DeveloperMenu(QObject):
    """The Developer menu of ``window`` (before Help), for the sandbox the service uses."""

    def __init__(self, window: QMainWindow, service: StudioService, report: Report) -> None:
        super().__init__(window)
        self.window, self.service, self.report = window, service, report
        self.faults: dict[str, Any] = {}
        self.quirks: dict[str, bool] = {}
        self.state: SandboxState | None = None
        self.problem: str | None = None
        self.reading = False
        menu = self.menu = QMenu("&Developer", window)
        menu.setObjectName("menu_developer")
        menu.setToolTipsVisible(True)
        help_menu = window.findChild(QMenu, "menu_help")
        bar = window.menuBar()
        if help_menu is not None:
            bar.insertMenu(help_menu.menuAction(), menu)
        else:
            bar.addMenu(menu)
        self.address_action = self._action("action_sandbox_address", self.copy_address)
        self.address_action.setToolTip("Copy the sandbox's address, for curl or a script "
                                       "(its /_sandbox/faults and /_sandbox/quirks)")
        self.speed_action = self._action("action_sandbox_speed", enabled=False)
        self.account_action = self._action("action_sandbox_account", enabled=False)
        self.problem_action = self._action("action_sandbox_problem", enabled=False)
        menu.addSeparator()
        self._action("action_faults_heading", enabled=False).setText(
            "Faults to switch on (until the sandbox stops):")
        self.fault_actions: dict[str, QAction] = {}
        for switch in FAULT_SWITCHES:
            action = self._action(f"action_fault_{switch.knob}", checkable=True)
            action.triggered.connect(lambda checked, s=switch: self._switch_fault(s, checked))
            self.fault_actions[switch.knob] = action
        self.clear_action = self._action("action_clear_faults", self.clear_faults)
        self.clear_action.setText("Clear all faults")
        self.quirks_menu = menu.addMenu("Docs &quirks")
        self.quirks_menu.setObjectName("menu_sandbox_quirks")
        self.quirks_menu.menuAction().setObjectName("menu_sandbox_quirks_action")
        self.quirk_actions: dict[str, QAction] = {}
        self.quirks_on = self._action("action_quirks_all_on", lambda: self._all_quirks(True),
                                      menu=self.quirks_menu)
        self.quirks_on.setText("All on (the docs as written)")
        self.quirks_off = self._action("action_quirks_all_off",
                                       lambda: self._all_quirks(False), menu=self.quirks_menu)
        self.quirks_off.setText("All off (the plainer reading)")
        self.quirks_menu.addSeparator()
        menu.addSeparator()
        self.reset_action = self._action("action_reset_sandbox", self.confirm_reset)
        self.resetting = False
        menu.aboutToShow.connect(self.refresh)
        service.modeChanged.connect(self._mode_changed)
        self._mode_changed(service.mode)

    def _action(self, name: str, slot: Callable[[], object] | None = None, *,
                enabled: bool = True, checkable: bool = False,
                menu: QMenu | None = None) -> QAction:
        action = QAction(self.window)
        action.setObjectName(name)
        action.setEnabled(enabled)
        action.setCheckable(checkable)
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        (menu or self.menu).addAction(action)
        return action

    # ------------------------------------------------------------------ what it shows

    def _mode_changed(self, mode: str) -> None:
        """Shown in sandbox mode only (a live account has no such controls); what the
        sandbox says is read when the menu opens."""
        self.menu.menuAction().setVisible(mode == Mode.SANDBOX)
        self.state, self.faults, self.quirks, self.problem = None, {}, {}, None
        self._show()

    def _show(self) -> None:
        address = self.service.sandbox_address
        elsewhere = "" if self.service.sandbox_served_here else " (another Creatify Studio)"
        self.address_action.setText(f"Sandbox at {address}{elsewhere} — copy address"
                                    if address else "Not using the sandbox")
        self.address_action.setEnabled(address is not None)
        state = self.state
        if state is None:
            self.speed_action.setText("Speed: reading…" if self.problem is None
                                      else "Speed: unknown")
            self.account_action.setText("Account: reading…" if self.problem is None
                                        else "Account: unknown")
        else:
            seconds = 300 / state.speed
            takes = f"{seconds:.3g} s" if seconds < 90 else f"{seconds / 60:.3g} minutes"
            self.speed_action.setText(f"Speed: {state.speed:g}× Creatify (a 5-minute job "
                                      f"takes {takes})")
            jobs = state.job_count
            self.account_action.setText(f"Account: {_credits(state.balance)} credits, "
                                        f"{jobs} job{'s' if jobs != 1 else ''}")
        here = self.service.sandbox_served_here
        self.reset_action.setText("&Reset the sandbox…" if here or address is None else
                                  "Reset the sandbox (in the Creatify Studio that runs it)")
        self.reset_action.setEnabled(here and not self.resetting)
        self.problem_action.setVisible(self.problem is not None)
        self.problem_action.setText(f"⚠ {self.problem}" if self.problem else "")
        ready = self.problem is None and bool(self.faults)
        for switch in FAULT_SWITCHES:
            action = self.fault_actions[switch.knob]
            value = self.faults.get(switch.knob)
            action.setText(fault_text(switch, value))
            action.setChecked(bool(value))
            action.setEnabled(ready)
        self.clear_action.setEnabled(ready and any(
            self.faults.get(s.knob) for s in FAULT_SWITCHES))
        self._show_quirks()

    def _show_quirks(self) -> None:
        for name in self.quirks:
            if name not in self.quirk_actions:
                action = self._action(f"action_quirk_{name}", checkable=True,
                                      menu=self.quirks_menu)
                action.setText(QUIRK_LABELS.get(name, name))
                action.setToolTip(f"{name}: on follows the docs' awkward reading, off the "
                                  "plainer one")
                action.triggered.connect(lambda checked, n=name: self._switch_quirk(n, checked))
                self.quirk_actions[name] = action
        for name, action in self.quirk_actions.items():
            action.setChecked(self.quirks.get(name, False))
            action.setEnabled(self.problem is None and name in self.quirks)
        self.quirks_menu.setEnabled(bool(self.quirks))
        ready = self.problem is None and bool(self.quirks)
        self.quirks_on.setEnabled(ready and not all(self.quirks.values()))
        self.quirks_off.setEnabled(ready and any(self.quirks.values()))

    # ------------------------------------------------------------------ reading and changing

    def refresh(self) -> None:
        """Read the sandbox's state, faults and quirks again (the menu follows)."""
        if self.service.sandbox_address is None or self.reading:
            self._show()
            return
        self.reading = True
        self._show()
        self.service.tasks.spawn(self._read(), "read the sandbox's controls")

    async def _read(self) -> None:
        try:
            self.state, self.faults, self.quirks = await self.service.sandbox_status()
            self.problem = None
        except SandboxControlError as exc:
            self.state, self.faults, self.quirks = None, {}, {}  # nothing stale is shown
            self._failed(str(exc))
        finally:
            self.reading = False
        self._show()

    def _failed(self, message: str) -> None:
        self.problem = message
        self.report(f"Sandbox controls: {message}", 10000)

    def _change(self, faults: dict[str, Any] | None, quirks: dict[str, bool] | None,
                what: str) -> None:
        """Send fault or quirk changes; the menu shows what the sandbox answers."""
        async def run() -> None:
            try:
                if faults is not None:
                    self.faults = await self.service.set_sandbox_faults(**faults)
                if quirks is not None:
                    self.quirks = await self.service.set_sandbox_quirks(**quirks)
            except SandboxControlError as exc:
                self._failed(str(exc))
            else:
                self.problem = None
                self.report(what, 5000)
            self._show()
        self.service.tasks.spawn(run(), "change the sandbox's controls")

    def _switch_fault(self, switch: FaultSwitch, on: bool) -> None:
        value: Any = switch.on if on else (False if isinstance(switch.on, bool) else 0)
        self._change({switch.knob: value}, None,
                     f"Sandbox: {switch.label.lower()}: {'on' if on else 'off'}.")

    def clear_faults(self) -> None:
        off = {s.knob: (False if isinstance(s.on, bool) else 0) for s in FAULT_SWITCHES}
        self._change(off, None, "Sandbox: every fault switched off.")

    def _switch_quirk(self, name: str, on: bool) -> None:
        self._change(None, {name: on},
                     f"Sandbox: “{QUIRK_LABELS.get(name, name)}” {'on' if on else 'off'}.")

    def _all_quirks(self, on: bool) -> None:
        self._change(None, dict.fromkeys(self.quirks, on),
                     f"Sandbox: every docs quirk {'on' if on else 'off'}.")

    def copy_address(self) -> None:
        address = self.service.sandbox_address
        if address:
            QGuiApplication.clipboard().setText(address)
            self.report(f"Copied {address}", 5000)

    # ------------------------------------------------------------------ reset

    def confirm_reset(self) -> QMessageBox:
        """Ask first: the reset forgets the sandbox's jobs (nothing is billed anywhere)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Reset the sandbox",
                          "Reset the sandbox?", parent=self.window)
        box.setObjectName("confirm_reset_sandbox")
        box.setInformativeText(
            "It forgets its whole account — every job, running ones too, every link, avatar "
            "and voice — and starts again with its starting credits. Files already saved "
            "stay where they are. Nothing is billed.")
        reset = box.addButton("Reset", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def done(_result: int) -> None:
            if box.clickedButton() is reset:
                self.reset()
        box.finished.connect(done)
        box.open()
        return box

    def reset(self) -> None:
        self.resetting = True
        self._show()
        self.report("Resetting the sandbox…", 10000)

        async def run() -> None:
            try:
                await self.service.reset_sandbox()
            except RuntimeError as exc:
                self._failed(str(exc))
            except Exception as exc:
                self._failed(describe(exc))
            else:
                self.report("The sandbox starts afresh: no jobs, its starting credits.", 8000)
            finally:
                self.resetting = False
            self.refresh()
        self.service.tasks.spawn(run(), "reset the sandbox")

