"""Songs, their parts and stages, and their versions with notes and listen links. Other
apps import from here, never from the parts."""

from projects.models.stages import SongStage
from songs.models.songs import DEFAULT_PARTS, Part, PartStatus, Song, SongPart, SongStageChange
from songs.models.stored_audio import StoredAudio
from songs.models.versions import (
    AnalysisStatus,
    ListenLink,
    ListenPlay,
    SongVersion,
    VersionKind,
    VersionNote,
)

__all__ = [
    "AnalysisStatus",
    "DEFAULT_PARTS",
    "ListenLink",
    "ListenPlay",
    "Part",
    "PartStatus",
    "Song",
    "SongPart",
    "SongStage",
    "SongStageChange",
    "SongVersion",
    "StoredAudio",
    "VersionKind",
    "VersionNote",
]
