"""Real audio files for the tests, made with numpy and soundfile."""

from pathlib import Path

import numpy as np
import soundfile


def tone(
    path: Path,
    *,
    seconds: float = 31.0,
    rate: int = 48000,
    subtype: str = "PCM_24",
    channels: int = 2,
    dbfs: float = -18.0,
    frequency: float = 1000.0,
    file_format: str | None = None,
) -> Path:
    """A sine of `dbfs` peak level on every channel (EBU Tech 3341 signals are such sines)."""
    t = np.arange(int(seconds * rate)) / rate
    wave = 10 ** (dbfs / 20) * np.sin(2 * np.pi * frequency * t)
    soundfile.write(
        str(path), np.stack([wave] * channels, axis=1), rate, subtype=subtype, format=file_format
    )
    return path
