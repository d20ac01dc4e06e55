"""A batch of product URLs: the rows as a table and the sheet that prices and sends them."""

from ui.batch.model import BatchModel
from ui.batch.sheet import BatchSheet

__all__ = ["BatchModel", "BatchSheet"]
