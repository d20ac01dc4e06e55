"""What the spec needs besides the code, made at build time from files the repository has.

- The platform icons from the one source image, ``resources/icons/creatify-studio.png``:
  ``.ico`` (16–256 px) for the Windows executable and ``.icns`` for the macOS bundle, written
  by Pillow (its ICO and ICNS writers work on every platform). Nothing generated is committed,
  so the PNG stays the only icon in the repository.
- The Windows version resource, as the text PyInstaller's ``version=`` file takes, from the
  version in the installed package's metadata.

``creatify-studio.spec`` imports this module; ``tests/core/test_workflow.py`` runs it.
"""

from __future__ import annotations

import re
from pathlib import Path

APP_TITLE = "Creatify Studio"
EXE_NAME = "creatify-studio"
BUNDLE_ID = "io.github.creatify-studio"
"""The macOS bundle identifier (reverse DNS; the Keychain and notification settings are kept
under it, so it never changes between releases)."""
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def make_icons(source: Path, out_dir: Path) -> tuple[Path, Path]:
    """Write ``creatify-studio.ico`` and ``creatify-studio.icns`` from ``source`` into
    ``out_dir``; returns their paths."""
    from PIL import Image  # the bundle extra installs Pillow; the app never needs it

    out_dir.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        rgba = image.convert("RGBA")
    ico = out_dir / f"{EXE_NAME}.ico"
    icns = out_dir / f"{EXE_NAME}.icns"
    rgba.save(ico, format="ICO", sizes=ICO_SIZES)
    rgba.save(icns, format="ICNS")
    return ico, icns


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """The four numbers Windows keeps (``0.1.0`` → ``(0, 1, 0, 0)``; a ``.devN``, ``rcN``
    or local part is left out: the text version carries it)."""
    release = re.match(r"\d+(?:\.\d+)*", version)
    if release is None:
        raise ValueError(f"not a release version: {version!r}")
    numbers = [int(part) for part in release[0].split(".")][:4]
    numbers += [0] * (4 - len(numbers))
    return numbers[0], numbers[1], numbers[2], numbers[3]


def version_file_text(version: str) -> str:
    """PyInstaller's version-resource text (the format ``pyi-grab_version`` writes) for
    ``version``: file and product version, names, and the US-English/Unicode translation."""
    numbers = numeric_version(version)
    strings = {
        "CompanyName": APP_TITLE,
        "FileDescription": f"{APP_TITLE}: a desktop studio for the Creatify video API",
        "FileVersion": version,
        "InternalName": EXE_NAME,
        "LegalCopyright": f"© {APP_TITLE} contributors",
        "OriginalFilename": f"{EXE_NAME}.exe",
        "ProductName": APP_TITLE,
        "ProductVersion": version,
    }
    table = ",\n          ".join(f"StringStruct({key!r}, {value!r})"
                                 for key, value in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers!r},
    prodvers={numbers!r},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '040904B0',
        [{table}])
    ]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def write_version_file(version: str, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "version-info.txt"
    path.write_text(version_file_text(version), encoding="utf-8")
    return path
