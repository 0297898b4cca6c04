"""PDFs of sessions with reportlab: a pay statement per player per session, and a session report
in the manner of a union session report form (players, times, instruments, songs recorded)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sessions.models import Engagement, Session, Take

STYLES = getSampleStyleSheet()
CELL = ParagraphStyle("cell", parent=STYLES["Normal"], fontSize=9, leading=11)
SMALL = ParagraphStyle(
    "small", parent=STYLES["Normal"], fontSize=8, leading=10, textColor=colors.grey
)
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
)


def _document(story: Sequence[object], *, title: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Tracksheet",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    doc.build(list(story))
    return buffer.getvalue()


def _when(session: Session) -> str:
    zone = session.zone
    start = session.start.astimezone(zone)
    end = session.end.astimezone(zone)
    place = f"{session.room}" if session.room is not None else "no room"
    return f"{start:%A %d %B %Y, %H:%M}–{end:%H:%M} {start:%Z} · {place}"


def pay_statement(engagement: Engagement) -> bytes:
    """One player's pay for one session, line by line, as the rule computed it."""
    session = engagement.session
    person = engagement.person
    right = ParagraphStyle("right", parent=CELL, alignment=2)
    rows: list[list[object]] = [["", "Amount"]]
    for line in engagement.fee_lines:
        rows.append([Paragraph(str(line["label"]), CELL), Paragraph(f"{line['amount']}", right)])
    rows.append(["Wages to the player", f"{engagement.wages} {engagement.currency}"])
    rows.append(
        [
            "Employer contributions (pension, health)",
            f"{engagement.employer_contributions} {engagement.currency}",
        ]
    )
    rows.append(["Total cost of the engagement", f"{engagement.fee} {engagement.currency}"])
    table = Table(rows, colWidths=[125 * mm, 45 * mm])
    table.setStyle(GRID)
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("FONT", (0, -3), (-1, -1), "Helvetica-Bold", 9),
                ("LINEABOVE", (0, -3), (-1, -3), 0.6, colors.black),
            ]
        )
    )
    payment = getattr(engagement, "payment", None)
    status = payment.get_status_display() if payment is not None else "No payment"
    if payment is not None and payment.paid_on:
        reference = payment.reference or "no reference"
        status += f" on {payment.paid_on:%d %B %Y} ({payment.get_method_display()}, {reference})"
    story = [
        Paragraph("Pay statement", STYLES["Title"]),
        Paragraph(
            f"<b>{person.name}</b> · {engagement.get_role_display()}"
            f"{', ' + engagement.instrument if engagement.instrument else ''}",
            STYLES["Normal"],
        ),
        Paragraph(
            f"{session.project.artist}: {session.project.title} — {session.title}", STYLES["Normal"]
        ),
        Paragraph(_when(session), STYLES["Normal"]),
        Paragraph(
            f"Hours worked: {engagement.hours.normalize():f} · "
            f"Rate rule: {engagement.rate_rule.name}",
            STYLES["Normal"],
        ),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 4 * mm),
        Paragraph(f"Payment: {status}", STYLES["Normal"]),
        Spacer(1, 8 * mm),
        Paragraph(f"Rule source: {engagement.rate_rule.source or 'not given'}", SMALL),
    ]
    return _document(story, title=f"Pay statement {person.name} {session.start:%Y-%m-%d}")


def session_report(
    session: Session, engagements: Sequence[Engagement], takes: Sequence[Take]
) -> bytes:
    """Who played, when, on what, and the songs recorded: the session report form."""
    players: list[list[object]] = [["Name", "Role", "Instrument", "Doubles", "Hours", "Cartage"]]
    for item in engagements:
        players.append(
            [
                Paragraph(item.person.name, CELL),
                Paragraph(item.get_role_display(), CELL),
                Paragraph(item.instrument or "—", CELL),
                Paragraph(", ".join(item.doubles) or "—", CELL),
                Paragraph(f"{item.hours.normalize():f}", CELL),
                Paragraph(", ".join(item.cartage) or "—", CELL),
            ]
        )
    player_table = Table(
        players, colWidths=[42 * mm, 22 * mm, 30 * mm, 35 * mm, 14 * mm, 31 * mm], repeatRows=1
    )
    player_table.setStyle(GRID)
    songs: dict[str, list[Take]] = {}
    for take in takes:
        songs.setdefault(take.song, []).append(take)
    song_rows: list[list[object]] = [["Song", "Takes", "Keepers"]]
    for song, song_takes in songs.items():
        keepers = ", ".join(str(t.number) for t in song_takes if t.keeper) or "—"
        song_rows.append(
            [Paragraph(song, CELL), Paragraph(str(len(song_takes)), CELL), Paragraph(keepers, CELL)]
        )
    song_table = Table(song_rows, colWidths=[110 * mm, 25 * mm, 39 * mm], repeatRows=1)
    song_table.setStyle(GRID)
    total_hours = sum((e.hours for e in engagements), Decimal(0))
    story = [
        Paragraph("Session report", STYLES["Title"]),
        Paragraph(
            f"<b>{session.project.artist}: {session.project.title}</b> — {session.title}",
            STYLES["Normal"],
        ),
        Paragraph(_when(session), STYLES["Normal"]),
        Paragraph(f"Status: {session.get_status_display()}", STYLES["Normal"]),
        Spacer(1, 5 * mm),
        Paragraph(
            f"Players ({len(engagements)}, {total_hours.normalize():f} hours in all)",
            STYLES["Heading3"],
        ),
        player_table,
        Spacer(1, 5 * mm),
        Paragraph("Songs recorded", STYLES["Heading3"]),
        song_table if len(song_rows) > 1 else Paragraph("No takes logged.", STYLES["Normal"]),
    ]
    if session.notes:
        story += [
            Spacer(1, 5 * mm),
            Paragraph("Notes", STYLES["Heading3"]),
            Paragraph(session.notes),
        ]
    return _document(story, title=f"Session report {session.title} {session.start:%Y-%m-%d}")
