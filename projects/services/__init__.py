"""Every write with a business rule on projects, people, members, invitations and meetings,
one transaction each."""

from projects.services.joining import (
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    invitation_send,
    invitation_sweep,
)
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
from projects.services.tokens import sign_out_everywhere, token_revoke, token_rotate

__all__ = [
    "invitation_accept",
    "invitation_create",
    "invitation_resend",
    "invitation_revoke",
    "invitation_send",
    "invitation_sweep",
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
    "sign_out_everywhere",
    "token_revoke",
    "token_rotate",
]
