"""The delivery package of a release: deliverables, cover, DDEX message, metadata JSON and a
checksum manifest in one zip; and the distributor-style CSV of its tracks.

Every name in the zip is built from `safe_name` parts under one folder, so no entry can point
outside it whatever a title holds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from lxml import etree

from releases import ddex
from releases.models import Artwork, Credit, Deliverable, Release, Split, Track
from releases.render import renderer
from releases.selectors import Finding, release_readiness, release_tracks
from releases.services.rendering import (
    ReleaseFacts,
    deliverable_name,
    render_key,
    safe_name,
    track_tags,
)

CODECS = {"flac": "FLAC", "wav16": "PCM", "mp3": "MP3", "aac": "AAC"}
CSV_COLUMNS = [
    "upc",
    "catalog_number",
    "release_title",
    "release_version",
    "release_artist",
    "label",
    "release_date",
    "original_release_date",
    "genre",
    "release_type",
    "parental_warning",
    "p_line",
    "c_line",
    "disc",
    "track",
    "isrc",
    "iswc",
    "track_title",
    "track_version",
    "track_artist",
    "duration",
    "explicit",
    "language",
    "composers",
    "lyricists",
    "producers",
    "featured_artists",
    "writer_splits",
    "publisher_splits",
]


@dataclass(frozen=True)
class TrackFiles:
    track: Track
    current: dict[str, Deliverable]  # target -> deliverable rendered from today's master/tags
    stale: list[str]  # targets rendered from an older master or older metadata
    missing: list[str]


def tracks_with_files(release: Release) -> list[Track]:
    """The tracks with what readiness, tags, the package and the page read of them."""
    return list(release_tracks(release).prefetch_related("deliverables"))


def deliverables_state(release: Release, tracks: list[Track] | None = None) -> list[TrackFiles]:
    """Each track's deliverables in the release's targets: current, stale or missing."""
    active = renderer()
    tracks = tracks if tracks is not None else tracks_with_files(release)
    facts = ReleaseFacts.of(release, tracks, with_cover=False)
    states = []
    for track in tracks:
        master = getattr(track, "master", None)
        tags = track_tags(track, facts) if master is not None else None
        by_target = {d.target: d for d in track.deliverables.all()}
        current, stale, missing = {}, [], []
        for target in release.targets:
            delivered = by_target.get(target)
            if delivered is None or master is None or tags is None:
                missing.append(target)
            elif delivered.key != render_key(master, target, active, tags, facts.cover_sha256):
                stale.append(target)
            else:
                current[target] = delivered
        states.append(TrackFiles(track, current, stale, missing))
    return states


def package_problems(
    release: Release, states: list[TrackFiles], findings: list[Finding] | None = None
) -> list[str]:
    """Why the release cannot be packaged yet; empty when it can."""
    if findings is None:
        findings = release_readiness(release=release)
    problems = [f.message for f in findings if f.level == "blocking"]
    for state in states:
        label = f"Track {state.track.position} “{state.track.title}”"
        if state.missing:
            problems.append(f"{label} has no {', '.join(state.missing)} deliverable: render it.")
        if state.stale:
            problems.append(
                f"{label}: {', '.join(state.stale)} is out of date with its master or "
                "metadata: render again."
            )
    return problems


def _folder(release: Release) -> str:
    return safe_name(f"{release.upc} {release.display_artist} - {release.title}", limit=120)


def metadata(release: Release, tracks: list[Track], states: list[TrackFiles]) -> dict[str, Any]:
    """The release as plain data: what the package's metadata.json holds."""
    files = {state.track.pk: state.current for state in states}

    def credits_of(track: Track | None) -> list[dict[str, str]]:
        chosen = track.credits.all() if track is not None else []
        return [{"name": c.person.name, "role": c.role, "instrument": c.instrument} for c in chosen]

    return {
        "release": {
            "title": release.title,
            "version": release.version,
            "type": release.type,
            "display_artist": release.display_artist,
            "label": release.label,
            "catalog_number": release.catalog_number,
            "upc": release.upc,
            "release_date": release.release_date.isoformat() if release.release_date else None,
            "original_release_date": (
                release.original_release_date.isoformat() if release.original_release_date else None
            ),
            "genre": release.genre,
            "language": release.language,
            "p_line": {"year": release.p_line_year, "owner": release.p_line_owner},
            "c_line": {"year": release.c_line_year, "owner": release.c_line_owner},
            "parental_warning": release.parental_warning,
            "credits": [
                {"name": c.person.name, "role": c.role}
                for c in Credit.objects.filter(release=release, track__isnull=True)
                .select_related("person")
                .order_by("pk")
            ],
        },
        "tracks": [
            {
                "disc": track.disc,
                "position": track.position,
                "title": track.title,
                "version": track.version,
                "isrc": track.isrc,
                "iswc": track.iswc,
                "duration_seconds": track.duration_seconds,
                "explicit": track.explicit,
                "instrumental": track.instrumental,
                "language": track.language or release.language,
                "credits": credits_of(track),
                "splits": [
                    {"kind": s.kind, "party": s.party, "share": str(s.share)}
                    for s in track.splits.all()
                ],
                "master": _master_data(track),
                "files": {
                    target: {
                        "path": f"audio/{target}/{deliverable_name(track, target)}",
                        "sha256": d.sha256,
                        "md5": d.md5,
                        "size": d.size,
                    }
                    for target, d in files[track.pk].items()
                },
            }
            for track in tracks
        ],
        "generated_at": timezone.now().isoformat(timespec="seconds"),
    }


