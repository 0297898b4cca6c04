"""Releases: the render hook, loudness analysis and tagging on a 3-minute 48 kHz / 24-bit
stereo master.

- Rendering into the default targets (FLAC, WAV 16/44.1, MP3 320, AAC 256) through our path
  (renderer, tags with the cover, fsync, checksums, rename, row) against the same ffmpeg
  commands run directly: goal ratio <= 1.2.
- Loudness analysis (integrated, true peak, range) as a multiple of real time: goal >= 150
  on one core; and the peak memory of a process measuring two hours of 96 kHz / 24-bit stereo
  (FLAC): goal < 300 MB, whatever the length.
- Tagging the four deliverables with our tag writer against mutagen alone writing the same
  tags: goal ratio <= 1.2.
"""

import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile
from django.core.files.uploadedfile import SimpleUploadedFile
from mutagen import flac, id3, mp4, wave
from PIL import Image

from projects.models import Project
from releases import services, tagging
from releases.models import Deliverable, Master, Release, Target, Track
from releases.render import TARGETS, FfmpegRenderer
from releases.services.rendering import ReleaseFacts, _render_one, track_tags
from songs import audio

SECONDS = 180
RATE = 48000
REPEAT = int(os.environ.get("BENCH_RENDER_REPEAT", "2"))
TAG_REPEAT = int(os.environ.get("BENCH_TAG_REPEAT", "30"))


def master_file(folder: Path) -> Path:
    """Three minutes of pink-ish noise under a chord: music-like work for the encoders."""
    rng = np.random.default_rng(7)
    t = np.arange(SECONDS * RATE) / RATE
    chord = np.sin(2 * np.pi * np.outer(t, [220.0, 277.18, 329.63])).sum(axis=1) / 6
    noise = np.cumsum(rng.standard_normal((len(t), 2)), axis=0)
    noise -= np.convolve(noise[:, 0], np.ones(64) / 64, mode="same")[:, None]
    noise /= np.max(np.abs(noise)) * 8
    path = folder / "master.wav"
    soundfile.write(str(path), (chord[:, None] + noise) * 0.8, RATE, subtype="PCM_24")
    return path


def seed(folder: Path) -> Track:
    project = Project.objects.create(title="Bench Release", artist="Bench Band")
    release = services.release_save(
        project=project,
        title="Bench Single",
        display_artist="Bench Band",
        label="Bench Label",
        upc="4006381333931",
        genre="Pop",
        p_line_year=2027,
        p_line_owner="Bench Label",
    )
    cover = io.BytesIO()
    Image.new("RGB", (3000, 3000), (40, 60, 90)).save(cover, "JPEG", quality=85)
    services.artwork_set(release=release, data=cover.getvalue(), filename="cover.jpg")
    track = services.track_save(
        release=release, position=1, title="Bench Song", isrc="DEA122700001"
    )
    path = master_file(folder)
    services.master_upload(track=track, upload=SimpleUploadedFile("master.wav", path.read_bytes()))
    return Track.objects.select_related("release", "master").get(pk=track.pk)


def best_of(repeat: int, call: object) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def bench_render(track: Track, folder: Path) -> None:
    master: Master = track.master
    renderer = FfmpegRenderer()
    renderer.check()
    facts = ReleaseFacts.of(track.release)
    tags = track_tags(track, facts)
    info = audio.AudioInfo(
        master.format,
        master.subtype,
        master.sample_rate,
        master.bit_depth,
        master.is_float,
        master.channels,
        master.frames,
    )

    def ours() -> None:
        Deliverable.objects.filter(track=track).delete()
        for target in Target.values:
            _render_one(track, master, target, renderer, tags, facts.cover_sha256)

    def direct() -> None:
        for target in Target.values:
            spec = TARGETS[target]
            out = folder / f"direct.{spec.extension}"
            command = renderer.command(Path(master.file.path), info, spec, out)
            subprocess.run(command, check=True)  # noqa: S603

    ours_s, direct_s = best_of(REPEAT, ours), best_of(REPEAT, direct)
    ratio = ours_s / direct_s
    verdict = "met" if ratio <= 1.2 else "MISSED"
    print(f"  render 3 min into 4 targets: ours {ours_s:6.2f} s   ffmpeg alone {direct_s:6.2f} s")
    print(f"  ratio render: {ratio:.2f}  (goal <= 1.20: {verdict})")


def bench_loudness(track: Track) -> None:
    path = Path(track.master.file.path)
    seconds = best_of(3, lambda: audio.measure(path))
    speed = SECONDS / seconds
    verdict = "met" if speed >= 150 else "MISSED"
    print(
        f"  loudness of 3 min (I, true peak, LRA): {seconds:6.2f} s = {speed:.0f}x real time"
        f"  (goal >= 150x: {verdict})"
    )


LONG_SECONDS = int(os.environ.get("BENCH_LONG_SECONDS", str(2 * 3600)))


def bench_loudness_memory(folder: Path) -> None:
    """The whole process's high-water mark (VmHWM: Django, numpy and scipy included) while it
    measures a long 96 kHz / 24-bit stereo file, in a process of its own."""
    path = folder / "long.flac"
    ffmpeg = shutil.which("ffmpeg") or "ffmpeg"
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            ffmpeg,
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=997:sample_rate=96000:duration={LONG_SECONDS}",
            "-ac",
            "2",
            "-sample_fmt",
            "s32",
            "-c:a",
            "flac",
            str(path),
        ],
        check=True,
    )
    script = (
        "import re, sys, time, django; django.setup()\n"
        "from pathlib import Path\n"
        "from songs import audio\n"
        "started = time.perf_counter()\n"
        "audio.measure(Path(sys.argv[1]))\n"
        "took = time.perf_counter() - started\n"
        "status = Path('/proc/self/status').read_text()\n"
        "print(took, re.search(r'VmHWM:\\s+(\\d+)', status).group(1))\n"
    )
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", script, str(path)], check=True, capture_output=True, text=True
    )
    took, peak_kib = done.stdout.split()
    peak_mb = int(peak_kib) / 1024
    verdict = "met" if peak_mb < 300 else "MISSED"
    print(
        f"  loudness of {LONG_SECONDS / 3600:g} h at 96 kHz / 24-bit: {float(took):6.1f} s, "
        f"peak memory {peak_mb:.0f} MB  (goal < 300 MB: {verdict})"
    )
    path.unlink()


