"""Song versions through the services: numbering, content checks, analysis with real ffmpeg,
notes at a time, resolution carried forward, approval setting the master and the stage."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from core.errors import Conflict, Unavailable
from projects.models import Person, Project, Role
from releases import services as release_services
from releases.models import Master, Release, Track
from songs import services, waveform
from songs.models import Song, SongStage, SongStageChange, SongVersion, VersionNote
from songs.services import song_create
from songs.services.versions import parse_time
from tests.conftest import api_client_for
from tests.factories import MembershipFactory, UserFactory
from tests.releases.audio_files import tone

pytestmark = pytest.mark.django_db


def wav(path: Path, **kwargs: Any) -> SimpleUploadedFile:
    tone(path, **{"seconds": 6.0, "rate": 44100, **kwargs})
    return SimpleUploadedFile(path.name, path.read_bytes())


def upload(song: Song, kind: str, tmp_path: Path, by: Any, name: str = "v.wav") -> SongVersion:
    """Upload and run what the upload queues after commit (the analysis), as a commit would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        version = services.version_upload(song=song, kind=kind, upload=wav(tmp_path / name), by=by)
    version.refresh_from_db()
    return version


@pytest.fixture
def song(project: Project) -> Song:
    return song_create(project=project, title="Paper Lanterns", stage=SongStage.MIXING)


@pytest.fixture
def artist(project: Project) -> Any:
    user = UserFactory.create(username="artist")
    MembershipFactory.create(project=project, user=user, role=Role.ARTIST)
    return user


def test_versions_are_numbered_per_song_and_kind(song: Song, owner: Any, tmp_path: Path) -> None:
    labels = [
        upload(song, kind, tmp_path, owner, f"{i}.wav").label
        for i, kind in enumerate(["rough", "mix", "mix", "master", "mix"])
    ]
    assert labels == ["Rough v1", "Mix v1", "Mix v2", "Master v1", "Mix v3"]
    other = song_create(project=song.project, title="Low Tide")
    assert upload(other, "mix", tmp_path, owner, "o.wav").label == "Mix v1"


def test_corrupt_upload_is_refused_and_nothing_is_kept(
    song: Song, owner: Any, tmp_path: Path, settings: Any
) -> None:
    good = tone(tmp_path / "cut.wav", seconds=3.0)
    cut = SimpleUploadedFile("cut.wav", good.read_bytes()[:20000])
    with pytest.raises(ValidationError) as refused:
        services.version_upload(song=song, kind="mix", upload=cut, by=owner)
    assert "cut short" in refused.value.message_dict["file"][0]
    mp3ish = SimpleUploadedFile("mix.wav", b"ID3\x03\x00" + b"\x00" * 4000)
    with pytest.raises(ValidationError) as refused:
        services.version_upload(song=song, kind="mix", upload=mp3ish, by=owner)
    assert "MP3" in refused.value.message_dict["file"][0]
    assert not SongVersion.objects.exists()
    stored = Path(settings.MEDIA_ROOT) / "versions"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_unknown_kind_is_refused(song: Song, owner: Any, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        services.version_upload(song=song, kind="demo", upload=wav(tmp_path / "a.wav"), by=owner)
    assert "kind" in refused.value.message_dict


def test_analysis_measures_loudness_draws_peaks_and_makes_a_preview(
    song: Song, owner: Any, tmp_path: Path
) -> None:
    version = upload(song, "mix", tmp_path, owner)
    assert version.status == SongVersion.Status.READY
    # A full-scale -18 dBFS sine at 1 kHz reads about -18.6 LUFS (stereo: +3 dB, K-weighting).
    assert version.integrated_lufs is not None
    assert -19.5 < version.integrated_lufs < -14.0
    assert version.true_peak_dbtp == pytest.approx(-18.0, abs=0.2)
    assert len(version.peaks) == waveform.BUCKETS
    assert max(high for _low, high in version.peaks) == pytest.approx(10 ** (-18 / 20), rel=0.02)
    assert min(low for low, _high in version.peaks) == pytest.approx(-(10 ** (-18 / 20)), rel=0.02)
    preview = Path(version.preview.path)
    info = soundfile.info(str(preview))
    assert info.format == "MP3"
    assert info.duration == pytest.approx(6.0, abs=0.1)
    assert preview.stat().st_size < Path(version.file.path).stat().st_size / 3
    # Idempotent: a second run keeps the preview it made.
    assert services.version_analyse(version_id=version.pk) is True
    assert SongVersion.objects.get(pk=version.pk).preview.name == version.preview.name


def test_analysis_without_ffmpeg_is_a_503_not_a_failure(
    song: Song, owner: Any, tmp_path: Path, settings: Any
) -> None:
    version = services.version_upload(
        song=song, kind="mix", upload=wav(tmp_path / "a.wav"), by=owner
    )
    settings.RELEASES_FFMPEG = "/nonexistent/ffmpeg"
    with pytest.raises(Unavailable, match="ffmpeg is not installed"):
        services.version_analyse(version_id=version.pk)
    version.refresh_from_db()
    assert version.status == SongVersion.Status.PENDING
    assert not version.preview
    assert "ffmpeg is not installed" in version.status_message


def test_peaks_of_silence_then_a_burst(tmp_path: Path) -> None:
    rate = 8000
    samples = np.zeros(rate * 4, dtype=np.float32)
    samples[rate * 3 :] = 0.5
    soundfile.write(str(tmp_path / "b.wav"), samples, rate)
    drawn = waveform.peaks(tmp_path / "b.wav", buckets=4)
    assert drawn == [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.5, 0.5]]


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [
        ("42", "42.00"),
        ("0:42", "42.00"),
        ("1:02", "62.00"),
        ("1:00:05", "3605.00"),
        ("2.5", "2.50"),
    ],
)
def test_times_are_read_as_typed(typed: str, seconds: str) -> None:
    assert parse_time(typed) == Decimal(seconds)


