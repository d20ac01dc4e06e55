"""File → Update prices… and About's price files, in the real window.

A newer price file chosen in the file dialog is imported off the GUI thread and the open
estimate changes at once; the success is one line in the status bar; a malformed file is
refused in a message box with the reason and nothing changes (the estimate, the files in
force, the data folder); About lists every price file with its date and source.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit, QMessageBox

from app.paths import app_paths
from app.pricing import price_table
from app.pricing.table import DEFAULT_PATH
from app.pricing.updates import import_price_file, price_files, restore_bundled
from tests.gui.conftest import idle, until
from tests.gui.test_window import Studio, studio  # noqa: F401
from ui.dialogs.prices import PriceFileImport, about_prices_html
from ui.generator.tab import GeneratorTab

IMAGE = "https://shop.example.com/mug.png"


@pytest.fixture(autouse=True)
def _bundled_prices_after() -> Iterator[None]:
    """Prices are process-wide: every test leaves the bundled ones in force."""
    yield
    restore_bundled()


def image_ad_rate() -> Any:
    [entry] = [e for e in price_table().entries if e.rule == "image_ad"]
    return entry.rate


def general_table(tmp: Path, image_ad_rate: int) -> Path:
    """The bundled general table with the Image Ad's price changed."""
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    for entry in data["entries"]:
        if entry["rule"] == "image_ad":
            entry["rate"] = image_ad_rate
    path = tmp / "prices-new.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


async def image_ad_tab(studio: Studio) -> GeneratorTab:  # noqa: F811
    tab = studio.window.tab("image_ad")
    tab.form.set_values({"image": IMAGE})
    await until(lambda: tab.estimator.credits.text() == "2 credits", timeout=5,
                message=f"estimate {tab.estimator.credits.text()!r}")
    return tab


async def choose_in_dialog(studio: Studio, path: Path) -> PriceFileImport:  # noqa: F811
    """File → Update prices…, then the file's path typed in the (Qt) file dialog."""
    action = studio.window.findChild(type(studio.window.spending_action),
                                     "action_update_prices")
    assert action is not None and action.isEnabled()
    job = studio.window.update_prices()
    dialog = job.dialog
    assert dialog is not None
    await until(dialog.isVisible)
    name = dialog.findChild(QLineEdit, "fileNameEdit")  # typed, as a user would
    assert name is not None
    name.setText(str(path))
    assert dialog.selectedFiles() == [str(path)]
    dialog.accept()
    await until(lambda: job.task is not None and job.task.done(), timeout=10)
    return job


async def test_a_newer_price_file_changes_the_open_estimate_at_once(
        studio: Studio, tmp_path: Path) -> None:  # noqa: F811
    tab = await image_ad_tab(studio)
    assert image_ad_rate() == 2
    path = general_table(tmp_path, image_ad_rate=3)
    await choose_in_dialog(studio, path)
    # The estimate on screen follows at once (no edit needed), and the status bar says so.
    assert tab.estimator.credits.text() == "3 credits"
    assert image_ad_rate() == 3
    entries = len(json.loads(path.read_text(encoding="utf-8"))["entries"])
    as_of = json.loads(path.read_text(encoding="utf-8"))["as_of"]
    day = int(as_of[8:])
    message = studio.window.statusBar().currentMessage()
    assert message.startswith(f"Prices of {day} ") and message.endswith(
        f" imported: {entries} prices"), message
    # Kept in the data folder; About names it, with the bundled file it replaced.
    saved = studio.data_dir / "data" / "prices" / "prices.json"
    assert saved.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    studio.window.about()
    box = studio.window.findChild(QMessageBox, "about_box")
    assert box is not None
    text = box.text()
    assert "Creatify prices" in text and "imported" in text
    assert "replaced by an imported file" in text and "bundled with the app" in text
    assert "https://docs.creatify.ai/api-reference/billing" in text
    box.close()
    await idle()


