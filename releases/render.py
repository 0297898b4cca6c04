"""The render hook: a master and a target format in, a file out.

`settings.RELEASES_RENDERER` names the class. A renderer is small:

    class MyRenderer(Renderer):
        name = "my-renderer"      # goes into each deliverable's key, with `version`
        version = "1"

        def check(self) -> None:  # raise RendererUnavailable with what to install
            ...

        def render(self, source: Path, info: AudioInfo, target: TargetSpec,
                   destination: Path) -> None:
            ...                   # write the whole file at `destination`, or raise RenderError

The caller gives a temporary `destination` beside the final name, tags the file (releases.tagging)
and renames it when whole; a renderer never sees the final name. The default renderer runs
ffmpeg (Debian's package `ffmpeg`).
"""

from __future__ import annotations

import shutil
import subprocess  # noqa: S404  # ffmpeg runs with an argument list, never a shell
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from songs.audio import AudioInfo

LOSSY_RATE = 44100


@dataclass(frozen=True)
class TargetSpec:
    key: str
    extension: str
    muxer: str
    lossless: bool
    sample_rate: int | None = None  # None: the master's
    bit_depth: int | None = None  # None: the master's (lossless) or none (lossy)
    bitrate: int | None = None  # kbit/s, lossy only

    def output_rate(self, info: AudioInfo) -> int:
        return self.sample_rate or info.sample_rate

    def output_depth(self, info: AudioInfo) -> int | None:
        if not self.lossless:
            return None
        if self.bit_depth:
            return self.bit_depth
        # FLAC holds integers of 16 or 24 bits here: float and 32-bit masters become 24-bit.
        return 16 if info.bit_depth <= 16 and not info.is_float else 24


TARGETS: dict[str, TargetSpec] = {
    "flac": TargetSpec("flac", "flac", "flac", lossless=True),
    "wav16": TargetSpec("wav16", "wav", "wav", lossless=True, sample_rate=44100, bit_depth=16),
    "mp3": TargetSpec("mp3", "mp3", "mp3", lossless=False, sample_rate=LOSSY_RATE, bitrate=320),
    "aac": TargetSpec("aac", "m4a", "ipod", lossless=False, sample_rate=LOSSY_RATE, bitrate=256),
}


class RendererUnavailable(Exception):
    """The renderer cannot run on this machine; the message says what to install."""


class RenderError(Exception):
    """This master could not be rendered into this target; the message says why."""


class Renderer:
    name = "base"
    version = "1"

    def check(self) -> None:
        """Raise RendererUnavailable when the renderer cannot run here."""

    def render(self, source: Path, info: AudioInfo, target: TargetSpec, destination: Path) -> None:
        raise NotImplementedError


class FfmpegRenderer(Renderer):
    """ffmpeg with the soxr resampler; 16-bit outputs are dithered (high-passed triangular)."""

    name = "ffmpeg"
    version = "1"

    @property
    def executable(self) -> str:
        return str(settings.RELEASES_FFMPEG)

    def check(self) -> None:
        if shutil.which(self.executable) is None:
            raise RendererUnavailable(
                f"ffmpeg is not installed (looked for “{self.executable}”): install Debian's "
                "package with `apt-get install ffmpeg`, or set RELEASES_FFMPEG to its path."
            )

    def command(
        self, source: Path, info: AudioInfo, target: TargetSpec, destination: Path
    ) -> list[str]:
        rate = target.output_rate(info)
        depth = target.output_depth(info)
        resample = [f"osr={rate}", "resampler=soxr", "precision=28"]
        codec: list[str]
        if target.key == "flac":
            codec = ["-c:a", "flac", "-compression_level", "8"]
            if depth == 16:
                resample += ["osf=s16", "dither_method=triangular_hp"]
            else:
                codec += ["-sample_fmt", "s32", "-bits_per_raw_sample", "24"]
        elif target.extension == "wav":
            resample += ["osf=s16", "dither_method=triangular_hp"]
            codec = ["-c:a", "pcm_s16le"]
        elif target.key == "mp3":
            codec = ["-c:a", "libmp3lame", "-b:a", f"{target.bitrate}k"]
        else:
            # ffmpeg's own AAC encoder has no CBR mode (Debian's ffmpeg has no libfdk_aac).
            # `twoloop`, its rate-controlled coder (the default, pinned here), holds 256 kbit/s
            # on music: measured 256.2 kbit/s over 30 s of noise and chords, each second 255.7 to
            # 262.2. A near-empty signal gets fewer (a bare sine: 142), never more; `fast`
            # undershoots far more (the same sine: 41).
            codec = [
                "-c:a",
                "aac",
                "-aac_coder",
                "twoloop",
                "-b:a",
                f"{target.bitrate}k",
                "-movflags",
                "+faststart",
            ]
        return [
            self.executable,
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(source),
            "-map",
            "0:a:0",
            "-map_metadata",
            "-1",
            # No encoder tag or creation time: the same input gives the same bytes, and a WAV
            # without ffmpeg's LIST chunk lets readers see the ID3 tags written afterwards.
            "-fflags",
            "+bitexact",
            "-af",
            "aresample=" + ":".join(resample),
            *codec,
            "-f",
            target.muxer,
            str(destination),
        ]

    def render(self, source: Path, info: AudioInfo, target: TargetSpec, destination: Path) -> None:
        self.check()
        try:
            result = subprocess.run(  # noqa: S603  # our own argument list
                self.command(source, info, target, destination),
                capture_output=True,
                text=True,
                timeout=settings.RELEASES_RENDER_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise RenderError(
                f"ffmpeg took longer than {settings.RELEASES_RENDER_TIMEOUT} s for {target.key}."
            ) from error
        if result.returncode != 0:
            detail = result.stderr.strip().splitlines()[-1:] or [f"exit {result.returncode}"]
            raise RenderError(f"ffmpeg could not render {target.key}: {detail[0][:300]}")


@cache
def _renderer_class(path: str) -> type[Renderer]:
    return import_string(path)


def renderer() -> Renderer:
    """The configured renderer (settings.RELEASES_RENDERER)."""
    return _renderer_class(settings.RELEASES_RENDERER)()
