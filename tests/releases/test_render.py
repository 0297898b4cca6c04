"""The render hook end to end with ffmpeg: formats, tags read back by ffprobe (an independent
reader), idempotency, a bad master, a missing renderer, cancel and retries."""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from releases import services
from releases.models import Deliverable, Release, RenderJob
from releases.render import FfmpegRenderer, TargetSpec
from releases.tasks import render_track
from songs.audio import AudioInfo

pytestmark = pytest.mark.django_db


def ffprobe(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout))


def render(client: APIClient, release: Release, **body: Any) -> Any:
    """POST render; tasks run in-process after the commit, as the eager lane does."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/api/v1/releases/{release.pk}/render/", body, format="json")
    return response


def test_render_makes_every_target_tagged(as_owner: APIClient, ready_release: Release) -> None:
    ready_release.tracks.filter(position=2).update(explicit=True)
    response = render(as_owner, ready_release)
    assert response.status_code == 202, response.json()
    job = as_owner.get(f"/api/v1/render-jobs/{response.json()['id']}/").json()
    assert (job["status"], job["done"], job["total"]) == ("done", 2, 2)
    assert [t["status"] for t in job["tasks"]] == ["done", "done"]
    deliverables = Deliverable.objects.filter(track__release=ready_release)
    assert deliverables.count() == 8
    expected_stream: dict[str, dict[str, object]] = {
        "flac": {"codec_name": "flac", "sample_rate": "48000", "bits_per_raw_sample": "24"},
        "wav16": {"codec_name": "pcm_s16le", "sample_rate": "44100", "bits_per_sample": 16},
        "mp3": {"codec_name": "mp3", "sample_rate": "44100", "bit_rate": "320000"},
        "aac": {"codec_name": "aac", "sample_rate": "44100"},
    }
    for deliverable in deliverables.select_related("track"):
        path = Path(deliverable.file.path)
        probe = ffprobe(path)
        audio = next(s for s in probe["streams"] if s["codec_type"] == "audio")
        for field, value in expected_stream[deliverable.target].items():
            assert audio[field] == value, (deliverable.target, field)
        assert audio["channels"] == 2
        assert int(probe["format"]["size"]) == deliverable.size == path.stat().st_size
        tags = {k.lower(): v for k, v in probe["format"].get("tags", {}).items()}
        assert "title" in tags, (deliverable.target, probe["format"])
        track = deliverable.track
        assert tags["title"] == track.title
        assert tags["artist"] == tags["album_artist"] == "Wren Castellano"
        assert tags["album"] == "Paper Lanterns"
        assert tags["composer"] == "Wren Castellano"
        assert tags["genre"] == "Folk"
        assert tags["date"].startswith("2027")
        # The © line is the copyright; ID3 (MP3, WAV) keeps it year first, without the symbol.
        id3_scheme = deliverable.target in ("mp3", "wav16")
        c_line = "2027 Harbour Lane Productions"
        assert tags["copyright"] == (c_line if id3_scheme else f"© {c_line}")
        assert tags.get("isrc", tags.get("tsrc")) == track.isrc
        assert tags["barcode"] == "4006381333931"
        assert tags.get("label", tags.get("publisher")) == "Driftwood Records"
        assert tags["track"].split("/")[0] == str(track.position)
        assert tags["disc"].split("/")[0] == "1"
        advisory = "1" if track.explicit else "0"
        assert tags.get("itunesadvisory", tags.get("rating")) == advisory, deliverable.target
        if deliverable.target != "wav16":
            # The cover rides along as an attached picture.
            pictures = [s for s in probe["streams"] if s["disposition"].get("attached_pic")]
            assert len(pictures) == 1, deliverable.target
        assert deliverable.md5 and len(deliverable.sha256) == 64
    # No temporary file is left behind.
    folder = Path(deliverables.first().file.path).parent.parent  # type: ignore[union-attr]
    assert not [p for p in folder.rglob(".part-*")]


def test_mp3_is_constant_bitrate(as_owner: APIClient, ready_release: Release) -> None:
    render(as_owner, ready_release, targets=["mp3"])
    mp3 = Deliverable.objects.get(track__position=1, track__release=ready_release)
    frames = (
        subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-select_streams",
                "a",
                "-show_entries",
                "packet=size",
                "-of",
                "csv=p=0",
                mp3.file.path,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.replace(",", "")
        .split()
    )
    # 320 kbit/s at 44.1 kHz: 1044 or 1045 bytes a frame (padding), never anything else.
    assert set(frames) <= {"1044", "1045"}


def test_a_second_render_renders_nothing_new(as_owner: APIClient, ready_release: Release) -> None:
    render(as_owner, ready_release, targets=["flac", "mp3"])
    before = {d.pk: (d.sha256, d.rendered_at) for d in Deliverable.objects.all()}
    response = render(as_owner, ready_release, targets=["flac", "mp3"])
    assert response.status_code == 202
    job = RenderJob.objects.get(pk=response.json()["id"])
    assert job.status == "done"
    assert all("unchanged" in t.message for t in job.tasks.all())
    assert {d.pk: (d.sha256, d.rendered_at) for d in Deliverable.objects.all()} == before
    # A changed title renders that track again (its tags changed), under its new name.
    track = ready_release.tracks.get(position=2)
    old = Path(Deliverable.objects.get(track=track, target="flac").file.path)
    services.track_save(track=track, title="Low Tide (Night Version)")
    render(as_owner, ready_release, targets=["flac", "mp3"])
    renewed = Deliverable.objects.get(track=track, target="flac")
    assert renewed.sha256 != before[renewed.pk][0]
    assert renewed.file.name.endswith("02 Low Tide (Night Version).flac")
    assert not old.exists()
    first = Deliverable.objects.get(track__position=1, target="flac", track__release=ready_release)
    assert first.sha256 == before[first.pk][0]


def test_one_bad_master_fails_its_track_only(as_owner: APIClient, ready_release: Release) -> None:
    broken = ready_release.tracks.get(position=2).master
    Path(broken.file.path).write_bytes(b"\x00" * 4096)  # the disk lost it after the upload
    response = render(as_owner, ready_release, targets=["flac"])
    job = RenderJob.objects.get(pk=response.json()["id"])
    assert job.status == "failed"
    statuses = dict(job.tasks.values_list("track__position", "status"))
    assert statuses == {1: "done", 2: "failed"}
    message = job.tasks.get(track__position=2).message
    assert "ffmpeg could not render flac" in message
    assert Deliverable.objects.filter(track__release=ready_release).count() == 1
    assert any(entry["track"] == 2 and "ffmpeg" in entry["message"] for entry in job.log)


def test_render_refusals(
    as_owner: APIClient,
    as_collaborator: APIClient,
    as_outsider: APIClient,
    ready_release: Release,
    settings: Any,
) -> None:
    assert render(as_outsider, ready_release).status_code == 404
    assert render(as_collaborator, ready_release).status_code == 403
    bad = render(as_owner, ready_release, targets=["ogg"])
    assert bad.status_code == 400 and "targets" in bad.json()
    settings.RELEASES_FFMPEG = "/nowhere/ffmpeg"
    missing = render(as_owner, ready_release)
    assert missing.status_code == 503
    assert "apt-get install ffmpeg" in missing.json()["detail"]
    settings.RELEASES_FFMPEG = "ffmpeg"
    ready_release.tracks.get(position=2).master.delete()
    no_master = render(as_owner, ready_release)
    assert no_master.status_code == 400
    assert no_master.json()["masters"] == ["Track 2 “Low Tide” has no master."]
    assert not RenderJob.objects.exists()


def test_cancel_stops_queued_tracks(as_owner: APIClient, ready_release: Release) -> None:
    # The job is made but its tasks are not run yet (as when the worker is busy).
    with TestCase.captureOnCommitCallbacks(execute=False):
        job, created = services.release_render(release=ready_release)
    assert created
    again, created = services.release_render(release=ready_release)
    assert (again.pk, created) == (job.pk, False)
    response = as_owner.post(f"/api/v1/render-jobs/{job.pk}/cancel/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["done"]) == ("cancelled", 2)
    # The broker still delivers the tasks: they do nothing.
    for task in job.tasks.all():
        assert render_track.apply(args=(task.pk,)).get() == "cancelled"
    assert not Deliverable.objects.exists()
    assert as_owner.post(f"/api/v1/render-jobs/{job.pk}/cancel/").status_code == 409


class FlakyRenderer(FfmpegRenderer):
    """A renderer whose disk fails the first time of each file (the hook's interface)."""

    failures: dict[str, int] = {}
    fail_times = 1

    def render(self, source: Path, info: AudioInfo, target: TargetSpec, destination: Path) -> None:
        seen = self.failures.get(destination.parent.as_posix() + source.name, 0)
        self.failures[destination.parent.as_posix() + source.name] = seen + 1
        if seen < self.fail_times:
            raise OSError("No space left on device")
        super().render(source, info, target, destination)


def test_transient_failures_are_retried(
    as_owner: APIClient, ready_release: Release, settings: Any
) -> None:
    settings.RELEASES_RENDERER = "tests.releases.test_render.FlakyRenderer"
    FlakyRenderer.failures, FlakyRenderer.fail_times = {}, 1
    job = RenderJob.objects.get(pk=render(as_owner, ready_release, targets=["mp3"]).json()["id"])
    assert job.status == "done"
    assert sorted(job.tasks.values_list("attempts", flat=True)) == [2, 2]
    FlakyRenderer.failures, FlakyRenderer.fail_times = {}, 99
    Deliverable.objects.all().delete()
    job = RenderJob.objects.get(pk=render(as_owner, ready_release, targets=["mp3"]).json()["id"])
    assert job.status == "failed"
    assert {t.message for t in job.tasks.all()} == {
        "Gave up after 4 attempts: No space left on device"
    }


def test_render_jobs_are_scoped(
    as_owner: APIClient,
    as_outsider: APIClient,
    ready_release: Release,
    django_assert_num_queries: Any,
) -> None:
    render(as_owner, ready_release, targets=["mp3"])
    job = RenderJob.objects.get()
    assert as_outsider.get(f"/api/v1/render-jobs/{job.pk}/").status_code == 404
    assert as_outsider.get("/api/v1/render-jobs/").json()["count"] == 0
    assert as_outsider.post(f"/api/v1/render-jobs/{job.pk}/cancel/").status_code == 404
    deliverable = Deliverable.objects.first()
    assert deliverable is not None
    assert as_outsider.get(f"/api/v1/deliverables/{deliverable.pk}/download/").status_code == 404
    download = as_owner.get(f"/api/v1/deliverables/{deliverable.pk}/download/")
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert body == Path(deliverable.file.path).read_bytes()
    with django_assert_num_queries(4):  # count, page, tasks, their tracks
        listed = as_owner.get("/api/v1/render-jobs/").json()
    assert listed["results"][0]["done"] == 2
    with django_assert_num_queries(2):  # count, page with tracks
        assert as_owner.get("/api/v1/deliverables/").json()["count"] == 2


class GarbageRenderer(FfmpegRenderer):
    """A renderer that says it succeeded but wrote something no tag writer can open."""

    def render(self, source: Path, info: AudioInfo, target: TargetSpec, destination: Path) -> None:
        destination.write_bytes(b"this is not a FLAC stream")


def test_an_unforeseen_failure_fails_the_track_not_the_request(
    as_owner: APIClient, ready_release: Release, settings: Any
) -> None:
    settings.RELEASES_RENDERER = "tests.releases.test_render.GarbageRenderer"
    response = render(as_owner, ready_release, targets=["flac"])
    assert response.status_code == 202
    job = RenderJob.objects.get(pk=response.json()["id"])
    assert job.status == "failed"
    assert all(t.message.startswith("Unexpected error: ") for t in job.tasks.all())
    assert not Deliverable.objects.exists()
    folder = Path(settings.MEDIA_ROOT) / "deliverables"
    assert not list(folder.rglob("*.flac"))


def test_targets_are_set_per_release(as_owner: APIClient, ready_release: Release) -> None:
    url = f"/api/v1/releases/{ready_release.pk}/"
    for bad in (["mp3", "ogg"], [], "mp3", ["mp3", "mp3"]):
        response = as_owner.patch(url, {"targets": bad}, format="json")
        assert response.status_code == 400, bad
        assert "targets" in response.json()
    assert as_owner.patch(url, {"targets": ["mp3"]}, format="json").status_code == 200
    render(as_owner, ready_release)
    assert set(Deliverable.objects.values_list("target", flat=True)) == {"mp3"}
    # The package asks for the release's targets only.
    assert as_owner.get(f"/api/v1/releases/{ready_release.pk}/package/").status_code == 200


def test_deleting_takes_the_files_along(
    as_owner: APIClient, as_collaborator: APIClient, as_outsider: APIClient, ready_release: Release
) -> None:
    render(as_owner, ready_release, targets=["mp3"])
    track = ready_release.tracks.get(position=2)
    files = [Path(track.master.file.path)] + [
        Path(d.file.path) for d in Deliverable.objects.filter(track=track)
    ]
    assert all(path.exists() for path in files) and len(files) == 2
    assert as_outsider.delete(f"/api/v1/tracks/{track.pk}/").status_code == 404
    assert as_collaborator.delete(f"/api/v1/tracks/{track.pk}/").status_code == 403
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert as_owner.delete(f"/api/v1/tracks/{track.pk}/").status_code == 204
    assert not any(path.exists() for path in files)
    media = Path(ready_release.artwork.image.path).parent.parent
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert as_owner.delete(f"/api/v1/releases/{ready_release.pk}/").status_code == 204
    assert not [p for p in media.parent.rglob("*") if p.is_file()]
