"""A version's waveform peaks and its streamable preview.

Peaks are computed once on the server (the page draws them; a browser never decodes a 100 MB
WAV to draw a picture). The preview is an MP3: every browser streams it with a plain <audio>
element and seeks by byte ranges, and it is what a listen link plays, never the file itself.
"""

from __future__ import annotations

import shutil
import subprocess  # noqa: S404  # ffmpeg runs with an argument list, never a shell
from pathlib import Path

import numpy as np
import soundfile
from django.conf import settings

from core.errors import Unavailable

BUCKETS = 800
PREVIEW_KBPS = 192
PREVIEW_TIMEOUT = 600


class PreviewFailed(Exception):
    """ffmpeg could not make a preview of this file; the message says why."""


def peaks(path: Path, *, buckets: int = BUCKETS) -> list[list[float]]:
    """Minimum and maximum of the channels' mix in ``buckets`` equal slices, read in blocks
    (a long file never sits whole in memory), rounded to 4 places."""
    with soundfile.SoundFile(str(path)) as sound:
        total = sound.frames
        if total <= 0:
            return []
        count = min(buckets, total)
        edges = np.linspace(0, total, count + 1).astype(np.int64)
        lows = np.full(count, np.inf)
        highs = np.full(count, -np.inf)
        start = 0
        for block in sound.blocks(blocksize=1 << 18, dtype="float32", always_2d=True):
            mono = block.mean(axis=1)
            end = start + len(mono)
            first = int(np.searchsorted(edges, start, side="right")) - 1
            last = int(np.searchsorted(edges, end - 1, side="right")) - 1
            for bucket in range(max(first, 0), min(last, count - 1) + 1):
                lo = max(edges[bucket], start) - start
                hi = min(edges[bucket + 1], end) - start
                if hi > lo:
                    part = mono[lo:hi]
                    lows[bucket] = min(lows[bucket], float(part.min()))
                    highs[bucket] = max(highs[bucket], float(part.max()))
            start = end
    lows[~np.isfinite(lows)] = 0.0
    highs[~np.isfinite(highs)] = 0.0
    return [
        [round(float(low), 4), round(float(high), 4)]
        for low, high in zip(np.clip(lows, -1, 1), np.clip(highs, -1, 1), strict=True)
    ]


def ffmpeg() -> str:
    """ffmpeg's path, or a 503 that says what to install."""
    executable = str(settings.RELEASES_FFMPEG)
    found = shutil.which(executable)
    if found is None:
        raise Unavailable(
            f"ffmpeg is not installed (looked for “{executable}”): install Debian's package "
            "with `apt-get install ffmpeg`, or set RELEASES_FFMPEG to its path. Previews of "
            "versions wait until then."
        )
    return found


def make_preview(source: Path, destination: Path) -> None:
    """An MP3 (44.1 kHz stereo at most, PREVIEW_KBPS) of ``source`` at ``destination``."""
    command = [
        ffmpeg(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(source),
        "-map_metadata",
        "-1",
        "-vn",
        "-ac",
        "2",
        "-ar",
        "44100",
        "-c:a",
        "libmp3lame",
        "-b:a",
        f"{PREVIEW_KBPS}k",
        "-f",
        "mp3",
        str(destination),
    ]
    try:
        result = subprocess.run(  # noqa: S603  # our arguments, no shell
            command, capture_output=True, text=True, timeout=PREVIEW_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise PreviewFailed(f"ffmpeg took longer than {PREVIEW_TIMEOUT} s.") from error
    if result.returncode != 0 or not destination.exists() or destination.stat().st_size == 0:
        detail = (result.stderr or "no output").strip().splitlines() or ["no output"]
        raise PreviewFailed(f"ffmpeg could not make the preview: {detail[-1][:300]}")
