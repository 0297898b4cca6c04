"""Masters by their content: what a file is, its resolution, and its loudness.

`probe` reads a whole file once (a truncated or corrupt file fails there, not at render time);
`measure` gives integrated loudness and loudness range with pyloudnorm (ITU-R BS.1770-4,
EBU Tech 3342) and the true peak by 4x oversampling (BS.1770-4 annex 2).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from songs import audio

if TYPE_CHECKING:
    pass

import hashlib
import math
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import mutagen
import numpy as np
import pyloudnorm
import soundfile
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from scipy.signal import resample_poly

FORMATS = {"WAV": "WAV", "WAVEX": "WAV", "RF64": "WAV", "FLAC": "FLAC", "AIFF": "AIFF"}
EXTENSIONS = {".wav": "WAV", ".wave": "WAV", ".flac": "FLAC", ".aif": "AIFF", ".aiff": "AIFF"}
BIT_DEPTHS = {"PCM_S8": 8, "PCM_U8": 8, "PCM_16": 16, "PCM_24": 24, "PCM_32": 32}
FLOAT_DEPTHS = {"FLOAT": 32, "DOUBLE": 64}
# What a refused file is, by its first bytes: masters must be lossless PCM.
SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"ID3", 0, "an MP3 file (lossy)"),
    (b"\xff\xfb", 0, "an MP3 file (lossy)"),
    (b"\xff\xf3", 0, "an MP3 file (lossy)"),
    (b"\xff\xf1", 0, "an AAC file (lossy)"),
    (b"ftyp", 4, "an MP4/M4A file"),
    (b"OggS", 0, "an Ogg file"),
    (b"%PDF", 0, "a PDF document"),
    (b"\x89PNG", 0, "a PNG image"),
    (b"\xff\xd8\xff", 0, "a JPEG image"),
    (b"PK\x03\x04", 0, "a ZIP archive"),
    (b"<?xml", 0, "an XML document"),
]
CHUNK_FRAMES = 1 << 18


@dataclass(frozen=True)
class AudioInfo:
    format: str  # WAV, FLAC or AIFF
    subtype: str  # libsndfile's name, e.g. PCM_24 or FLOAT
    sample_rate: int
    bit_depth: int
    is_float: bool
    channels: int
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate

    @property
    def resolution(self) -> str:
        kind = "float" if self.is_float else "bit"
        return f"{self.sample_rate / 1000:g} kHz / {self.bit_depth}-{kind}"


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float | None  # None for digital silence
    true_peak_dbtp: float | None
    loudness_range_lu: float | None


def identify(head: bytes) -> str:
    """What a file that is not a master is, from its first bytes."""
    for magic, offset, name in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return name
    if head[:4] in (b"RIFF", b"FORM", b"fLaC"):
        return "a damaged audio file"
    try:
        head[:512].decode("utf-8")
    except UnicodeDecodeError:
        return "not an audio file this app knows"
    return "a text file"


def _declared_size(path: Path, head: bytes) -> int | None:
    """The size a WAV or AIFF header says the file has (None when it does not say)."""
    if head[:4] == b"RIFF":
        (size,) = struct.unpack("<I", head[4:8])
    elif head[:4] == b"FORM":
        (size,) = struct.unpack(">I", head[4:8])
    else:
        return None
    if size in (0, 0xFFFFFFFF):  # streamed or RF64 files leave it open
        return None
    return int(size) + 8


def probe(path: Path, filename: str = "") -> AudioInfo:
    """The master's format and resolution, after decoding every frame of it once.

    A file that is not WAV, FLAC or AIFF, is cut short, does not decode or does not match the
    extension of its name is refused with a message that says what it is."""
    with path.open("rb") as handle:
        head = handle.read(64)
    size = path.stat().st_size
    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError) as error:
        what = identify(head)
        raise ValidationError(
            f"“{filename or path.name}” is {what}; a master must be WAV, FLAC or AIFF.",
            code="not_audio",
        ) from error
    container = FORMATS.get(info.format)
    if container is None:
        what = identify(head)
        if what.startswith(("not ", "a text")):
            what = info.format_info  # libsndfile knows it (Ogg, MPEG ...), we have no better name
        raise ValidationError(
            f"“{filename}” is {what}; a master must be WAV, FLAC or AIFF.", code="wrong_format"
        )
    named = EXTENSIONS.get(Path(filename).suffix.lower()) if filename else container
    if named is None:
        raise ValidationError(
            f"“{filename}” is a {container} file; name it .{container.lower()}.",
            code="mislabelled",
        )
    if named != container:
        raise ValidationError(
            f"“{filename}” is named as {named} but is a {container} file; rename it "
            f".{container.lower()} or export it again.",
            code="mislabelled",
        )
    declared = _declared_size(path, head)
    if declared is not None and size < declared:
        raise ValidationError(
            f"“{filename}” is cut short: its header says {declared:,} bytes, the file has "
            f"{size:,}. Upload it again.",
            code="truncated",
        )
    if info.subtype in FLOAT_DEPTHS:
        depth, is_float = FLOAT_DEPTHS[info.subtype], True
    elif info.subtype in BIT_DEPTHS:
        depth, is_float = BIT_DEPTHS[info.subtype], False
    else:
        raise ValidationError(
            f"“{filename}” is {info.subtype_info} audio; a master is linear PCM or float.",
            code="wrong_encoding",
        )
    frames = 0
    try:
        with soundfile.SoundFile(str(path)) as sound:
            for block in sound.blocks(blocksize=CHUNK_FRAMES, dtype="float32"):
                frames += len(block)
    except (soundfile.LibsndfileError, RuntimeError) as error:
        raise ValidationError(
            f"“{filename}” is a damaged {container} file: {str(error).rstrip('.')}.",
            code="corrupt",
        ) from error
    if frames == 0:
        raise ValidationError(f"“{filename}” holds no audio.", code="empty")
    if info.frames > 0 and frames < info.frames:
        raise ValidationError(
            f"“{filename}” is cut short: {frames:,} of {info.frames:,} frames decode.",
            code="truncated",
        )
    return AudioInfo(
        format=container,
        subtype=info.subtype,
        sample_rate=int(info.samplerate),
        bit_depth=depth,
        is_float=is_float,
        channels=int(info.channels),
        frames=frames,
    )


def _db(value: float) -> float | None:
    return round(20 * math.log10(value), 2) if value > 0 else None


def true_peak(samples: np.ndarray, sample_rate: int) -> float:
    """The highest inter-sample peak (linear), by oversampling to at least 192 kHz."""
    factor = 4 if sample_rate < 96000 else 2 if sample_rate < 192000 else 1
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if factor == 1:
        return peak
    for channel in range(samples.shape[1]):
        upsampled = resample_poly(samples[:, channel], factor, 1)
        peak = max(peak, float(np.max(np.abs(upsampled))))
    return peak


def measure(path: Path) -> Loudness:
    """Integrated loudness (LUFS), true peak (dBTP) and loudness range (LU) of a file."""
    samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    if samples.shape[1] > 5:  # BS.1770 weights up to 5 channels; measure the front pair
        samples = samples[:, :2]
    meter = pyloudnorm.Meter(rate)
    data = samples.astype(np.float64)
    if len(data) < int(0.4 * rate) or not np.any(data):
        return Loudness(None, _db(true_peak(samples, rate)), None)
    integrated = meter.integrated_loudness(data)
    lra = meter.loudness_range(data) if len(data) >= 3 * rate else float("nan")
    return Loudness(
        integrated_lufs=round(float(integrated), 2) if math.isfinite(integrated) else None,
        true_peak_dbtp=_db(true_peak(samples, rate)),
        loudness_range_lu=round(float(lra), 2) if math.isfinite(lra) else None,
    )


def digests(path: Path) -> tuple[str, str]:
    """SHA-256 and MD5 of a file, read in chunks."""
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            sha256.update(chunk)
            md5.update(chunk)
    return sha256.hexdigest(), md5.hexdigest()


def bitrate_kbps(path: Path) -> int | None:
    """A lossy file's real average bitrate, read back with mutagen (ffmpeg's AAC encoder
    spends less than asked on sparse audio): what the package and DDEX promise."""
    info = getattr(mutagen.File(path), "info", None)
    rate = getattr(info, "bitrate", 0)
    return round(rate / 1000) if rate else None


@contextmanager
def _on_disk(upload: UploadedFile) -> Iterator[Path]:
    """The upload as a file on disk: Django streamed a big one to a temporary file already;
    a small one (kept in memory) is written out."""
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        yield Path(temporary())
        return
    suffix = Path(upload.name or "").suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        yield Path(handle.name)


@dataclass(frozen=True)
class ReceivedAudio:
    """An upload that decoded whole: its name, where it is on disk, what it is, its digests."""

    name: str
    path: Path
    info: audio.AudioInfo
    sha256: str
    md5: str


@contextmanager
def received_audio(upload: UploadedFile, *, what: str) -> Iterator[ReceivedAudio]:
    """The checks every audio upload passes before anything is kept (a master, a song's
    version): the size limit, then a whole decode by content, then its digests. Refusals are
    on the ``file`` field, naming ``what`` it is."""
    name = Path(upload.name or what).name
    if (upload.size or 0) > settings.RELEASES_MASTER_MAX_BYTES:
        limit = filesizeformat(settings.RELEASES_MASTER_MAX_BYTES)
        raise ValidationError({"file": f"A {what} is at most {limit}."})
    with _on_disk(upload) as path:
        try:
            info = audio.probe(path, name)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from error
        sha256, md5 = audio.digests(path)
        yield ReceivedAudio(name=name, path=path, info=info, sha256=sha256, md5=md5)