async def test_a_malformed_price_file_is_refused_and_nothing_changes(
        studio: Studio, tmp_path: Path) -> None:  # noqa: F811
    tab = await image_ad_tab(studio)
    files_before = price_files()
    bad = tmp_path / "prices-broken.json"
    text = general_table(tmp_path, image_ad_rate=3).read_text(encoding="utf-8")
    bad.write_text(text[: len(text) // 2], encoding="utf-8")  # cut in half
    job = await choose_in_dialog(studio, bad)
    box = job.box
    assert box is not None and box.isVisible() and box.objectName() == "prices_refused"
    assert "prices-broken.json was not imported" in box.text()
    assert "not JSON" in box.informativeText()
    assert "keep the prices they had" in box.informativeText()
    assert tab.estimator.credits.text() == "2 credits" and image_ad_rate() == 2
    assert price_files() == files_before
    assert not (studio.data_dir / "data" / "prices").exists()

    # A well-formed file with a bad price is refused too, and says which.
    zero = general_table(tmp_path, image_ad_rate=0)
    job = await choose_in_dialog(studio, zero)
    assert job.box is not None and job.box.isVisible()
    assert "image_ad" in job.box.informativeText()
    assert tab.estimator.credits.text() == "2 credits" and image_ad_rate() == 2
    assert price_files() == files_before
    job.box.close()
    await idle()


async def test_an_asset_price_file_says_what_it_holds(studio: Studio,  # noqa: F811
                                                     tmp_path: Path) -> None:
    from app.pricing.assets import DEFAULT_ASSET_PATH

    data = json.loads(DEFAULT_ASSET_PATH.read_text(encoding="utf-8"))
    path = tmp_path / "asset-models-new.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    await choose_in_dialog(studio, path)
    day = int(data["checked"][8:])
    message = studio.window.statusBar().currentMessage()
    assert message.startswith(f"Asset prices of {day} ")
    assert message.endswith(f" imported: {len(data['models'])} models"), message
    html = about_prices_html()
    assert html.count("<li>") == 3  # both bundled files and the imported one
    assert "Asset Generator prices" in html and "imported" in html
    await idle()


async def test_the_model_pickers_price_hints_follow_an_imported_file(
        studio: Studio, tmp_path: Path) -> None:  # noqa: F811
    """The Asset Generator's model list shows the hints of the file in force at once."""
    from app.pricing.assets import DEFAULT_ASSET_PATH
    from ui.forms.pickers import AssetModelPicker

    await studio.service.use_sandbox()  # the app's own simulator serves the catalogue
    tab = studio.window.show_generator("asset_generator")
    [picker] = tab.findChildren(AssetModelPicker)

    def hint(name: str) -> str | None:
        for row in picker._rows():
            if row.text(1) == name:
                return row.text(3)
        return None

    await until(lambda: hint("nano-banana") is not None, timeout=10,
                message="the model list")
    assert hint("nano-banana") == "0.5 credits"
    data = json.loads(DEFAULT_ASSET_PATH.read_text(encoding="utf-8"))
    for model in data["models"]:
        if model["model_name"] == "nano-banana":
            model["price"] = {"kind": "flat", "credits": 0.75}
    path = tmp_path / "asset-models-new.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    await choose_in_dialog(studio, path)
    assert hint("nano-banana") == "0.75 credits"
    await idle()


async def test_an_imported_price_file_is_in_force_after_a_restart(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: Any) -> None:
    from tests.gui.test_startup import main_windows, run_app

    qapp.setQuitOnLastWindowClosed(False)
    data = tmp_path / "data"
    import_price_file(general_table(tmp_path, image_ad_rate=5), app_paths(data).data_dir)
    restore_bundled()  # the app quits: the bundled prices in force in this process again
    assert image_ad_rate() == 2
    task, _data = await run_app(tmp_path, monkeypatch, {})
    await until(lambda: bool(main_windows()) and main_windows()[0].ready, timeout=10)
    window = main_windows()[0]
    assert image_ad_rate() == 5
    tab = window.tab("image_ad")
    tab.form.set_values({"image": IMAGE})
    await until(lambda: tab.estimator.credits.text() == "5 credits", timeout=5,
                message=f"estimate {tab.estimator.credits.text()!r}")
    window.close()
    assert await asyncio.wait_for(task, 10) == 0