def _master_data(track: Track) -> dict[str, Any] | None:
    master = getattr(track, "master", None)
    if master is None:
        return None
    return {
        "format": master.format,
        "sample_rate": master.sample_rate,
        "bit_depth": master.bit_depth,
        "channels": master.channels,
        "duration_seconds": round(master.duration, 3),
        "sha256": master.sha256,
        "integrated_lufs": master.integrated_lufs,
        "true_peak_dbtp": master.true_peak_dbtp,
        "loudness_range_lu": master.loudness_range_lu,
    }


def package_write(release: Release, out: IO[bytes]) -> list[str]:
    """Write the package zip to `out`; returns the names inside. The caller checked
    `package_problems` first; a DDEX message the schema refuses raises ValidationError."""
    tracks = tracks_with_files(release)
    states = deliverables_state(release, tracks)
    root = _folder(release)
    manifest: list[tuple[str, str, str]] = []  # (name, sha256, md5)
    names: list[str] = []
    files: dict[int, list[ddex.DeliveryFile]] = {}
    with zipfile.ZipFile(out, "w") as archive:

        def add_bytes(name: str, data: bytes, *, compress: bool = True) -> None:
            kind = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            archive.writestr(f"{root}/{name}", data, compress_type=kind)
            md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
            manifest.append((name, hashlib.sha256(data).hexdigest(), md5))
            names.append(f"{root}/{name}")

        for state in states:
            track_files = files.setdefault(state.track.pk, [])
            master = state.track.master
            for target, delivered in state.current.items():
                name = f"audio/{target}/{deliverable_name(state.track, target)}"
                # Audio is compressed already: stored, streamed from disk in chunks.
                archive.write(delivered.file.path, f"{root}/{name}", zipfile.ZIP_STORED)
                manifest.append((name, delivered.sha256, delivered.md5))
                names.append(f"{root}/{name}")
                track_files.append(
                    ddex.DeliveryFile(
                        uri=name,
                        codec=CODECS[target],
                        md5=delivered.md5,
                        size=delivered.size,
                        sample_rate=delivered.sample_rate,
                        channels=master.channels,
                        bits_per_sample=delivered.bit_depth,
                        bitrate_kbps=delivered.bitrate,
                    )
                )
        artwork = Artwork.objects.filter(release=release).first()
        if artwork is not None:
            with artwork.image.open("rb") as handle:
                cover = handle.read()
            # The name the DDEX message gives the cover's file.
            add_bytes(ddex.cover_uri(artwork), cover, compress=False)
        message = ddex.new_release_message(release, files=files)
        errors = ddex.validate(message)
        if errors:
            raise ValidationError({"ddex": errors[:10]})
        add_bytes(
            f"ddex/{release.upc}.xml",
            etree.tostring(message, xml_declaration=True, encoding="UTF-8", pretty_print=True),
        )
        body = json.dumps(metadata(release, tracks, states), indent=2, ensure_ascii=False)
        add_bytes("metadata.json", body.encode())
        add_bytes("tracks.csv", distributor_csv(release, tracks).encode())
        sha_lines = "".join(f"{sha}  {name}\n" for name, sha, _ in manifest)
        md5_lines = "".join(f"{md5}  {name}\n" for name, _, md5 in manifest)
        archive.writestr(f"{root}/checksums.sha256", sha_lines)
        archive.writestr(f"{root}/checksums.md5", md5_lines)
        names += [f"{root}/checksums.sha256", f"{root}/checksums.md5"]
    return names


def _line(year: int | None, owner: str, mark: str) -> str:
    return f"{mark} {year} {owner}" if year else ""


def distributor_csv(release: Release, tracks: list[Track] | None = None) -> str:
    """One row per track with the release's fields repeated, as distributors' bulk sheets ask."""
    tracks = tracks if tracks is not None else tracks_with_files(release)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for track in tracks:

        def names(role: str, track: Track = track) -> str:
            return "; ".join(c.person.name for c in track.credits.all() if c.role == role)

        def splits(kind: str, track: Track = track) -> str:
            return "; ".join(f"{s.party} {s.share}%" for s in track.splits.all() if s.kind == kind)

        writer.writerow(
            {
                "upc": release.upc,
                "catalog_number": release.catalog_number,
                "release_title": release.title,
                "release_version": release.version,
                "release_artist": release.display_artist,
                "label": release.label,
                "release_date": release.release_date or "",
                "original_release_date": release.original_release_date or "",
                "genre": release.genre,
                "release_type": release.get_type_display(),
                "parental_warning": release.parental_warning,
                "p_line": _line(release.p_line_year, release.p_line_owner, "℗"),
                "c_line": _line(release.c_line_year, release.c_line_owner, "©"),
                "disc": track.disc,
                "track": track.position,
                "isrc": track.isrc,
                "iswc": track.iswc,
                "track_title": track.title,
                "track_version": track.version,
                "track_artist": release.display_artist,
                "duration": track.length,
                "explicit": "yes" if track.explicit else "no",
                "language": track.language or release.language,
                "composers": names("Composer"),
                "lyricists": names("Lyricist"),
                "producers": names("Producer"),
                "featured_artists": names("FeaturedArtist"),
                "writer_splits": splits(Split.Kind.WRITER),
                "publisher_splits": splits(Split.Kind.PUBLISHER),
            }
        )
    return buffer.getvalue()