@pytest.mark.parametrize(
    "typed", ["", "abc", "-3", "1:75", "nan", "sNaN", "1:2:3:4", "inf", "1e30", "99999999"]
)
def test_bad_times_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError):
        parse_time(typed)


def test_note_time_lies_within_the_version(song: Song, owner: Any, tmp_path: Path) -> None:
    version = upload(song, "mix", tmp_path, owner)
    note = services.version_note_add(
        version=version, at_seconds=Decimal("4.5"), body="vocal too loud", by=owner
    )
    assert note.at_label == "0:04"
    with pytest.raises(ValidationError) as refused:
        services.version_note_add(
            version=version, at_seconds=Decimal("7"), body="after the end", by=owner
        )
    assert "0:06" in refused.value.message_dict["at_seconds"][0]
    with pytest.raises(ValidationError) as refused:
        services.version_note_add(version=version, at_seconds=Decimal("1"), body="  ", by=owner)
    assert "body" in refused.value.message_dict
    assert VersionNote.objects.count() == 1


def test_resolved_notes_carry_forward_as_fixed_in(song: Song, owner: Any, tmp_path: Path) -> None:
    v1 = upload(song, "mix", tmp_path, owner, "1.wav")
    note = services.version_note_add(
        version=v1, at_seconds=Decimal("2"), body="snare too dry", by=owner
    )
    v2 = upload(song, "mix", tmp_path, owner, "2.wav")
    resolved = services.version_note_resolve(note=note, by=owner)
    assert resolved.resolved_in == v2
    assert resolved.resolved_by == owner
    again = services.version_note_resolve(note=note, by=None)
    assert again.resolved_at == resolved.resolved_at
    other = song_create(project=song.project, title="Low Tide")
    elsewhere = upload(other, "mix", tmp_path, owner, "o.wav")
    late = services.version_note_add(version=v2, at_seconds=Decimal("1"), body="hiss", by=owner)
    with pytest.raises(ValidationError):
        services.version_note_resolve(note=late, by=owner, in_version=elsewhere)
    with pytest.raises(ValidationError):
        services.version_note_resolve(note=late, by=owner, in_version=v1)


def test_approving_a_master_sets_the_tracks_master_and_finishes_the_song(
    song: Song, owner: Any, artist: Any, tmp_path: Path
) -> None:
    release = Release.objects.create(project=song.project, title="PL", display_artist="W")
    track = release_services.track_from_song(release=release, song=song, position=1)
    assert track.title == "Paper Lanterns"
    mix = upload(song, "mix", tmp_path, owner, "m.wav")
    services.version_approve(version=mix, by=artist)
    song.refresh_from_db()
    assert song.stage == SongStage.MASTERING
    assert not Master.objects.filter(track=track).exists()
    master_version = upload(song, "master", tmp_path, owner, "final.wav")
    services.version_approve(version=master_version, by=artist)
    master = Master.objects.get(track=track)
    assert master.sha256 == master_version.sha256
    assert master.integrated_lufs == master_version.integrated_lufs
    assert Path(master.file.path).read_bytes() == Path(master_version.file.path).read_bytes()
    song.refresh_from_db()
    assert song.stage == SongStage.DONE
    moves = list(SongStageChange.objects.filter(song=song).values_list("from_stage", "to_stage"))
    assert moves == [("mixing", "mastering"), ("mastering", "done")]
    assert SongStageChange.objects.filter(song=song).last().by == artist  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        services.version_approve(version=master_version, by=artist)


