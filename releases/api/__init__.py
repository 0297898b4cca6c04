"""REST API of releases: metadata (releases, tracks, credits) and delivery (masters, render
jobs, deliverables, the package)."""

from releases.api.delivery import DeliverableViewSet, RenderJobViewSet
from releases.api.metadata import CreditViewSet, ReleaseViewSet, TrackViewSet

__all__ = [
    "CreditViewSet",
    "DeliverableViewSet",
    "ReleaseViewSet",
    "RenderJobViewSet",
    "TrackViewSet",
]
