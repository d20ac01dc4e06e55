"""A priced batch sheet stays still: showing the dry run's figures in the rows does not price
the batch again (it did, every 150 ms, for as long as the sheet was open — a thousand rows
priced six times a second while the window had other work to do); an edit still does."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.gui.conftest import idle, until
from ui.batch.adding import with_pasted
from ui.batch.model import COL_CREDITS
from ui.batch.sheet import BatchSheet
from ui.service import StudioService


@pytest.fixture
def service(tmp_path: Path, qapp: Any) -> Iterator[StudioService]:
    made = StudioService(tmp_path / "out", data_dir=tmp_path / "data")
    yield made
    made.deleteLater()


async def test_a_priced_sheet_is_not_priced_again_until_something_changes(
        service: StudioService, qtbot: Any) -> None:
    rows, found = with_pasted([], "\n".join(f"https://shop.example.com/products/item-{i}"
                                            for i in range(300)))
    assert found == 300
    sheet = BatchSheet(service, "url_to_video", rows)
    qtbot.addWidget(sheet)
    sheet.show()
    await until(sheet.isVisible)
    assert sheet.dry is not None and sheet.dry.sendable == 300
    priced = sheet.dry
    repaints: list[object] = []
    sheet.model.dataChanged.connect(lambda *args: repaints.append(args))
    await asyncio.sleep(0.6)  # four times the sheet's reprice delay
    assert repaints == [] and sheet.dry is priced, "the batch was priced again on its own"

    # A change of a shared setting prices it again, once.
    sheet.concurrency.setValue(sheet.concurrency.value() + 1)
    assert sheet.dry is not priced and len(repaints) == 1
    top, bottom = repaints[0][0], repaints[0][1]  # type: ignore[index]
    assert (top.row(), bottom.row()) == (0, 299) and bottom.column() == COL_CREDITS
    await asyncio.sleep(0.6)
    assert len(repaints) == 1
    sheet.close()
    await idle()
