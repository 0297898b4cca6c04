"""Tags of a deliverable, written with mutagen in each format's own scheme: Vorbis comments
(FLAC), ID3v2.4 (MP3, and WAV's `id3 ` chunk) and iTunes atoms (M4A). The cover is embedded.

The © line goes where taggers (MusicBrainz Picard, beets, Mp3tag) put "copyright": ID3 TCOP,
Vorbis COPYRIGHT, iTunes `cprt`. The ℗ line has a standard home in ID3 only (TPRO, "Produced
notice"); Vorbis comments and iTunes atoms have none (Picard has no ℗ field at all), so it goes
under the name that Lyrion Music Server's ID3 mapping gives TPRO: PRODUCEDNOTICE, as a Vorbis
comment and as an iTunes freeform atom (`----:com.apple.iTunes:PRODUCEDNOTICE`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from mutagen import flac, id3, mp4, wave

from releases.models import CreditRole, Release, Track
from releases.selectors import artist_display_name, featured_artists


@dataclass(frozen=True)
class Tags:
    title: str
    artist: str
    album: str
    album_artist: str
    track_number: int
    track_total: int
    disc_number: int
    disc_total: int
    isrc: str
    barcode: str
    date: str
    genre: str
    label: str
    # "2027 Owner": year first, as ID3v2.4 wants TCOP and TPRO; the other schemes add © or ℗.
    c_line: str
    p_line: str
    composer: str
    explicit: bool
    advisory: int  # iTunes advisory: 1 explicit, 2 clean (edited version), 0 none
    cover: bytes = b""
    cover_mime: str = "image/jpeg"

    def digest_fields(self) -> dict[str, object]:
        """What goes into a deliverable's key (the cover by its checksum elsewhere)."""
        fields = asdict(self)
        fields.pop("cover")
        return fields


def _notice(year: int | None, owner: str) -> str:
    """A © or ℗ line without its symbol, year first; empty without a year (readiness asks for
    both, and a line with no year would break ID3's five-character rule)."""
    return f"{year} {owner}".strip() if year else ""


def tags_for(track: Track, *, track_total: int, disc_total: int, cover: bytes = b"") -> Tags:
    """A track's tags from its release. `track.credits` and `track.release.credits` (with their
    persons) are best prefetched: the featured artists are read from both."""
    release = track.release
    title = f"{track.title} ({track.version})" if track.version else track.title
    album = f"{release.title} ({release.version})" if release.version else release.title
    composers = [c.person.name for c in track.credits.all() if c.role == CreditRole.COMPOSER]
    # As DDEX's display artist: the track adds its own guests to the release's.
    artist = artist_display_name(release.display_artist, featured_artists(release, track))
    album_artist = artist_display_name(release.display_artist, featured_artists(release))
    date = release.release_date.isoformat() if release.release_date else ""
    if track.explicit:
        advisory = 1
    elif release.parental_warning == Release.ParentalWarning.EDITED:
        advisory = 2
    else:
        advisory = 0
    return Tags(
        title=title,
        artist=artist,
        album=album,
        album_artist=album_artist,
        track_number=track.position,
        track_total=track_total,
        disc_number=track.disc,
        disc_total=disc_total,
        isrc=track.isrc,
        barcode=release.upc,
        date=date,
        genre=release.genre,
        label=release.label,
        c_line=_notice(release.c_line_year, release.c_line_owner),
        p_line=_notice(release.p_line_year, release.p_line_owner),
        composer=", ".join(composers),
        explicit=track.explicit,
        advisory=advisory,
        cover=cover,
        cover_mime="image/png" if cover[:4] == b"\x89PNG" else "image/jpeg",
    )


def _vorbis(audio: flac.FLAC, tags: Tags) -> None:
    audio.delete()
    comments = {
        "TITLE": tags.title,
        "ARTIST": tags.artist,
        "ALBUM": tags.album,
        "ALBUMARTIST": tags.album_artist,
        "TRACKNUMBER": str(tags.track_number),
        "TRACKTOTAL": str(tags.track_total),
        "DISCNUMBER": str(tags.disc_number),
        "DISCTOTAL": str(tags.disc_total),
        "ISRC": tags.isrc,
        "BARCODE": tags.barcode,
        "DATE": tags.date,
        "GENRE": tags.genre,
        "LABEL": tags.label,
        "COPYRIGHT": f"© {tags.c_line}" if tags.c_line else "",
        "PRODUCEDNOTICE": f"℗ {tags.p_line}" if tags.p_line else "",
        "COMPOSER": tags.composer,
        "ITUNESADVISORY": str(tags.advisory),
    }
    for name, value in comments.items():
        if value:
            audio[name] = value
    audio.clear_pictures()
    if tags.cover:
        picture = flac.Picture()
        picture.type = id3.PictureType.COVER_FRONT
        picture.mime = tags.cover_mime
        picture.data = tags.cover
        audio.add_picture(picture)


