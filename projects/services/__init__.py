"""Every write with a business rule on projects, people, members and meetings, one
transaction each."""

from projects.services.meetings import meeting_cancel, meeting_create, meeting_update
from projects.services.projects import (
    membership_add,
    membership_change_role,
    membership_notify,
    membership_notify_sweep,
    membership_remove,
    person_card_save,
    person_create,
    person_delete,
    person_update,
    project_create,
    project_update,
)
from projects.services.tokens import token_revoke, token_rotate

__all__ = [
    "meeting_cancel",
    "meeting_create",
    "meeting_update",
    "membership_add",
    "membership_change_role",
    "membership_notify",
    "membership_notify_sweep",
    "membership_remove",
    "person_card_save",
    "person_create",
    "person_delete",
    "person_update",
    "project_create",
    "project_update",
    "token_revoke",
    "token_rotate",
]
