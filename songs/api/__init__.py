"""REST API of songs: songs, parts, stages, versions, notes and listen links."""

from songs.api.parts import PartViewSet, SongPartViewSet
from songs.api.songs import SongStagesViewSet, SongViewSet
from songs.api.versions import ListenLinkViewSet, SongVersionViewSet, VersionNoteViewSet

__all__ = [
    "ListenLinkViewSet",
    "PartViewSet",
    "SongPartViewSet",
    "SongStagesViewSet",
    "SongVersionViewSet",
    "SongViewSet",
    "VersionNoteViewSet",
]
