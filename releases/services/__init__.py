"""Writes with rules for releases, one transaction each: metadata, masters, render jobs."""

from releases.services.masters import (
    master_analyse,
    master_analyse_sweep,
    master_upload,
    track_from_song,
)
from releases.services.metadata import (
    artwork_set,
    credit_delete,
    credit_save,
    isrc_allocate,
    isrc_allocate_from_prefix,
    isrc_prefix_for,
    isrc_prefix_save,
    isrc_prefixes_for,
    release_delete,
    release_import,
    release_save,
    splits_set,
    track_delete,
    track_save,
)
from releases.services.rendering import (
    release_render,
    render_job_cancel,
    render_sweep,
    render_task_fail,
    render_task_run,
)

__all__ = [
    "artwork_set",
    "credit_delete",
    "credit_save",
    "isrc_allocate",
    "isrc_allocate_from_prefix",
    "isrc_prefix_for",
    "isrc_prefix_save",
    "isrc_prefixes_for",
    "master_analyse",
    "master_analyse_sweep",
    "master_upload",
    "release_delete",
    "release_import",
    "release_render",
    "release_save",
    "render_job_cancel",
    "render_sweep",
    "render_task_fail",
    "render_task_run",
    "splits_set",
    "track_delete",
    "track_from_song",
    "track_save",
]
