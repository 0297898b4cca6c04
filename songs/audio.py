"""Masters by their content: what a file is, its resolution, and its loudness.

`probe` reads a whole file once (a truncated or corrupt file fails there, not at render time);
`measure` gives integrated loudness and loudness range (ITU-R BS.1770-4, EBU Tech 3342, as
pyloudnorm computes them, with its K-weighting) and the true peak by oversampling
(BS.1770-4 annex 2), reading the file in blocks: its memory does not grow with the length.
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
from scipy.signal import lfilter, resample_poly

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


def _too_long(filename: str, longest: float) -> ValidationError:
    return ValidationError(
        f"“{filename}” is longer than {_duration_words(longest)}, the longest this takes.",
        code="too_long",
    )


def _duration_words(seconds: float) -> str:
    minutes = round(seconds / 60)
    hours, rest = divmod(minutes, 60)
    if hours and not rest:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if hours:
        return f"{hours} h {rest} min"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def probe(path: Path, filename: str = "", *, longest: float | None = None) -> AudioInfo:
    """The master's format and resolution, after decoding every frame of it once.

    A file that is not WAV, FLAC or AIFF, is cut short, does not decode or does not match the
    extension of its name is refused with a message that says what it is; so is one that
    lasts longer than ``longest`` seconds, by its header before anything is decoded, or as
    soon as decoding passes the limit (a header may not say, or lie)."""
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
    limit = int(longest * info.samplerate) if longest is not None else None
    if limit is not None and info.frames > limit:
        raise _too_long(filename or path.name, longest or 0)
    frames = 0
    try:
        with soundfile.SoundFile(str(path)) as sound:
            for block in sound.blocks(blocksize=CHUNK_FRAMES, dtype="float32"):
                frames += len(block)
                if limit is not None and frames > limit:
                    raise _too_long(filename or path.name, longest or 0)
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
    """The highest inter-sample peak (linear) of samples held whole, by oversampling to at
    least 192 kHz (what `measure` finds block by block)."""
    peak = _TruePeak(sample_rate, samples.shape[1])
    peak.feed(samples)
    return peak.finish()


def _oversampling(sample_rate: int) -> int:
    return 4 if sample_rate < 96000 else 2 if sample_rate < 192000 else 1


class _TruePeak:
    """The true peak of a stream fed in blocks. The oversampling filter reaches ten input
    samples either side (scipy's resample_poly), so each block is upsampled with the last
    ``CONTEXT`` samples of the one before: the peaks come out as from the whole signal."""

    CONTEXT = 32

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.factor = _oversampling(sample_rate)
        self.peak = 0.0
        # float32, as the file is read: resample_poly then filters in float32, twice as fast.
        self.tail = np.zeros((0, channels), dtype=np.float32)

    def _upsampled_peak(self, window: np.ndarray, keep: slice) -> None:
        for channel in range(window.shape[1]):
            upsampled = resample_poly(window[:, channel], self.factor, 1)
            part = upsampled[keep]
            if part.size:
                self.peak = max(self.peak, float(np.max(np.abs(part))))

    def feed(self, block: np.ndarray) -> None:
        if block.size:
            self.peak = max(self.peak, float(np.max(np.abs(block))))
        if self.factor == 1:
            return
        window = np.concatenate([self.tail, block])
        context = self.CONTEXT
        # Outputs near the window's ends lack their neighbours: at the start only where the
        # signal itself starts (as with the whole file), at the end always (the next window
        # covers them).
        first = len(self.tail) - context if len(self.tail) >= 2 * context else 0
        last = len(window) - context
        if last > first:
            self._upsampled_peak(window, slice(first * self.factor, last * self.factor))
        self.tail = window[max(0, len(window) - 2 * context) :]

    def finish(self) -> float:
        if self.factor > 1 and len(self.tail):
            context = min(self.CONTEXT, len(self.tail))
            start = len(self.tail) - context if len(self.tail) >= 2 * self.CONTEXT else 0
            self._upsampled_peak(self.tail, slice(start * self.factor, None))
        return self.peak


class _Energies:
    """Sums of the K-weighted signal's squares between given sample positions, per channel,
    gathered as the signal streams: what BS.1770's gating blocks (400 ms every 100 ms) and Tech
    3342's short-term blocks (3 s, as pyloudnorm steps them) are made of."""

    def __init__(self, boundaries: np.ndarray, channels: int) -> None:
        self.boundaries = boundaries  # sorted, unique sample positions
        self.at = np.zeros((len(boundaries), channels))  # cumulative energy before each
        self.next = 0
        self.position = 0
        self.running = np.zeros(channels)

    def feed(self, weighted: np.ndarray) -> None:
        start, end = self.position, self.position + len(weighted)
        stop = int(np.searchsorted(self.boundaries, end, side="right"))
        if stop > self.next:
            cumulative = np.cumsum(np.square(weighted), axis=0)
            for index in range(self.next, stop):
                offset = int(self.boundaries[index]) - start
                self.at[index] = self.running + (cumulative[offset - 1] if offset > 0 else 0.0)
            self.running = self.running + cumulative[-1]
            self.next = stop
        else:
            self.running = self.running + np.square(weighted).sum(axis=0)
        self.position = end

    def finish(self) -> None:
        """Positions past the end (pyloudnorm's last blocks, its appended silence) hold all."""
        self.at[self.next :] = self.running
        self.next = len(self.boundaries)

    def between(self, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """Energy of [lower, upper) per block and channel (blocks × channels)."""
        lo = np.searchsorted(self.boundaries, lower)
        hi = np.searchsorted(self.boundaries, upper)
        return self.at[hi] - self.at[lo]


def _block_bounds(
    frames: int, rate: int, block: float, overlap: float
) -> tuple[np.ndarray, np.ndarray]:
    """pyloudnorm's gating blocks over ``frames`` samples: their first and past-last samples,
    computed with its very expressions so that the blocks are its blocks."""
    step = 1.0 - overlap
    duration = frames / rate
    count = int(np.round((duration - block) / (block * step))) + 1
    if count <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lower = np.array([int(block * (j * step) * rate) for j in range(count)], dtype=np.int64)
    upper = np.array([int(block * (j * step + 1) * rate) for j in range(count)], dtype=np.int64)
    return lower, upper


# BS.1770 channel weights: left, right, centre at 1, the surrounds at 1.41.
GAINS = np.array([1.0, 1.0, 1.0, 1.41, 1.41])


def _block_loudness(energy: np.ndarray, length: float) -> np.ndarray:
    """Each block's loudness (LUFS) from its channels' energies and its length in samples."""
    weighted = (energy / length) @ GAINS[: energy.shape[1]]
    with np.errstate(divide="ignore"):
        return -0.691 + 10.0 * np.log10(weighted)


def _integrated(energy: np.ndarray, length: float) -> float:
    """BS.1770-4's gated integrated loudness (the absolute gate at -70, the relative at -10)."""
    loudness = _block_loudness(energy, length)
    gated = loudness >= -70.0
    if not gated.any():
        return float("-inf")
    mean = energy[gated].mean(axis=0) / length
    relative = -0.691 + 10.0 * np.log10(mean @ GAINS[: energy.shape[1]]) - 10.0
    kept = (loudness > relative) & (loudness > -70.0)
    if not kept.any():
        return float("-inf")
    mean = energy[kept].mean(axis=0) / length
    with np.errstate(divide="ignore"):
        return float(-0.691 + 10.0 * np.log10(mean @ GAINS[: energy.shape[1]]))


def _loudness_range(energy: np.ndarray, length: float) -> float:
    """EBU Tech 3342's loudness range from its short-term blocks' energies."""
    loudness = _block_loudness(energy, length)
    gated = loudness[loudness >= -70.0]
    if not gated.size:
        return float("nan")
    integrated = 10 * np.log10(np.sum(np.power(10, gated / 10)) / gated.size)
    kept = gated[gated >= integrated - 20]
    if not kept.size:
        return float("nan")
    return float(np.percentile(kept, 95) - np.percentile(kept, 10))


def measure(path: Path) -> Loudness:
    """Integrated loudness (LUFS), true peak (dBTP) and loudness range (LU) of a file, read
    in blocks of CHUNK_FRAMES: memory stays a few blocks' worth, whatever the length."""
    with soundfile.SoundFile(str(path)) as sound:
        rate, frames = int(sound.samplerate), int(sound.frames)
        # BS.1770 weights up to 5 channels; with more, measure the front pair.
        channels = sound.channels if sound.channels <= 5 else 2
        meter = pyloudnorm.Meter(rate)
        stages = [(stage.b, stage.a) for stage in meter._filters.values()]
        states = [np.zeros((max(len(a), len(b)) - 1, channels)) for b, a in stages]
        gating = _block_bounds(frames, rate, 0.4, 0.75)
        # pyloudnorm measures the range over the file with 1.5 s of silence appended.
        short_term = _block_bounds(frames + int(1.5 * rate), rate, 3.0, 0.97)
        boundaries = np.unique(np.concatenate([*gating, *short_term]))
        energies = _Energies(boundaries, channels)
        peak = _TruePeak(rate, channels)
        heard = False
        for read in sound.blocks(blocksize=CHUNK_FRAMES, dtype="float32", always_2d=True):
            block = read[:, :channels]
            heard = heard or bool(np.any(block))
            peak.feed(block)
            weighted = block.astype(np.float64)
            for (b, a), state in zip(stages, states, strict=True):
                weighted, state[:] = lfilter(b, a, weighted, axis=0, zi=state)
            energies.feed(weighted)
        energies.finish()
    true = _db(peak.finish())
    if frames < int(0.4 * rate) or not heard:
        return Loudness(None, true, None)
    integrated = _integrated(energies.between(*gating), 0.4 * rate)
    lra = (
        _loudness_range(energies.between(*short_term), 3.0 * rate)
        if frames >= 3 * rate
        else float("nan")
    )
    return Loudness(
        integrated_lufs=round(integrated, 2) if math.isfinite(integrated) else None,
        true_peak_dbtp=true,
        loudness_range_lu=round(lra, 2) if math.isfinite(lra) else None,
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
def received_audio(
    upload: UploadedFile, *, what: str, longest: float | None = None
) -> Iterator[ReceivedAudio]:
    """The checks every audio upload passes before anything is kept (a master, a song's
    version): the size limit, then a whole decode by content (no longer than ``longest``
    seconds), then its digests. Refusals are on the ``file`` field, naming ``what`` it is."""
    name = Path(upload.name or what).name
    if (upload.size or 0) > settings.RELEASES_MASTER_MAX_BYTES:
        limit = filesizeformat(settings.RELEASES_MASTER_MAX_BYTES)
        raise ValidationError({"file": f"A {what} is at most {limit}."})
    with _on_disk(upload) as path:
        try:
            info = audio.probe(path, name, longest=longest)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from error
        sha256, md5 = audio.digests(path)
        yield ReceivedAudio(name=name, path=path, info=info, sha256=sha256, md5=md5)