def test_approving_a_mix_as_master_is_refused(song: Song, owner: Any, tmp_path: Path) -> None:
    release = Release.objects.create(project=song.project, title="PL", display_artist="W")
    track = release_services.track_from_song(release=release, song=song, position=1)
    mix = upload(song, "mix", tmp_path, owner)
    with pytest.raises(ValidationError) as refused:
        services.version_approve(version=mix, by=owner, as_master=True)
    assert "only a version uploaded as a master" in refused.value.message_dict["as_master"][0]
    mix.refresh_from_db()
    assert mix.approved_at is None
    assert not Master.objects.filter(track=track).exists()


def test_a_later_upload_leaves_the_approved_version_alone(
    song: Song, owner: Any, tmp_path: Path
) -> None:
    release = Release.objects.create(project=song.project, title="PL", display_artist="W")
    track = release_services.track_from_song(release=release, song=song, position=1)
    approved = upload(song, "master", tmp_path, owner, "a.wav")
    services.version_approve(version=approved, by=owner)
    kept = Master.objects.get(track=track).sha256
    later = services.version_upload(
        song=song, kind="master", upload=wav(tmp_path / "b.wav", dbfs=-9.0), by=owner
    )
    assert later.label == "Master v2"
    approved.refresh_from_db()
    assert approved.approved_at is not None
    assert Master.objects.get(track=track).sha256 == kept != later.sha256


def test_a_track_made_from_a_song_takes_title_writers_and_approved_master(
    song: Song, owner: Any, tmp_path: Path
) -> None:
    writer = Person.objects.create(name="Ada Writer")
    song.writers.add(writer)
    approved = upload(song, "master", tmp_path, owner)
    services.version_approve(version=approved, by=owner)
    release = Release.objects.create(project=song.project, title="PL", display_artist="W")
    track = release_services.track_from_song(release=release, song=song, position=1)
    assert track.song == song
    assert sorted(track.credits.values_list("person__name", "role")) == [
        ("Ada Writer", "Composer"),
        ("Ada Writer", "Lyricist"),
    ]
    assert track.master.sha256 == approved.sha256
    with pytest.raises(ValidationError):
        release_services.track_from_song(release=release, song=song, position=2)
    assert Track.objects.filter(release=release).count() == 1


