"""Id pickers in the real window against the simulator: URL to Video's Link is picked from
your Links (``GET /api/links/``), Product Video's source from your finished product images;
an id can still be pasted."""

from __future__ import annotations

from app.jobs.ledger import JobRecord
from app.sandbox import Sandbox
from tests.gui.conftest import until
from tests.gui.test_presets_reuse import (  # noqa: F401
    Build,
    confirm_send,
    finished,
    ledger,
    studios,
)
from tests.gui.test_queue import listed
from tests.gui.test_window import connect_to
from ui.forms.pickers.ids import LinkPicker, ProductImagePicker, is_product_image


def rows(picker: LinkPicker | ProductImagePicker) -> list[tuple[str, str | None]]:
    model = picker.ids.model
    return [(model.item(r).text(), model.value_at(r)) for r in range(model.rowCount())]


async def test_a_link_is_picked_from_your_links(studios: Build,  # noqa: F811
                                                simulator: Sandbox) -> None:
    simulator.set_faults(fail_rate=0.0)
    st = studios()
    await connect_to(st, simulator)
    tab = st.window.show_generator("url_to_video")
    picker = tab.form.editors["link"]
    assert isinstance(picker, LinkPicker)
    await until(lambda: picker.loaded, timeout=10)
    reads = simulator.request_log.count(("GET", "/api/links/"))
    assert reads >= 1
    # A Link made in the window (the Links page) joins the list.
    links = st.window.show_generator("links")
    links.form.set_values({"url": "https://shop.example.com/products/teal-kettle"})
    await confirm_send(st, links)
    made = await finished(st, "links")
    assert made.server_id is not None
    link_id = made.server_id
    st.window.show_generator("url_to_video")
    await until(lambda: any(value == link_id for _label, value in rows(picker)),
                timeout=10, message=f"the Link is not listed: {rows(picker)}")
    assert simulator.request_log.count(("GET", "/api/links/")) > reads
    [label] = [text for text, value in rows(picker) if value == link_id]
    assert "shop.example.com" in label
    picker.ids.combo.setCurrentIndex(picker.ids.model.find(link_id))
    assert tab.values()["link"] == link_id
    assert tab.form.value_text("link") == link_id
    picker.ids.combo.setEditText("5b7c2a0e-8a51-4a1e-9d2b-1c3f4e5a6b7c")  # pasted
    assert tab.values()["link"] == "5b7c2a0e-8a51-4a1e-9d2b-1c3f4e5a6b7c"
    picker.set_value(link_id)
    assert picker.ids.combo.currentText() == label


async def test_product_video_starts_from_a_listed_product_image(
        studios: Build, simulator: Sandbox) -> None:  # noqa: F811
    simulator.set_faults(fail_rate=0.0)
    st = studios()
    inputs = await connect_to(st, simulator)
    video = st.window.show_generator("product_video")
    picker = video.form.editors["source_job"]
    assert isinstance(picker, ProductImagePicker)
    await until(lambda: not picker.status.isHidden())
    assert "No finished product image yet" in picker.status.label.text()
    image = st.window.show_generator("product_image")
    image.form.set_values({"product_url": inputs.image_url})
    await confirm_send(st, image)
    def done() -> list[JobRecord]:
        return [r for r in ledger(st) if is_product_image(r)]
    await until(lambda: bool(done()), timeout=20, message="no product image finished")
    listed(st)
    [record] = done()
    await until(lambda: any(value == record.server_id for _label, value in rows(picker)),
                timeout=10, message=f"not listed: {rows(picker)}")
    st.window.show_generator("product_video")
    picker.ids.combo.setCurrentIndex(picker.ids.model.find(str(record.server_id)))
    assert video.values()["source_job"] == record.server_id
    assert picker.status.isHidden()
