"""Masters: uploads probed by their content, loudness against EBU Tech 3341's cases, and the
audio rules of readiness."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from rest_framework.test import APIClient

from releases.models import Master, Release, Track
from songs import audio
from tests.releases.audio_files import tone
from tests.releases.conftest import readiness_codes

pytestmark = pytest.mark.django_db

RATE = 48000


def post_master(client: APIClient, track: Track, path: Path, name: str | None = None) -> Any:
    """Upload through the API, running what the upload queues after commit (the loudness
    analysis, the removal of a replaced file) as a real commit would."""
    upload = SimpleUploadedFile(name or path.name, path.read_bytes())
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            f"/api/v1/tracks/{track.pk}/master/", {"file": upload}, format="multipart"
        )


@pytest.fixture
def track(project: Any) -> Track:
    release = Release.objects.create(project=project, title="Tide", display_artist="The Echoes")
    return Track.objects.create(release=release, position=1, title="Tide")


@pytest.mark.parametrize(
    ("name", "file_format", "subtype", "rate", "resolution"),
    [
        ("m.wav", "WAV", "PCM_24", 48000, "48 kHz / 24-bit"),
        ("m.flac", "FLAC", "PCM_16", 44100, "44.1 kHz / 16-bit"),
        ("m.aiff", "AIFF", "PCM_24", 96000, "96 kHz / 24-bit"),
        ("m.wav", "WAV", "FLOAT", 48000, "48 kHz / 32-float"),
    ],
)
def test_master_upload_probes_the_file(
    as_owner: APIClient,
    track: Track,
    tmp_path: Path,
    name: str,
    file_format: str,
    subtype: str,
    rate: int,
    resolution: str,
) -> None:
    path = tone(tmp_path / name, seconds=3.5, rate=rate, subtype=subtype, file_format=file_format)
    response = post_master(as_owner, track, path)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["format"], body["sample_rate"], body["channels"]) == (file_format, rate, 2)
    assert body["duration"] == pytest.approx(3.5)
    master = Master.objects.get(track=track)
    assert master.resolution == resolution
    assert master.sha256 == audio.digests(path)[0]
    assert Path(master.file.path).read_bytes() == path.read_bytes()
    track.refresh_from_db()
    assert track.duration_seconds == 4  # 3.5 s rounds half to even: the master's length
    # Loudness was measured after commit (in-process here): a -18 dBFS sine, -18 LUFS or so.
    body = as_owner.get(f"/api/v1/tracks/{track.pk}/master/").json()
    assert body["sha256"] == master.sha256
    assert body["integrated_lufs"] == pytest.approx(-18.0, abs=0.1)
    assert body["true_peak_dbtp"] == pytest.approx(-18.0, abs=0.1)


def mp3(path: Path, tmp_path: Path) -> Path:
    wav = tone(tmp_path / "for-mp3.wav", seconds=1)
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-f", "mp3", str(path)],
        check=True,
    )
    return path


def bad_files(tmp_path: Path) -> list[tuple[str, Path, str]]:
    whole = tone(tmp_path / "whole.wav", seconds=2).read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole[: len(whole) // 2])
    flac = tone(tmp_path / "whole.flac", seconds=2, file_format="FLAC").read_bytes()
    cut_flac = tmp_path / "cut.flac"
    cut_flac.write_bytes(flac[: len(flac) // 2])
    text = tmp_path / "notes.wav"
    text.write_text("vocal comp: take 3 then 5\n" * 50)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    png = tmp_path / "cover.wav"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    return [
        ("song.wav", cut, "is cut short"),
        ("song.flac", cut_flac, "is a damaged FLAC file"),
        ("song.wav", tmp_path / "whole.flac", "is named as WAV but is a FLAC file"),
        ("song.wav", mp3(tmp_path / "song.mp3", tmp_path), "is an MP3 file (lossy)"),
        ("song.wav", text, "is a text file"),
        ("song.wav", empty, "The submitted file is empty."),
        ("song.wav", png, "is a PNG image"),
        ("song.mp4", tmp_path / "whole.wav", "is a WAV file; name it .wav"),
    ]


def test_bad_masters_are_refused_with_what_they_are(
    as_owner: APIClient, track: Track, tmp_path: Path
) -> None:
    for name, path, message in bad_files(tmp_path):
        response = post_master(as_owner, track, path, name)
        assert response.status_code == 400, (name, message)
        [error] = response.json()["file"]
        assert message in error, error
    assert not Master.objects.exists()
    stored = Path(settings.MEDIA_ROOT) / "masters"
    assert not stored.exists() or not any(stored.rglob("*.*"))


def test_a_master_over_the_size_limit_is_refused(
    as_owner: APIClient, track: Track, tmp_path: Path, settings: Any
) -> None:
    settings.RELEASES_MASTER_MAX_BYTES = 100_000
    response = post_master(as_owner, track, tone(tmp_path / "big.wav", seconds=2))
    assert response.status_code == 400
    assert response.json() == {"file": ["A master is at most 97.7\xa0KB."]}
    assert not Master.objects.exists()


def test_masters_are_scoped_and_written_by_managers_only(
    as_owner: APIClient,
    as_collaborator: APIClient,
    as_outsider: APIClient,
    track: Track,
    tmp_path: Path,
) -> None:
    path = tone(tmp_path / "m.wav", seconds=1)
    assert post_master(as_outsider, track, path).status_code == 404
    assert post_master(as_collaborator, track, path).status_code == 403
    assert as_collaborator.get(f"/api/v1/tracks/{track.pk}/master/").status_code == 404
    assert post_master(as_owner, track, path).status_code == 201
    assert as_collaborator.get(f"/api/v1/tracks/{track.pk}/master/").status_code == 200
    assert as_outsider.get(f"/api/v1/tracks/{track.pk}/master/").status_code == 404


def test_a_new_master_replaces_the_old_file(
    as_owner: APIClient, track: Track, tmp_path: Path
) -> None:
    post_master(as_owner, track, tone(tmp_path / "a.wav", seconds=1))
    first = Path(Master.objects.get(track=track).file.path)
    post_master(as_owner, track, tone(tmp_path / "b.flac", seconds=2, file_format="FLAC"))
    master = Master.objects.get(track=track)
    assert (master.format, round(master.duration)) == ("FLAC", 2)
    assert not first.exists()
    assert Path(master.file.path).exists()


def segments(*parts: tuple[float, float], frequency: float = 1000.0) -> np.ndarray:
    """Stereo 1 kHz sine segments of (dBFS, seconds), as EBU Tech 3341 lays its cases out."""
    waves = []
    for dbfs, seconds in parts:
        t = np.arange(int(seconds * RATE)) / RATE
        waves.append(10 ** (dbfs / 20) * np.sin(2 * np.pi * frequency * t))
    wave = np.concatenate(waves)
    return np.stack([wave, wave], axis=1)


@pytest.mark.parametrize(
    ("signal", "expected"),
    [
        (segments((-23, 20)), -23.0),  # case 1
        (segments((-33, 20)), -33.0),  # case 2
        (segments((-36, 10), (-23, 60), (-36, 10)), -23.0),  # case 3
        (segments((-72, 10), (-36, 10), (-23, 60), (-36, 10), (-72, 10)), -23.0),  # case 4
        (segments((-26, 20), (-20, 20.1), (-26, 20)), -23.0),  # case 5
    ],
    ids=["case1", "case2", "case3", "case4", "case5"],
)
def test_loudness_of_ebu_tech_3341_cases(
    signal: np.ndarray, expected: float, tmp_path: Path
) -> None:
    path = tmp_path / "case.wav"
    soundfile.write(str(path), signal, RATE, subtype="PCM_24")
    assert audio.measure(path).integrated_lufs == pytest.approx(expected, abs=0.1)


def test_true_peak_sees_between_the_samples(tmp_path: Path) -> None:
    # A quarter-sample-rate sine at 45 degrees: every sample sits at 0.707 (-3 dBFS) while the
    # waveform between them reaches full scale (EBU Tech 3341's true-peak cases).
    t = np.arange(RATE * 5)
    wave = 0.5 * np.sin(2 * np.pi * t / 4 + np.pi / 4)
    path = tmp_path / "peak.wav"
    soundfile.write(str(path), np.stack([wave, wave], axis=1), RATE, subtype="FLOAT")
    assert 20 * np.log10(np.max(np.abs(wave))) == pytest.approx(-9.03, abs=0.01)
    assert audio.measure(path).true_peak_dbtp == pytest.approx(-6.02, abs=0.2)


def test_loudness_range(tmp_path: Path) -> None:
    # Tech 3342 case 1: -20 dBFS then -30 dBFS, 20 s each: LRA 10 LU.
    path = tmp_path / "lra.wav"
    soundfile.write(str(path), segments((-20, 20), (-30, 20)), RATE, subtype="PCM_24")
    assert audio.measure(path).loudness_range_lu == pytest.approx(10.0, abs=0.2)


def test_silence_has_no_loudness(tmp_path: Path) -> None:
    path = tmp_path / "silence.wav"
    soundfile.write(str(path), np.zeros((RATE * 2, 2)), RATE, subtype="PCM_16")
    assert audio.measure(path) == audio.Loudness(None, None, None)


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"rate": 22050}, "sample_rate"),
        ({"subtype": "PCM_U8", "file_format": "WAV"}, "bit_depth"),
        ({"channels": 1}, "not_stereo"),
        ({"seconds": 20}, "too_short"),
        ({"dbfs": -6.0}, "loud"),
        ({"dbfs": -0.5}, "true_peak"),
        ({"dbfs": -30.0}, "quiet"),
    ],
)
def test_readiness_rules_on_audio(
    as_owner: APIClient, ready_release: Release, tmp_path: Path, options: dict[str, Any], code: str
) -> None:
    assert readiness_codes(as_owner, ready_release) == set()
    track = ready_release.tracks.get(position=1)
    settings_ = {"seconds": 31.0, "dbfs": -14.0, **options}
    response = post_master(as_owner, track, tone(tmp_path / "new.wav", **settings_))
    assert response.status_code == 201, response.json()
    readiness = as_owner.get(f"/api/v1/releases/{ready_release.pk}/readiness/").json()
    [finding] = [f for f in readiness["findings"] if f["code"] == code]
    assert finding["track"] == track.pk
    blocking = code in {"sample_rate", "bit_depth", "not_stereo", "too_short"}
    assert finding["level"] == ("blocking" if blocking else "warning")
    assert readiness["ready"] is not blocking


def test_missing_master_blocks(as_owner: APIClient, ready_release: Release) -> None:
    Master.objects.filter(track__position=2).delete()
    assert readiness_codes(as_owner, ready_release) == {"missing_master"}


def test_measure_agrees_with_pyloudnorm_on_the_whole_signal(tmp_path: Path) -> None:
    """Block by block, the figures are those of the whole signal measured at once."""
    import pyloudnorm

    rng = np.random.default_rng(7)
    for rate, seconds in ((44100, 13.7), (96000, 7.0), (48000, 3.2)):
        t = np.arange(int(rate * seconds)) / rate
        swell = 0.1 + 0.9 * np.sin(2 * np.pi * t / 5) ** 2
        signal = np.stack(
            [
                swell * 0.4 * np.sin(2 * np.pi * 330 * t + k) + 0.03 * rng.standard_normal(len(t))
                for k in range(2)
            ],
            axis=1,
        )
        path = tmp_path / f"music-{rate}.wav"
        soundfile.write(str(path), signal, rate, subtype="PCM_24")
        read, _ = soundfile.read(str(path), dtype="float32", always_2d=True)
        meter = pyloudnorm.Meter(rate)
        measured = audio.measure(path)
        whole = read.astype(np.float64)
        assert measured.integrated_lufs == pytest.approx(meter.integrated_loudness(whole), abs=0.01)
        assert measured.loudness_range_lu == pytest.approx(meter.loudness_range(whole), abs=0.01)
        assert measured.true_peak_dbtp == pytest.approx(
            20 * np.log10(audio.true_peak(read, rate)), abs=0.01
        )


def test_a_long_file_is_measured_in_bounded_memory(tmp_path: Path) -> None:
    """Ten minutes of 48 kHz stereo (700 MB as the samples measure() once held whole) are
    measured by a process that stays under 300 MB, Django and numpy included."""
    path = tmp_path / "long.flac"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=997:sample_rate=48000:duration=600",
            "-ac",
            "2",
            "-c:a",
            "flac",
            str(path),
        ],
        check=True,
    )
    # The peak is the kernel's high-water mark of this process's own memory (VmHWM; the
    # rusage figure would count the forking pytest's too).
    script = (
        "import re, sys, django; django.setup()\n"
        "from pathlib import Path\n"
        "from songs import audio\n"
        "loudness = audio.measure(Path(sys.argv[1]))\n"
        "status = Path('/proc/self/status').read_text()\n"
        "print(loudness.integrated_lufs, re.search(r'VmHWM:\\s+(\\d+)', status).group(1))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=settings.BASE_DIR,
    )
    lufs, peak_kib = done.stdout.split()
    assert float(lufs) == pytest.approx(-21.1, abs=0.1)  # ffmpeg's sine: 1/8 of full scale
    assert int(peak_kib) < 300 * 1024, f"peak memory {int(peak_kib) // 1024} MB"


def test_a_master_longer_than_the_limit_is_a_400_naming_it(
    as_owner: APIClient, track: Track, tmp_path: Path, settings: Any
) -> None:
    settings.RELEASES_MASTER_MAX_MINUTES = 1
    path = tone(tmp_path / "long.wav", seconds=61.0, rate=8000)
    response = post_master(as_owner, track, path)
    assert response.status_code == 400
    assert response.json()["file"] == [
        "“long.wav” is longer than 1 minute, the longest this takes."
    ]
    assert not Master.objects.exists()