def test_a_track_from_a_master_not_yet_measured_has_its_master_measured(
    song: Song, owner: Any, tmp_path: Path
) -> None:
    """Approved before its analysis ran (all in one transaction, as the demo loads), the
    version's copy on a track made afterwards is measured once that commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        approved = services.version_upload(
            song=song, kind="master", upload=wav(tmp_path / "m.wav", dbfs=-9.0), by=owner
        )
        services.version_approve(version=approved, by=owner)
        release = Release.objects.create(project=song.project, title="PL", display_artist="W")
        track = release_services.track_from_song(release=release, song=song, position=1)
        assert track.master.integrated_lufs is None
    master = Master.objects.get(track=track)
    assert master.integrated_lufs is not None and master.true_peak_dbtp is not None
    assert master.loudness_range_lu is not None


def test_a_deleted_song_takes_its_versions_files_along(
    song: Song, owner: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    version = upload(song, "mix", tmp_path, owner)
    stored = [(f.storage, f.name) for f in (version.file, version.preview)]
    assert all(name and storage.exists(name) for storage, name in stored)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(owner).delete(f"/api/v1/songs/{song.pk}/")
    assert response.status_code == 204
    assert not SongVersion.objects.filter(pk=version.pk).exists()
    assert [storage.exists(name) for storage, name in stored] == [False, False]


def test_a_version_longer_than_the_limit_is_refused_naming_it(
    song: Song, owner: Any, tmp_path: Path, settings: Any
) -> None:
    settings.SONG_VERSION_MAX_MINUTES = 1
    long = tone(tmp_path / "long.wav", seconds=61.0, rate=8000)
    with pytest.raises(ValidationError) as refused:
        services.version_upload(
            song=song,
            kind="mix",
            upload=SimpleUploadedFile("long.wav", long.read_bytes()),
            by=owner,
        )
    assert refused.value.message_dict["file"] == [
        "“long.wav” is longer than 1 minute, the longest this takes."
    ]
    assert not SongVersion.objects.exists()


def test_ten_hours_of_silence_are_refused_before_they_are_decoded(
    song: Song, owner: Any, tmp_path: Path
) -> None:
    """A small FLAC (a few MB) that decodes to ten hours: refused by its header, at once,
    with a 400 naming the limit; it once held a web process for minutes and gigabytes."""
    import subprocess
    import time

    path = tmp_path / "silence.flac"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "anullsrc=sample_rate=8000:channel_layout=mono",
            "-t",
            "36000",
            "-c:a",
            "flac",
            str(path),
        ],
        check=True,
    )
    assert path.stat().st_size < 20 * 1024 * 1024
    client = api_client_for(owner)
    started = time.monotonic()
    with path.open("rb") as handle:
        response = client.post(
            "/api/v1/song-versions/",
            {"song": song.pk, "kind": "mix", "file": handle},
            format="multipart",
        )
    assert response.status_code == 400, response.content
    assert response.json()["file"] == [
        "“silence.flac” is longer than 2 hours, the longest this takes."
    ]
    assert time.monotonic() - started < 10
    assert not SongVersion.objects.exists()


def test_a_failed_analysis_says_why_and_is_retried_from_the_page(
    song: Song, owner: Any, tmp_path: Path, outsider: Any
) -> None:
    version = upload(song, "mix", tmp_path, owner)
    assert version.status == SongVersion.Status.READY
    good = Path(version.file.path).read_bytes()
    Path(version.file.path).write_bytes(b"RIFF" + b"\x00" * 64)
    SongVersion.objects.filter(pk=version.pk).update(
        status=SongVersion.Status.PENDING, preview="", analysis_attempts=0
    )
    assert services.version_analyse(version_id=version.pk) is False
    version.refresh_from_db()
    assert version.status == SongVersion.Status.FAILED
    assert version.status_message.startswith("the analysis failed: ")
    assert version.status_message.endswith("Retry it, or upload the file again.")
    assert version.analysis_attempts == 1

    client = api_client_for(owner)
    page = f"/projects/{song.project_id}/songs/{song.pk}/versions/?version={version.pk}"
    from django.test import Client

    browser = Client()
    browser.force_login(owner)
    shown = browser.get(page).content.decode()
    assert "No preview: the analysis failed" in shown and "Retry the analysis" in shown
    # Fixed on disk (say the storage hiccuped), retried: analysed.
    Path(version.file.path).write_bytes(good)
    retry = f"/projects/{song.project_id}/songs/{song.pk}/versions/{version.pk}/analyse/"
    assert (
        api_client_for(outsider).post(f"/api/v1/song-versions/{version.pk}/analyse/").status_code
        == 404
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert browser.post(retry).status_code == 302
    version.refresh_from_db()
    assert version.status == SongVersion.Status.READY and version.preview
    # Nothing to retry now: 409 saying so.
    again = client.post(f"/api/v1/song-versions/{version.pk}/analyse/")
    assert again.status_code == 409
    assert "nothing to retry" in again.json()["detail"]


def test_the_sweep_gives_up_after_three_tries_and_says_so(
    song: Song, owner: Any, tmp_path: Path
) -> None:
    import datetime

    from django.utils import timezone

    from songs.services.versions import ANALYSIS_TRIES, version_analyse_sweep

    stuck = upload(song, "mix", tmp_path, owner, "a.wav")
    waiting = upload(song, "mix", tmp_path, owner, "b.wav")
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    SongVersion.objects.filter(pk=stuck.pk).update(
        status=SongVersion.Status.PENDING, analysis_attempts=ANALYSIS_TRIES, uploaded_at=an_hour_ago
    )
    SongVersion.objects.filter(pk=waiting.pk).update(
        status=SongVersion.Status.PENDING, preview="", analysis_attempts=1, uploaded_at=an_hour_ago
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert version_analyse_sweep() == 1
    stuck.refresh_from_db()
    waiting.refresh_from_db()
    assert stuck.status == SongVersion.Status.FAILED
    assert stuck.status_message.startswith("the analysis did not finish after 3 tries")
    assert waiting.status == SongVersion.Status.READY and waiting.analysis_attempts == 2
