"""When a billing milestone is reached, read from the songs' stages, and the stage watcher that
checks the project's plan after every song move (songs.hooks).

Why stages: a version approved moves its song's stage, and songs' song_move tells the
watchers; so budgets never imports releases, and releases never imports budgets.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from budgets.models.billing import MilestoneKind
from core.errors import Conflict
from songs.hooks import register_stage_watcher
from songs.models import SongStage

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from songs.models import Song

logger = logging.getLogger(__name__)

ORDER: list[str] = list(SongStage.values)

# The first stage a song must have reached for the milestone: tracking is done once a song is
# at overdubs or later, a mix approved once it is at mastering, a master delivered once done.
THRESHOLD: dict[str, str] = {
    MilestoneKind.TRACKING_DONE: SongStage.OVERDUBS,
    MilestoneKind.MIX_APPROVED: SongStage.MASTERING,
    MilestoneKind.MASTER_DELIVERED: SongStage.DONE,
}

RULES: dict[str, str] = {
    MilestoneKind.DEPOSIT: "when the plan has it (at once)",
    MilestoneKind.TRACKING_DONE: "when every song is past tracking (overdubs or later)",
    MilestoneKind.MIX_APPROVED: "when every song is at mastering or done",
    MilestoneKind.MASTER_DELIVERED: "when every song is done",
}


def stage_passed(stage: str, threshold: str, skipped: Iterable[str]) -> bool:
    """Whether a song in ``stage`` has got to ``threshold``: it is there or later, or every
    stage from its own up to the threshold is one the project skips (a skipped stage counts
    as passed)."""
    here, there = ORDER.index(stage), ORDER.index(threshold)
    skipped = set(skipped)
    return here >= there or all(step in skipped for step in ORDER[here:there])


def milestone_reached(kind: str, stages: list[str], skipped: Iterable[str]) -> bool:
    """A deposit is reached as soon as the plan has it; the others when every song of the
    project (at least one) has got to the milestone's stage."""
    if kind == MilestoneKind.DEPOSIT:
        return True
    skipped = list(skipped)
    return bool(stages) and all(stage_passed(s, THRESHOLD[kind], skipped) for s in stages)


def check_after_move(song: Song, from_stage: str, to_stage: str, by: User | None) -> None:
    """Draft the invoices of the milestones this move reached, inside the move's transaction.

    A draft that cannot be made (the plan's parties no longer pass the invoice's checks) must
    not undo the producer's move: it rolls back to its savepoint, is logged, and the milestone
    stays waiting for "check now" on the billing page, which shows the refusal."""
    # Imported here: the billing service imports this module's rules.
    from budgets.services.billing import billing_check

    try:
        with transaction.atomic():
            billing_check(project=song.project)
    except (ValidationError, Conflict):
        logger.warning("Milestone draft for project %s refused", song.project_id, exc_info=True)


register_stage_watcher("budgets.milestones", check_after_move)
