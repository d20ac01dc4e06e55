"""AI Ad Templates and Image Ads in the real window against the simulator over loopback HTTP.

The template browser shows every template the simulator serves as a card (preview image,
name, generation type, categories, credit cost), narrows them by search and category, plays
a preview video in the app's player, and builds the chosen template's inputs; offline it shows
the saved list with its date. An AI Ad Template job and an Image Ad job each run from the
form to the end: confirmed at the estimate, charged exactly that by the simulator, every
result downloaded and previewed (an Image Ad's several sizes side by side, "4 images" in the
Jobs panel).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPushButton

from app.api._values import decimal_or_none
from app.jobs.ledger import DownloadState, JobRecord, JobState
from app.pricing.money import credits_text
from app.sandbox import Sandbox
from tests.gui.conftest import idle, until
from tests.gui.test_window import (  # noqa: F401
    Studio,
    confirmation,
    connect_to,
    studio,
)
from ui.forms.pickers import InspirationPicker
from ui.forms.pickers.inspirations import (
    ALL_CATEGORIES,
    categories_of,
    tag_name,
    template_cards,
)
from ui.generator.tab import GeneratorTab
from ui.jobs.model import COL_OUTPUT
from ui.jobs.preview import PreviewDialog
from ui.jobs.results import saved_paths


async def templates_of(studio: Studio) -> list[dict[str, Any]]:  # noqa: F811
    client = studio.service.session.client
    assert client is not None
    return await client.inspirations()


def picker_of(tab: GeneratorTab) -> InspirationPicker:
    picker = tab.form.editors["inspiration_id"]
    assert isinstance(picker, InspirationPicker)
    return picker


def value_for(name: str, prop: Mapping[str, Any], image_url: str) -> Any:
    """A valid value for one schema property (the simulator's template inputs)."""
    if "default" in prop and prop["default"] is not None:
        return prop["default"]
    if prop.get("enum"):
        return prop["enum"][0]
    kind = prop.get("type")
    if kind == "integer":
        return int(prop.get("minimum", 1))
    if kind == "number":
        return float(prop.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "array":
        return [image_url]
    url_like = prop.get("format") == "uri" or any(
        word in name for word in ("url", "image", "logo", "photo"))
    return image_url if url_like else "A bright ceramic mug"


def template_inputs(template: Mapping[str, Any], image_url: str) -> dict[str, Any]:
    schema = template.get("input_params_schema") or {}
    props = schema.get("properties") or {}
    return {name: value_for(name, prop, image_url) for name, prop in props.items()}


async def send_from(tab: GeneratorTab, studio: Studio,  # noqa: F811
                    simulator: Sandbox, expect: str) -> JobRecord:
    """Generate → the cost box naming ``expect`` → Send: one paid request; the job at its end,
    its results downloaded."""
    creates = len(simulator.create_log)
    tab.submit_button.click()
    await until(lambda: confirmation(studio.window) is not None, timeout=10)
    box = confirmation(studio.window)
    assert box is not None and expect in box.informativeText(), box.informativeText()
    await asyncio.sleep(0.02)
    assert len(simulator.create_log) == creates, "a paid request left before Send"
    button = box.findChild(QPushButton, "confirm_send")
    assert button is not None
    button.click()
    await until(lambda: len(simulator.create_log) == creates + 1, timeout=10)

    def ended() -> bool:
        job = tab.last_job
        return job is not None and job.state.is_terminal and (
            not job.result_urls or job.download_state in (DownloadState.DONE,
                                                          DownloadState.FAILED))
    await until(ended, timeout=30, message=f"the job never ended: {tab.status.text()}")
    job = tab.last_job
    assert job is not None and job.state is JobState.DONE, (job and job.state, tab.status.text())
    return job


async def test_the_browser_shows_filters_previews_and_builds_the_inputs(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    await connect_to(studio, simulator)
    templates = await templates_of(studio)
    assert len(templates) >= 3
    tab = studio.window.show_generator("ai_ad_template")
    picker = picker_of(tab)
    await until(lambda: len(picker.cards) == len(templates), timeout=10,
                message=f"cards: {len(picker.cards)}; {picker.status.text()}")

    # Each card: name, generation type, categories and credit cost, in the catalogue's order.
    for row, template in enumerate(templates):
        text = picker.list.item(row).text()
        assert template["name"] in text
        assert template["gen_type"].replace("_", " ") in text
        cost = decimal_or_none(template["credit_cost"])
        assert cost is not None and credits_text(cost) in text
        for category in template["categories"]:
            assert tag_name(category) in text
    # The preview images arrive lazily through the service and stay cached.
    with_images = [r for r, t in enumerate(templates) if t.get("preview_image")]
    assert with_images
    await until(lambda: all(not picker.list.item(r).icon().isNull() for r in with_images),
                timeout=10, message="the card images never arrived")

    # Search (all words, any case) and the category filter.
    first = templates[0]
    picker.search.setText(first["name"].upper())
    shown = picker.visible_cards()
    assert first["id"] in {c.id for c in shown}
    assert all(first["name"].casefold() in c.name.casefold() for c in shown)
    picker.search.setText("no template is called this")
    assert picker.visible_cards() == [] and picker.empty.isVisibleTo(picker)
    picker.search.clear()
    assert len(picker.visible_cards()) == len(templates)
    categories = [picker.category.itemText(i) for i in range(picker.category.count())]
    assert categories[0] == ALL_CATEGORIES
    category = categories[1]
    picker.category.setCurrentIndex(1)
    expected = {t["id"] for t in templates
                if category in (tag_name(c) for c in t["categories"])}
    assert {c.id for c in picker.visible_cards()} == expected and expected
    picker.category.setCurrentIndex(0)

    # Choosing a card sets the id, shows the template and builds its inputs.
    chosen = next(t for t in templates if t.get("preview_video"))
    row = next(r for r, t in enumerate(templates) if t["id"] == chosen["id"])
    picker.list.setCurrentRow(row)
    assert tab.values()["inspiration_id"] == chosen["id"]
    assert picker.chosen.isVisibleTo(picker)
    assert chosen["name"] in picker.chosen_text.text()
    params = tab.form.editors["input_params"]
    wanted = set(chosen["input_params_schema"]["properties"])
    await until(lambda: set(getattr(params, "inputs", {})) == wanted, timeout=10,
                message=f"inputs {set(getattr(params, 'inputs', {}))}, wanted {wanted}")
    cost = decimal_or_none(chosen["credit_cost"])
    assert cost is not None
    await until(lambda: tab.estimator.credits.text() == credits_text(cost))

    # Its preview video plays in the app's player.
    dialog = picker.play_preview()
    assert isinstance(dialog, PreviewDialog) and dialog.kind == "video"
    assert not dialog.save_button.isEnabled()  # a web address: opened, not saved
    await until(lambda: dialog.duration_ms > 0 or bool(dialog.problem), timeout=15)
    assert dialog.duration_ms > 0, dialog.problem
    dialog.close()
    await idle()


async def test_offline_the_saved_list_shows_with_its_date(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    await connect_to(studio, simulator)
    templates = await templates_of(studio)
    tab = studio.window.show_generator("ai_ad_template")
    picker = picker_of(tab)
    await until(lambda: len(picker.cards) == len(templates), timeout=10)
    await until(lambda: picker.date.isVisibleTo(picker))
    assert f"{len(templates)} templates" in picker.date.text()
    assert "offline" not in picker.date.text() and picker.refresh_button.isEnabled()
    await idle()
    await studio.service.drop_connection()
    await until(lambda: "offline" in picker.date.text(), timeout=5)
    assert not picker.refresh_button.isEnabled()
    assert len(picker.cards) == len(templates)  # the list stays
    # A new browser (the window reopened without a connection) shows the saved list at once.
    fresh = InspirationPicker(picker.field, studio.service)
    fresh.ensure_loaded()
    await until(lambda: len(fresh.cards) == len(templates), timeout=5,
                message=fresh.status.text())
    assert "offline" in fresh.date.text() and fresh.date.text().startswith(
        f"{len(templates)} templates, list of ")
    fresh.deleteLater()


async def test_a_template_job_runs_to_the_end_charged_its_credit_cost(
        studio: Studio, simulator: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    inputs = await connect_to(studio, simulator)
    templates = await templates_of(studio)
    template = templates[-1]
    cost = decimal_or_none(template["credit_cost"])
    assert cost is not None and cost > 0
    tab = studio.window.show_generator("ai_ad_template")
    picker = picker_of(tab)
    await until(lambda: len(picker.cards) == len(templates), timeout=10)
    picker.choose(template["id"])
    params = tab.form.editors["input_params"]
    wanted = set(template["input_params_schema"]["properties"])
    await until(lambda: set(getattr(params, "inputs", {})) == wanted, timeout=10)
    params.set_value(template_inputs(template, inputs.image_url))
    await until(lambda: tab.submit_button.isEnabled(), timeout=10,
                message=f"Generate stays disabled: {tab.errors()}")
    assert tab.estimator.credits.text() == credits_text(cost)

    balance = simulator.balance
    job = await send_from(tab, studio, simulator, f"Estimated cost: {credits_text(cost)}")
    body = simulator.create_log[-1].body
    assert simulator.create_log[-1].path.rstrip("/").endswith("/inspiration_jobs")
    assert body["inspiration_id"] == template["id"]
    assert set(body["input_params"]) <= wanted
    await until(lambda: simulator.balance == balance - cost, timeout=10,
                message=f"charged {balance - simulator.balance}, quoted {cost}")
    assert job.estimate == cost
    assert job.result_urls and job.download_state is DownloadState.DONE
    for path in saved_paths(job):
        assert path and Path(path).is_file() and Path(path).stat().st_size > 0
    dialog = studio.window.preview(job)
    assert len(dialog.sources) == len(job.result_urls)
    assert all(source.isLocalFile() for source in dialog.sources)
    dialog.close()
    await idle()


async def test_an_image_ad_runs_to_the_end_and_shows_every_size(
        studio: Studio, simulator: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    inputs = await connect_to(studio, simulator)
    tab = studio.window.show_generator("image_ad")
    tab.form.set_values({"image": inputs.image_url})
    await until(lambda: tab.submit_button.isEnabled(), timeout=10,
                message=f"Generate stays disabled: {tab.errors()}")
    quote = tab.current_quote
    assert quote is not None and quote.credits == Decimal(2)
    assert tab.estimator.credits.text() == "2 credits"
    balance = simulator.balance
    job = await send_from(tab, studio, simulator, "Estimated cost: 2 credits")
    assert simulator.create_log[-1].path.rstrip("/").endswith("/iab_images")
    await until(lambda: simulator.balance == balance - 2, timeout=10,
                message=f"charged {balance - simulator.balance}, quoted 2")
    [wire] = [j for j in simulator.jobs("iab_images") if j["id"] == job.server_id]
    outputs = wire["output"]
    assert len(outputs) >= 2 and len(job.result_urls) == len(outputs)

    # Every image downloaded, each its own file; the tab's line says how many were saved.
    await until(lambda: "images saved in" in tab.status.text(), timeout=5,
                message=tab.status.text())
    assert f"{len(outputs)} images saved in " in tab.status.text()
    paths = saved_paths(job)
    assert all(paths) and len(set(paths)) == len(outputs), paths
    sizes = []
    for path in paths:
        assert path is not None
        pixmap = QPixmap(path)
        assert not pixmap.isNull(), path
        sizes.append(f"{pixmap.width()}×{pixmap.height()}")

    # The Jobs panel says how many; the preview shows them side by side with their sizes.
    panel = studio.window.queue
    row = panel.model.row_of(job.key)
    assert row is not None
    assert panel.model.index(row, COL_OUTPUT).data() == f"{len(outputs)} images"
    panel.select(job.key)
    assert f"{len(outputs)} images" in panel.detail.text()
    labels = {label for _name, label, _h, _on in panel.actions_for(job)}
    assert f"Preview the {len(outputs)} images" in labels
    dialog = studio.window.preview(job)
    assert dialog.strip.count() == len(outputs) and dialog.strip.isVisibleTo(dialog)
    assert dialog.sizes() == sizes
    for index, size in enumerate(sizes):
        assert dialog.strip.item(index).text() == f"{index + 1} · {size}"
    dialog.strip.setCurrentRow(len(outputs) - 1)
    assert dialog.current == len(outputs) - 1
    assert dialog.image.pixmap().size() == QPixmap(paths[-1] or "").size()
    target = tmp_path / "saved.png"
    chooser = dialog.save_as()  # Save as…: the path typed as a user would
    assert chooser is not None
    name = chooser.findChild(QLineEdit, "fileNameEdit")
    assert name is not None
    name.setText(str(target))
    chooser.accept()
    await until(lambda: dialog.saving is not None and dialog.saving.done())
    assert dialog.saving is not None and dialog.saving.result() is True
    assert f"saved as {target}" in dialog.caption.text()
    assert target.read_bytes() == Path(paths[-1] or "").read_bytes()
    assert dialog.source == QUrl.fromLocalFile(paths[-1] or "")
    dialog.close()
    boxes = [w for w in studio.window.findChildren(QMessageBox) if w.isVisible()]
    assert not boxes
    await idle()


def test_cards_read_every_shape_the_docs_allow() -> None:
    """Tags are objects of unnamed keys (or plain strings); a cost may come as a string; an
    entry without an id cannot be chosen and is left out; a cost that is no price is not
    shown as one."""
    cards = template_cards([
        {"id": "a", "name": "Spin", "gen_type": "image_to_video", "credit_cost": "12",
         "categories": [{"name": "E-commerce"}, {"slug": "social_ads"}, "Retail", {"x": 1}],
         "labels": [{"title": "New"}], "preview_image": None},
        {"name": "no id", "credit_cost": 3},
        {"id": 7, "credit_cost": -1, "categories": None},
        "not a template",
    ])
    assert [c.id for c in cards] == ["a", "7"]
    spin, unnamed = cards
    assert spin.categories == ("E-commerce", "social ads", "Retail")
    assert spin.labels == ("New",) and spin.credit_cost == Decimal(12)
    assert spin.text.split("\n") == ["Spin", "image to video · 12 credits",
                                     "E-commerce, social ads, Retail"]
    assert spin.matches(["spin", "retail"], None) and spin.matches(["new"], "Retail")
    assert not spin.matches(["spin"], "Brand") and not spin.matches(["mug"], None)
    assert unnamed.name == "Untitled template" and unnamed.credit_cost is None
    assert unnamed.cost_text == "price not given"
    assert categories_of(cards) == ["E-commerce", "Retail", "social ads"]
