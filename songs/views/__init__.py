"""The songs' pages, in named parts: ``board`` (the board, moves, the project's stages),
``detail`` (a song's own page) and ``sheet`` (the tracking sheet and its parts)."""

from songs.views.board import song_board, song_move, song_stages
from songs.views.detail import song_delete, song_detail
from songs.views.sheet import part_add, part_edit, song_sheet, song_sheet_cell

__all__ = [
    "part_add",
    "part_edit",
    "song_board",
    "song_delete",
    "song_detail",
    "song_move",
    "song_sheet",
    "song_sheet_cell",
    "song_stages",
]
