"""factory_boy factories for releases, tracks and credits; invented names only."""

import datetime
import io

import factory
from PIL import Image

from projects.models import Project
from releases import services
from releases.models import Credit, CreditRole, Release, Track
from tests.factories import PersonFactory, ProjectFactory


class ReleaseFactory(factory.django.DjangoModelFactory[Release]):
    class Meta:
        model = Release

    project = factory.SubFactory(ProjectFactory)
    type = Release.Type.SINGLE
    title = factory.Sequence(lambda n: f"Record {n}")
    display_artist = "Wren Castellano"
    label = "Driftwood Records"
    genre = "Folk"
    language = "en"
    release_date = datetime.date(2027, 2, 12)
    p_line_year = 2027
    p_line_owner = "Harbour Lane Productions"
    c_line_year = 2027
    c_line_owner = "Harbour Lane Productions"


class TrackFactory(factory.django.DjangoModelFactory[Track]):
    class Meta:
        model = Track

    release = factory.SubFactory(ReleaseFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Song {n}")
    duration_seconds = 200


class CreditFactory(factory.django.DjangoModelFactory[Credit]):
    class Meta:
        model = Credit

    release = factory.LazyAttribute(lambda c: c.track.release if c.track else ReleaseFactory())
    track = None
    person = factory.SubFactory(PersonFactory)
    role = CreditRole.PRODUCER


def cover_jpeg(side: int = 1400) -> bytes:
    """A square JPEG cover as small as stores take."""
    out = io.BytesIO()
    Image.new("RGB", (side, side), (23, 32, 46)).save(out, "JPEG", quality=60)
    return out.getvalue()


def ddex_release(project: Project) -> Release:
    """An EP on two discs with everything a DDEX message carries: version, catalogue number,
    both dates, both lines, a cover, featured artists on the release and on a track, session
    players with instruments (one DDEX does not list), a conductor and an orchestra."""
    release = ReleaseFactory.create(
        project=project,
        type=Release.Type.EP,
        title="Harbour Lights",
        version="Deluxe",
        upc="4006381333931",
        catalog_number="DRIFT-042",
        original_release_date=datetime.date(2019, 5, 3),
        c_line_year=2026,
        c_line_owner="Driftwood Records Ltd",
        parental_warning=Release.ParentalWarning.EXPLICIT,
    )
    services.artwork_set(release=release, data=cover_jpeg(), filename="cover.jpg")
    wren = PersonFactory.create(name="Wren Castellano")
    first = TrackFactory.create(
        release=release, position=1, title="Paper Lanterns", isrc="DEA122700001"
    )
    second = TrackFactory.create(
        release=release,
        position=2,
        title="Low Tide",
        version="Acoustic",
        isrc="DEA122700002",
        duration_seconds=187,
        explicit=True,
        language="de",
    )
    third = TrackFactory.create(
        release=release,
        disc=2,
        position=1,
        title="Undertow",
        version="Live at the Harbour",
        isrc="DEA122700003",
        duration_seconds=301,
        instrumental=True,
    )
    CreditFactory.create(release=release, person=wren, role=CreditRole.MAIN_ARTIST)
    CreditFactory.create(release=release, person__name="Ada Okafor", role="FeaturedArtist")
    CreditFactory.create(release=release, person__name="Robin Marsh", role=CreditRole.PRODUCER)
    for track in (first, second, third):
        CreditFactory.create(track=track, person=wren, role=CreditRole.COMPOSER)
    CreditFactory.create(track=first, person=wren, role=CreditRole.LYRICIST)
    CreditFactory.create(
        track=first, person__name="Jonas Feld", role="Musician", instrument="cello"
    )
    CreditFactory.create(
        track=first,
        person__name="Mara Lind",
        role=CreditRole.MUSICIAN,
        instrument="electric guitar, modular synth",
    )
    CreditFactory.create(track=second, person__name="Theo Marsh", role="FeaturedArtist")
    CreditFactory.create(
        track=second, person__name="Ilse Brandt", role="Soloist", instrument="violin"
    )
    CreditFactory.create(track=second, person__name="Kit Osei", role=CreditRole.MIXING_ENGINEER)
    CreditFactory.create(track=third, person__name="Lena Vogt", role=CreditRole.CONDUCTOR)
    CreditFactory.create(track=third, person__name="Harbour Strings", role=CreditRole.ORCHESTRA)
    return release
