"""REST API of releases: metadata (releases, tracks, credits) and delivery (masters, render
jobs, deliverables, the package)."""

from releases.api.delivery import DeliverableViewSet, RenderJobViewSet
from releases.api.metadata import CreditViewSet, ReleaseViewSet, TrackViewSet
from releases.api.versions import ListenLinkViewSet, SongVersionViewSet, VersionNoteViewSet

__all__ = [
    "CreditViewSet",
    "DeliverableViewSet",
    "ListenLinkViewSet",
    "ReleaseViewSet",
    "RenderJobViewSet",
    "SongVersionViewSet",
    "TrackViewSet",
    "VersionNoteViewSet",
]
