"""Write a small file so that a crash leaves either the old version or the new one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomically(target: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``target`` (mode 0600), fsync it, rename it
    over ``target`` and fsync the folder. On any error the temporary file is removed and
    ``target`` is untouched."""
    write_bytes_atomically(target, text.encode("utf-8"))


def write_bytes_atomically(target: Path, data: bytes, *, durable: bool = True) -> None:
    """``data`` into a temporary file beside ``target`` (mode 0600), renamed over it: a reader
    never sees half a file. ``durable``: fsynced before the rename and the folder after it
    (a cache made again when lost passes ``False``). On any error the temporary file is
    removed and ``target`` is untouched."""
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                     suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_directory(target.parent)


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX); a no-op where folders cannot be opened."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
