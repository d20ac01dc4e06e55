"""The library of results (issue 17): a grid of finished outputs with posters, filter and
search, the creator's names and tags, preview, open, reveal, two compared side by side and
the settings that made each. Loaded on first use (View → Library…).

``window`` puts it together, ``model`` and ``delegate`` are the grid, ``posters`` and
``frames`` load the poster frames, ``details`` is the side panel, ``compare`` the two players.
"""

from ui.library.compare import CompareDialog
from ui.library.model import LibraryModel
from ui.library.window import LibraryWindow

__all__ = ["CompareDialog", "LibraryModel", "LibraryWindow"]
