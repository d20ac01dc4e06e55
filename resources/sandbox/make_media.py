"""Regenerate the sandbox's sample media (the files beside this script).

The Creatify sandbox (``app.sandbox``) answers every result URL with one of these small files,
so a newcomer can preview and download "results" with nothing billed. They are committed; run
this script only to change them:

    python resources/sandbox/make_media.py            # writes into resources/sandbox/
    python resources/sandbox/make_media.py --out DIR  # writes elsewhere (for a dry run)

What it makes:

- ``sample.wav``  3.0 s, 440 Hz tone, 8 kHz mono 16-bit (stdlib ``wave``);
- ``sample.mp3``  the same tone, encoded by ffmpeg (libmp3lame, 32 kbit/s);
- ``sample.mp4``  3 s, 320x180, H.264 (test pattern) + AAC (the tone), made by ffmpeg;
- ``sample.png``  320x180 RGB gradient (stdlib ``zlib`` + ``struct``);
- ``thumb.png``   160x90 RGB gradient, the "video thumbnail";
- ``banner_300x250.png``, ``banner_728x90.png``, ``banner_160x600.png``, ``banner_320x50.png``:
  gradients at the IAB sizes an Image Ad job returns (stdlib).

Only the WAV and PNG files are pure stdlib; the MP3 and MP4 need ``ffmpeg`` on PATH once, at
generation time (``apt-get install ffmpeg``). The product never needs ffmpeg at run time.

After regenerating, measure the new durations (``ffprobe -show_entries format=duration``) and
update the hard-coded values in ``app/sandbox/media.py``; ``tests/core/test_sandbox_world.py``
checks them against the files.
"""

from __future__ import annotations

import argparse
import math
import shutil
import struct
import subprocess
import sys
import tempfile
import wave
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECONDS = 3
SAMPLE_RATE = 8000
TONE_HZ = 440.0
BANNERS = ((300, 250), (728, 90), (160, 600), (320, 50))
"""The IAB sizes of the Image Ad banners (``app.sandbox.media.BANNERS`` serves them)."""


def write_wav(path: Path) -> None:
    frames = bytearray()
    for i in range(SECONDS * SAMPLE_RATE):
        t = i / SAMPLE_RATE
        fade = min(1.0, t / 0.05, (SECONDS - t) / 0.05)  # no clicks at either end
        frames += struct.pack("<h", int(12000 * fade * math.sin(2 * math.pi * TONE_HZ * t)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(bytes(frames))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def write_png(path: Path, width: int, height: int) -> None:
    rows = bytearray()
    for y in range(height):
        rows.append(1)  # filter type "sub": each byte minus the one to its left (compresses well)
        left = (0, 0, 0)
        for x in range(width):
            pixel = (40 + 180 * x // width, 60 + 120 * y // height, 200 - 120 * x // width)
            rows += bytes((p - q) % 256 for p, q in zip(pixel, left, strict=True))
            left = pixel
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    png = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
           + _png_chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + _png_chunk(b"IEND", b""))
    path.write_bytes(png)


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def write_mp3(path: Path, wav: Path) -> None:
    _ffmpeg("-i", str(wav), "-codec:a", "libmp3lame", "-b:a", "32k", str(path))


def write_mp4(path: Path, wav: Path) -> None:
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=15:duration={SECONDS}",
            "-i", str(wav),
            "-c:v", "libx264", "-preset", "veryslow", "-crf", "34", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "24k", "-shortest", "-movflags", "+faststart",
            "-map_metadata", "-1", "-fflags", "+bitexact", str(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    write_wav(out / "sample.wav")
    write_png(out / "sample.png", 320, 180)
    write_png(out / "thumb.png", 160, 90)
    for width, height in BANNERS:
        write_png(out / f"banner_{width}x{height}.png", width, height)
    if shutil.which("ffmpeg") is None:
        print("ffmpeg not found: sample.mp3 and sample.mp4 were not regenerated", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        # Encode from a copy so --out may point at the folder holding the current files.
        wav = Path(tmp) / "tone.wav"
        shutil.copyfile(out / "sample.wav", wav)
        write_mp3(out / "sample.mp3", wav)
        write_mp4(out / "sample.mp4", wav)
    banners = [f"banner_{width}x{height}.png" for width, height in BANNERS]
    for name in ("sample.wav", "sample.mp3", "sample.mp4", "sample.png", "thumb.png", *banners):
        print(f"{name:18} {(out / name).stat().st_size:7d} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
