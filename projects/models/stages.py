"""The stages a song passes, and how a project may rename or skip them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


class SongStage(models.TextChoices):
    """The board's columns, in the order a song passes them."""

    PRE_PRODUCTION = "pre_production", "Pre-production"
    TRACKING = "tracking", "Tracking"
    OVERDUBS = "overdubs", "Overdubs"
    EDITING = "editing", "Editing"
    MIXING = "mixing", "Mixing"
    MASTERING = "mastering", "Mastering"
    DONE = "done", "Done"


STAGE_NAME_MAX = 40


def validate_song_stage_names(value: object) -> None:
    """``{"mixing": "Mix", ...}``: known stages to names of at most 40 characters."""
    message = 'An object of stage to name, e.g. {"mixing": "Mix"}, names up to 40 characters.'
    if not isinstance(value, dict):
        raise ValidationError(message, code="invalid_stage_names")
    for stage, name in value.items():
        if stage not in SongStage.values:
            raise ValidationError(
                "%(stage)s is not a stage.", code="unknown_stage", params={"stage": stage}
            )
        if not isinstance(name, str) or not name.strip() or len(name) > STAGE_NAME_MAX:
            raise ValidationError(message, code="invalid_stage_names")


def validate_skipped_song_stages(value: object) -> None:
    """A list of known stages, never "done" (a song must be able to finish)."""
    if not isinstance(value, list) or not all(isinstance(stage, str) for stage in value):
        raise ValidationError("A list of stages.", code="invalid_skipped_stages")
    for stage in value:
        if stage not in SongStage.values:
            raise ValidationError(
                "%(stage)s is not a stage.", code="unknown_stage", params={"stage": stage}
            )
    if SongStage.DONE in value:
        raise ValidationError("Done cannot be skipped.", code="done_not_skippable")
