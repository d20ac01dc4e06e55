"""Where Creatify Studio keeps its files: settings, the job ledger, caches and logs.

Two layouts:

* **Per user** (the default): the platform's own places, through ``platformdirs``
  (``~/.config/creatify-studio``, ``~/.local/share/creatify-studio``, … on Linux;
  ``~/Library/…`` on macOS; ``%LOCALAPPDATA%`` on Windows), as
  :func:`app.platform.user_folders` lays them out.
* **One directory** (``--data-dir DIR``: portable use and tests): everything under ``DIR`` —
  ``DIR/config``, ``DIR/data``, ``DIR/cache``, ``DIR/logs`` and, for finished videos,
  ``DIR/output``.

Nothing here touches the disk until :meth:`AppPaths.ensure` is called.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from app.platform import user_folders

APP_NAME = "creatify-studio"
OUTPUT_FOLDER = "Creatify Studio"
_PRIVATE_DIR_MODE = 0o700


@dataclass(frozen=True)
class AppPaths:
    """The app's four directories and the well-known files inside them.

    ``root`` is the ``--data-dir`` directory when one was given, else None.
    """

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path
    root: Path | None = None

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def ledger_file(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "creatify-studio.log"

    @property
    def default_output_dir(self) -> Path:
        """Where finished videos go unless the user chose a folder.

        ``DIR/output`` with ``--data-dir DIR``; otherwise the user's Videos folder (the XDG
        videos dir on Linux, ``~/Movies`` on macOS, the Videos known folder on Windows) plus
        ``Creatify Studio``. Not created by :meth:`ensure`: the download code creates it when
        the first video arrives.
        """
        if self.root is not None:
            return self.root / "output"
        return user_folders(APP_NAME).videos / OUTPUT_FOLDER

    def ensure(self) -> AppPaths:
        """Create the four directories (like ``mkdir -p``) and return ``self``.

        New directories are made private to the user (mode 0o700) where the OS has such
        modes; existing ones keep their permissions.
        """
        for directory in (self.config_dir, self.data_dir, self.cache_dir, self.log_dir):
            directory.mkdir(mode=_PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        return self


def app_paths(data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
    """The app's paths: all under ``data_dir`` when given, else the platform's per-user ones.

    ``data_dir`` may start with ``~``; it is made absolute so a later change of the working
    directory does not move anything. An empty string is refused (``ValueError``): it would
    silently mean "the current directory".
    """
    if data_dir is not None:
        if not os.fspath(data_dir).strip():
            raise ValueError("The data directory must not be empty.")
        root = Path(data_dir).expanduser()
        with contextlib.suppress(OSError):
            root = root.resolve()
        root = root.absolute()
        return AppPaths(
            config_dir=root / "config",
            data_dir=root / "data",
            cache_dir=root / "cache",
            log_dir=root / "logs",
            root=root,
        )
    folders = user_folders(APP_NAME)
    return AppPaths(config_dir=folders.config, data_dir=folders.data, cache_dir=folders.cache,
                    log_dir=folders.log)


__all__ = ["APP_NAME", "OUTPUT_FOLDER", "AppPaths", "app_paths"]
