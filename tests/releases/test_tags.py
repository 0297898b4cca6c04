"""Tags that match the metadata, read back by ffprobe (an independent reader): featured artists
as DDEX's display artist prints them, the © line in each scheme's copyright field and the ℗ line
in its own; and an AAC that delivers the bitrate it promises."""

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from mutagen import id3
from rest_framework.test import APIClient

from releases import package, services
from releases.models import Credit, CreditRole, Deliverable, Release
from releases.tasks import render_track
from tests.factories import PersonFactory
from tests.releases.conftest import upload

pytestmark = pytest.mark.django_db


def ffprobe(path: Path, *options: str) -> dict[str, Any]:
    shown = list(options) or ["-show_format", "-show_streams"]
    result = subprocess.run(
        ["ffprobe", "-v", "error", *shown, "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout))


def render(client: APIClient, release: Release, **body: Any) -> Any:
    """POST render; tasks run in-process after the commit, as the eager lane does."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/api/v1/releases/{release.pk}/render/", body, format="json")
    assert response.status_code == 202, response.json()
    return response


@pytest.fixture
def with_guests(ready_release: Release) -> Release:
    """Ila Moss features on the whole release, Juno Park on track 1 only; the © line (2026,
    the label) differs from the ℗ line (2027, the production company)."""
    ila, juno = PersonFactory.create(name="Ila Moss"), PersonFactory.create(name="Juno Park")
    featured = CreditRole.FEATURED_ARTIST
    Credit.objects.create(release=ready_release, track=None, person=ila, role=featured)
    first = ready_release.tracks.get(position=1)
    Credit.objects.create(release=ready_release, track=first, person=juno, role=featured)
    # Named on the track too: a guest is printed once.
    Credit.objects.create(release=ready_release, track=first, person=ila, role=featured)
    return services.release_save(
        release=ready_release, c_line_year=2026, c_line_owner="Driftwood Records Ltd"
    )


# Where ffprobe shows each line, and in which form, per target.
C_LINE = {
    "flac": ("copyright", "© 2026 Driftwood Records Ltd"),
    "mp3": ("copyright", "2026 Driftwood Records Ltd"),
    "wav16": ("copyright", "2026 Driftwood Records Ltd"),
    "aac": ("copyright", "© 2026 Driftwood Records Ltd"),
}
P_LINE = {
    "flac": ("producednotice", "℗ 2027 Harbour Lane Productions"),
    "mp3": ("tpro", "2027 Harbour Lane Productions"),
    "wav16": ("tpro", "2027 Harbour Lane Productions"),
    "aac": ("producednotice", "℗ 2027 Harbour Lane Productions"),
}


def test_tags_name_guests_and_keep_both_lines(as_owner: APIClient, with_guests: Release) -> None:
    render(as_owner, with_guests)
    deliverables = Deliverable.objects.filter(track__release=with_guests).select_related("track")
    assert sorted(d.target for d in deliverables) == sorted(["flac", "wav16", "mp3", "aac"] * 2)
    for deliverable in deliverables:
        target, position = deliverable.target, deliverable.track.position
        probe = ffprobe(Path(deliverable.file.path))
        tags = {k.lower(): v for k, v in probe["format"]["tags"].items()}
        if position == 1:
            assert tags["artist"] == "Wren Castellano feat. Ila Moss & Juno Park", target
        else:
            assert tags["artist"] == "Wren Castellano feat. Ila Moss", target
        assert tags["album_artist"] == "Wren Castellano feat. Ila Moss", target
        name, value = C_LINE[target]
        assert tags[name] == value, target
        name, value = P_LINE[target]
        assert tags[name] == value, target
    # ID3v2.4 §4.2.1: TCOP and TPRO start with the year and a space, and are those frames.
    mp3 = deliverables.get(target="mp3", track__position=1)
    frames = id3.ID3(mp3.file.path)
    assert frames["TCOP"].text == ["2026 Driftwood Records Ltd"]
    assert frames["TPRO"].text == ["2027 Harbour Lane Productions"]
    assert all(re.match(r"^\d{4} ", frames[f].text[0]) for f in ("TCOP", "TPRO"))


def test_changed_guests_render_again(as_owner: APIClient, with_guests: Release) -> None:
    render(as_owner, with_guests, targets=["mp3"])
    before = dict(Deliverable.objects.values_list("track__position", "sha256"))
    Credit.objects.filter(person__name="Juno Park").delete()
    render(as_owner, with_guests, targets=["mp3"])
    after = dict(Deliverable.objects.values_list("track__position", "sha256"))
    # Track 1 lost a guest, so its tags and file changed; track 2's did not.
    assert after[1] != before[1]
    assert after[2] == before[2]
    mp3 = Deliverable.objects.get(track__position=1, target="mp3")
    assert ffprobe(Path(mp3.file.path))["format"]["tags"]["artist"] == (
        "Wren Castellano feat. Ila Moss"
    )


def test_package_state_reads_credits_once_per_release(
    as_owner: APIClient, with_guests: Release
) -> None:
    render(as_owner, with_guests, targets=["mp3"])
    with CaptureQueriesContext(connection) as queries:
        states = package.deliverables_state(with_guests)
    assert [s.current.keys() for s in states] == [{"mp3"}, {"mp3"}]  # the tags' keys match
    credit_queries = [q["sql"] for q in queries if '"releases_credit"' in q["sql"]]
    # The tracks' credits (prefetched by the caller) and the release's once: not one per track.
    assert len(credit_queries) == 2, credit_queries


def test_a_render_task_reads_credits_once(with_guests: Release) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False):
        job, _ = services.release_render(release=with_guests, targets=["mp3"])
    task = job.tasks.get(track__position=1)
    with CaptureQueriesContext(connection) as queries:
        assert render_track.apply(args=(task.pk,)).get() == "done"
    credit_queries = [q["sql"] for q in queries if '"releases_credit"' in q["sql"]]
    assert len(credit_queries) == 2, credit_queries  # the track's and the release's


def noise_and_chords(path: Path, *, seconds: float = 24.0, rate: int = 48000) -> Path:
    """Music-like stereo: pink noise with a pulsing A-major chord, peaking at -3 dBFS. Seeded,
    so every run encodes the same signal."""
    frames = int(seconds * rate)
    white = np.random.default_rng(7).standard_normal((frames, 2))
    spectrum = np.fft.rfft(white, axis=0)
    frequencies = np.fft.rfftfreq(frames, 1 / rate)
    frequencies[0] = frequencies[1]
    pink = np.fft.irfft(spectrum / np.sqrt(frequencies)[:, None], n=frames, axis=0)
    t = np.arange(frames) / rate
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.18, 329.63, 440.0, 880.0))
    pulse = 0.5 + 0.5 * np.abs(np.sin(np.pi * t))
    signal = 0.35 * pink / np.abs(pink).max() + 0.06 * (chord * pulse)[:, None]
    signal *= 10 ** (-3 / 20) / np.abs(signal).max()
    soundfile.write(str(path), signal, rate, subtype="PCM_24")
    return path


def test_aac_delivers_its_bitrate(
    as_owner: APIClient, ready_release: Release, tmp_path: Path
) -> None:
    track = ready_release.tracks.get(position=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.master_upload(track=track, upload=upload(noise_and_chords(tmp_path / "m.wav")))
    render(as_owner, ready_release, targets=["aac"])
    aac = Deliverable.objects.get(track=track, target="aac")
    probe = ffprobe(Path(aac.file.path))
    stream = probe["streams"][0]
    assert stream["codec_name"] == "aac" and float(stream["duration"]) == pytest.approx(24, 0.01)
    assert 240_000 <= int(stream["bit_rate"]) <= 270_000, stream["bit_rate"]
    # What the package and DDEX promise is what was delivered, as another reader measures it.
    assert aac.bitrate == round(int(stream["bit_rate"]) / 1000)
    # A bare sine (track 2's master) gets fewer bits from ffmpeg's encoder: recorded as such.
    sparse = Deliverable.objects.get(track__position=2, track__release=ready_release, target="aac")
    sparse_rate = int(ffprobe(Path(sparse.file.path))["streams"][0]["bit_rate"])
    assert sparse_rate < 250_000
    assert sparse.bitrate == round(sparse_rate / 1000)
    # Second by second too: the rate is held through the track, not averaged out of extremes.
    packets = ffprobe(
        Path(aac.file.path), "-select_streams", "a", "-show_entries", "packet=pts_time,size"
    )["packets"]
    per_second = [0] * 24
    for packet in packets:
        second = int(float(packet["pts_time"]))
        if second < len(per_second):
            per_second[second] += int(packet["size"]) * 8
    assert all(230_000 <= bits <= 290_000 for bits in per_second), per_second