def mutagen_alone(path: Path, extension: str, tags: tagging.Tags) -> None:
    """The same tags written with mutagen calls inline: the baseline."""
    text = {
        "title": tags.title,
        "artist": tags.artist,
        "album": tags.album,
        "albumartist": tags.album_artist,
        "date": tags.date,
        "genre": tags.genre,
        "isrc": tags.isrc,
        "barcode": tags.barcode,
        "label": tags.label,
        "copyright": f"© {tags.c_line}",
        "producednotice": f"℗ {tags.p_line}",
        "composer": tags.composer,
    }
    if extension == "flac":
        f = flac.FLAC(path)
        f.delete()
        for key, value in text.items():
            f[key] = value
        f["tracknumber"], f["discnumber"] = str(tags.track_number), str(tags.disc_number)
        f.clear_pictures()
        picture = flac.Picture()
        picture.type, picture.mime, picture.data = 3, "image/jpeg", tags.cover
        f.add_picture(picture)
        f.save()
    elif extension in ("mp3", "wav"):
        frames = id3.ID3()
        for frame in (
            id3.TIT2(encoding=3, text=tags.title),
            id3.TPE1(encoding=3, text=tags.artist),
            id3.TALB(encoding=3, text=tags.album),
            id3.TPE2(encoding=3, text=tags.album_artist),
            id3.TRCK(encoding=3, text="1/1"),
            id3.TPOS(encoding=3, text="1/1"),
            id3.TSRC(encoding=3, text=tags.isrc),
            id3.TDRC(encoding=3, text=tags.date),
            id3.TCON(encoding=3, text=tags.genre),
            id3.TPUB(encoding=3, text=tags.label),
            id3.TCOP(encoding=3, text=tags.c_line),
            id3.TPRO(encoding=3, text=tags.p_line),
            id3.TCOM(encoding=3, text=tags.composer),
            id3.TXXX(encoding=3, desc="BARCODE", text=tags.barcode),
            id3.APIC(encoding=3, mime="image/jpeg", type=3, desc="Cover", data=tags.cover),
        ):
            frames.add(frame)
        if extension == "mp3":
            frames.save(path, v2_version=4)
        else:
            w = wave.WAVE(path)
            if w.tags is None:
                w.add_tags()
            assert w.tags is not None
            w.tags.clear()
            for frame in frames.values():
                w.tags.add(frame)
            w.save(v2_version=4)
    else:
        m = mp4.MP4(path)
        m.delete()
        m["\xa9nam"], m["\xa9ART"], m["\xa9alb"] = [tags.title], [tags.artist], [tags.album]
        m["aART"], m["\xa9day"], m["\xa9gen"] = [tags.album_artist], [tags.date], [tags.genre]
        m["cprt"], m["\xa9wrt"] = [f"© {tags.c_line}"], [tags.composer]
        m["trkn"], m["disk"], m["rtng"] = [(1, 1)], [(1, 1)], [0]
        freeform = {
            "ISRC": tags.isrc,
            "BARCODE": tags.barcode,
            "LABEL": tags.label,
            "PRODUCEDNOTICE": f"℗ {tags.p_line}",
        }
        for name, value in freeform.items():
            m[f"----:com.apple.iTunes:{name}"] = [mp4.MP4FreeForm(value.encode())]
        m["covr"] = [mp4.MP4Cover(tags.cover, mp4.MP4Cover.FORMAT_JPEG)]
        m.save()


def bench_tagging(track: Track, folder: Path) -> None:
    facts = ReleaseFacts.of(track.release)
    copies = []
    for deliverable in Deliverable.objects.filter(track=track):
        copy = folder / f"tagging.{TARGETS[deliverable.target].extension}"
        shutil.copyfile(deliverable.file.path, copy)
        copies.append(copy)

    def ours() -> None:
        # What a render does per file: the track's tags from the database rows, then write.
        tags = track_tags(track, facts)
        for copy in copies:
            tagging.write(copy, copy.suffix[1:], tags)

    fixed = track_tags(track, facts)

    def alone() -> None:
        for copy in copies:
            mutagen_alone(copy, copy.suffix[1:], fixed)

    ours_s = best_of(TAG_REPEAT, ours)
    alone_s = best_of(TAG_REPEAT, alone)
    ratio = ours_s / alone_s
    verdict = "met" if ratio <= 1.2 else "MISSED"
    print(f"  tag 4 files: ours {ours_s * 1000:7.2f} ms   mutagen alone {alone_s * 1000:7.2f} ms")
    print(f"  ratio tagging: {ratio:.2f}  (goal <= 1.20: {verdict})")


def run() -> None:
    folder = Path(tempfile.mkdtemp(prefix="tracksheet-bench-audio-"))
    try:
        from django.conf import settings

        settings.MEDIA_ROOT = folder / "media"
        track = seed(folder)
        bench_loudness(track)
        bench_loudness_memory(folder)
        bench_render(track, folder)
        bench_tagging(track, folder)
        Release.objects.filter(pk=track.release_id).delete()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