def _id3(frames: id3.ID3, tags: Tags) -> None:
    frames.clear()
    texts: list[id3.TextFrame] = [
        id3.TIT2(encoding=3, text=tags.title),
        id3.TPE1(encoding=3, text=tags.artist),
        id3.TALB(encoding=3, text=tags.album),
        id3.TPE2(encoding=3, text=tags.album_artist),
        id3.TRCK(encoding=3, text=f"{tags.track_number}/{tags.track_total}"),
        id3.TPOS(encoding=3, text=f"{tags.disc_number}/{tags.disc_total}"),
        id3.TSRC(encoding=3, text=tags.isrc),
        id3.TXXX(encoding=3, desc="BARCODE", text=tags.barcode),
        id3.TDRC(encoding=3, text=tags.date),
        id3.TCON(encoding=3, text=tags.genre),
        id3.TPUB(encoding=3, text=tags.label),
        # ID3v2.4 §4.2.1: both start with the year and a space; players add "©" / "℗".
        id3.TCOP(encoding=3, text=tags.c_line),
        id3.TPRO(encoding=3, text=tags.p_line),
        id3.TCOM(encoding=3, text=tags.composer),
        id3.TXXX(encoding=3, desc="ITUNESADVISORY", text=str(tags.advisory)),
    ]
    for frame in texts:
        if any(getattr(frame, "text", ())):
            frames.add(frame)
    if tags.cover:
        frames.add(
            id3.APIC(
                encoding=3,
                mime=tags.cover_mime,
                type=id3.PictureType.COVER_FRONT,
                desc="Cover",
                data=tags.cover,
            )
        )


def _itunes(audio: mp4.MP4, tags: Tags) -> None:
    audio.delete()
    atoms: dict[str, object] = {
        "\xa9nam": tags.title,
        "\xa9ART": tags.artist,
        "\xa9alb": tags.album,
        "aART": tags.album_artist,
        "\xa9day": tags.date,
        "\xa9gen": tags.genre,
        "cprt": f"© {tags.c_line}" if tags.c_line else "",
        "\xa9wrt": tags.composer,
    }
    for name, value in atoms.items():
        if value:
            audio[name] = [value]
    audio["trkn"] = [(tags.track_number, tags.track_total)]
    audio["disk"] = [(tags.disc_number, tags.disc_total)]
    audio["rtng"] = [tags.advisory]
    freeform = (
        ("ISRC", tags.isrc),
        ("BARCODE", tags.barcode),
        ("LABEL", tags.label),
        ("PRODUCEDNOTICE", f"℗ {tags.p_line}" if tags.p_line else ""),
    )
    for name, value in freeform:
        if value:
            audio[f"----:com.apple.iTunes:{name}"] = [mp4.MP4FreeForm(value.encode())]
    if tags.cover:
        kind = mp4.MP4Cover.FORMAT_PNG if tags.cover_mime == "image/png" else None
        audio["covr"] = [mp4.MP4Cover(tags.cover, kind or mp4.MP4Cover.FORMAT_JPEG)]


def write(path: Path, extension: str, tags: Tags) -> None:
    """Replace every tag of the file at `path` (a deliverable of that extension)."""
    if extension == "flac":
        audio_flac = flac.FLAC(path)
        _vorbis(audio_flac, tags)
        audio_flac.save()
    elif extension == "mp3":
        frames = id3.ID3()
        _id3(frames, tags)
        frames.save(path, v2_version=4)
    elif extension == "wav":
        audio_wave = wave.WAVE(path)
        if audio_wave.tags is None:
            audio_wave.add_tags()
        assert audio_wave.tags is not None  # noqa: S101  # for mypy: add_tags made them
        _id3(audio_wave.tags, tags)
        audio_wave.save(v2_version=4)
    elif extension == "m4a":
        audio_mp4 = mp4.MP4(path)
        _itunes(audio_mp4, tags)
        audio_mp4.save()
    else:
        raise ValueError(f"No tag scheme for .{extension} files.")
