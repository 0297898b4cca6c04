"""Our credit roles and instruments in DDEX's words (allowed-value-sets.xsd), both ways."""

from __future__ import annotations

import re

from releases.ddex.schema import allowed_values
from releases.models import CreditRole

# Credits shown as DisplayArtist, not as Contributor.
ARTIST_ROLES = {CreditRole.MAIN_ARTIST, CreditRole.FEATURED_ARTIST}

# Our roles as DDEX ContributorRole values. DDEX calls a record producer a StudioProducer.
CONTRIBUTOR_ROLES: dict[str, str] = {
    CreditRole.PRODUCER: "StudioProducer",
    CreditRole.MIXING_ENGINEER: "MixingEngineer",
    CreditRole.MASTERING_ENGINEER: "MasteringEngineer",
    CreditRole.RECORDING_ENGINEER: "RecordingEngineer",
    CreditRole.COMPOSER: "Composer",
    CreditRole.LYRICIST: "Lyricist",
    CreditRole.ARRANGER: "Arranger",
    CreditRole.MUSICIAN: "Musician",
    CreditRole.VOCALIST: "Vocalist",
    CreditRole.BACKGROUND_VOCALIST: "BackgroundVocalist",
    CreditRole.SOLOIST: "Soloist",
    CreditRole.CONDUCTOR: "Conductor",
    CreditRole.ORCHESTRA: "Orchestra",
    CreditRole.CHOIR: "Choir",
    CreditRole.ENSEMBLE: "Ensemble",
    CreditRole.REMIXER: "Remixer",
    CreditRole.ENGINEER: "Engineer",
}

# DDEX roles we have no choice for, to the nearest one we have. ComposerLyricist is both.
_NEAREST: dict[str, tuple[str, ...]] = {
    "Artist": (CreditRole.MAIN_ARTIST,),
    "MainArtist": (CreditRole.MAIN_ARTIST,),
    "FeaturedArtist": (CreditRole.FEATURED_ARTIST,),
    "ComposerLyricist": (CreditRole.COMPOSER, CreditRole.LYRICIST),
    "Producer": (CreditRole.PRODUCER,),
    "CoProducer": (CreditRole.PRODUCER,),
    "AdditionalStudioProducer": (CreditRole.PRODUCER,),
    "VocalProducer": (CreditRole.PRODUCER,),
    "Mixer": (CreditRole.MIXING_ENGINEER,),
    "CoMixer": (CreditRole.MIXING_ENGINEER,),
    "CoMixingEngineer": (CreditRole.MIXING_ENGINEER,),
    "AdditionalMixingEngineer": (CreditRole.MIXING_ENGINEER,),
    "MasteringSecondEngineer": (CreditRole.MASTERING_ENGINEER,),
    "RecordingSecondEngineer": (CreditRole.RECORDING_ENGINEER,),
    "TrackingEngineer": (CreditRole.RECORDING_ENGINEER,),
    "BalanceEngineer": (CreditRole.RECORDING_ENGINEER,),
    "SoundRecordist": (CreditRole.RECORDING_ENGINEER,),
    "Tonmeister": (CreditRole.RECORDING_ENGINEER,),
    "AssistantEngineer": (CreditRole.ENGINEER,),
    "SecondEngineer": (CreditRole.ENGINEER,),
    "AdditionalEngineer": (CreditRole.ENGINEER,),
    "VocalEngineer": (CreditRole.ENGINEER,),
    "MusicArranger": (CreditRole.ARRANGER,),
    "VocalArranger": (CreditRole.ARRANGER,),
    "SubArranger": (CreditRole.ARRANGER,),
    "Librettist": (CreditRole.LYRICIST,),
    "SubLyricist": (CreditRole.LYRICIST,),
    "StudioMusician": (CreditRole.MUSICIAN,),
    "PrimaryMusician": (CreditRole.MUSICIAN,),
    "Accompanyist": (CreditRole.MUSICIAN,),
    "Performer": (CreditRole.MUSICIAN,),
    "AdditionalPerformer": (CreditRole.MUSICIAN,),
    "AssociatedPerformer": (CreditRole.MUSICIAN,),
    "OrchestraMember": (CreditRole.MUSICIAN,),
    "ConcertMaster": (CreditRole.MUSICIAN,),
    "GroupMember": (CreditRole.MUSICIAN,),
    "LeadVocalist": (CreditRole.VOCALIST,),
    "PlaybackSinger": (CreditRole.VOCALIST,),
    "ChoirMember": (CreditRole.VOCALIST,),
    "GuestConductor": (CreditRole.CONDUCTOR,),
    "StudioConductor": (CreditRole.CONDUCTOR,),
    "AssistantConductor": (CreditRole.CONDUCTOR,),
    "SecondConductor": (CreditRole.CONDUCTOR,),
    "MusicGroup": (CreditRole.ENSEMBLE,),
}


def roles_in(ddex_role: str) -> tuple[str, ...]:
    """Our roles for a DDEX ContributorRole (or DisplayArtistRole); empty when none fits."""
    for ours, theirs in CONTRIBUTOR_ROLES.items():
        if theirs == ddex_role:
            return (ours,)
    return _NEAREST.get(ddex_role, ())


def _squash(value: str) -> str:
    return re.sub(r"[^a-z0-9()]", "", value.lower())


def instrument_out(instrument: str) -> tuple[str, str | None]:
    """(InstrumentType, UserDefinedValue) for an instrument as typed: "electric guitar" is
    DDEX's ElectricGuitar; what DDEX does not list goes as UserDefined with the words kept."""
    squashed = _squash(instrument)
    for value in allowed_values("InstrumentType"):
        if value != "UserDefined" and _squash(value) == squashed:
            return value, None
    return "UserDefined", instrument


def instrument_in(value: str, user_defined: str = "") -> str:
    """Our words for a DDEX InstrumentType: ElectricGuitar is "electric guitar", the inverse
    of `instrument_out` for the lower-case names we keep."""
    if value == "UserDefined":
        return user_defined
    return re.sub(r"(?<=[a-z0-9)])(?=[A-Z(])", " ", value).lower()


def instruments_split(instrument: str) -> list[str]:
    """One credit may name several instruments, comma-separated: "guitar, bass"."""
    return [part.strip() for part in instrument.split(",") if part.strip()]
