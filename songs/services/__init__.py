"""Every write with a business rule on songs, parts, versions and listen links, one
transaction each."""

from songs.services.listen import (
    listen_link_active,
    listen_link_create,
    listen_link_password_ok,
    listen_link_revoke,
    listen_play_record,
)
from songs.services.parts import (
    part_create,
    part_delete,
    part_move,
    part_rename,
    song_part_mark_recorded,
    song_part_set,
)
from songs.services.songs import song_create, song_delete, song_for_take, song_move, song_update
from songs.services.versions import (
    version_analyse,
    version_analyse_sweep,
    version_analysis_retry,
    version_approve,
    version_note_add,
    version_note_resolve,
    version_upload,
)

__all__ = [
    "listen_link_active",
    "listen_link_create",
    "listen_link_password_ok",
    "listen_link_revoke",
    "listen_play_record",
    "part_create",
    "part_delete",
    "part_move",
    "part_rename",
    "song_create",
    "song_delete",
    "song_for_take",
    "song_move",
    "song_part_mark_recorded",
    "song_part_set",
    "song_update",
    "version_analyse",
    "version_analyse_sweep",
    "version_analysis_retry",
    "version_approve",
    "version_note_add",
    "version_note_resolve",
    "version_upload",
]
