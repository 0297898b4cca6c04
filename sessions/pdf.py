"""PDFs of sessions with reportlab: a pay statement per player per session, and a session report
in the manner of a union session report form (players, times, instruments, songs recorded).
The page itself (paper, the embedded DejaVu font, "Page x of y") is core.pdf's."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from core.pdf import (
    BODY,
    CELL,
    CELL_RIGHT,
    FONT,
    FONT_BOLD,
    HEADING,
    SMALL,
    TITLE,
    build_pdf,
    register_fonts,
    text,
)
from sessions.models import Engagement, PayStatement, Session, Take

GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9),
        ("FONT", (0, 1), (-1, -1), FONT, 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
)


def _when(session: Session) -> str:
    zone = session.zone
    start = session.start.astimezone(zone)
    end = session.end.astimezone(zone)
    place = f"{session.room}" if session.room is not None else "no room"
    return f"{start:%A %d %B %Y, %H:%M}–{end:%H:%M} {start:%Z} · {place}"


def _block(lines: Sequence[str]) -> Paragraph:
    """Lines of user text (a name, an address) as one cell."""
    return Paragraph("<br/>".join(text(line) for line in lines if line), CELL)


def _statement_header(engagement: Engagement, statement: PayStatement | None) -> list[Flowable]:
    """Number, date and the two parties: who pays, and who is paid."""
    if statement is None:
        facts = "<b>Draft: not issued.</b> Issue it once the payment is approved to number it."
        payer = Paragraph("Payer not stated until issued.", CELL)
    else:
        facts = (
            f"<b>Pay statement {text(statement.number)}</b><br/>"
            f"Date of issue: {statement.issued_on:%d %B %Y}"
        )
        payer = _block(
            [
                statement.payer_name,
                *statement.payer_address.splitlines(),
                f"Tax ID {statement.payer_tax_id}" if statement.payer_tax_id else "",
            ]
        )
    person = engagement.person
    details = getattr(person, "payee", None)
    payee = _block(
        [
            details.legal_name if details is not None and details.legal_name else person.name,
            *(details.address.splitlines() if details is not None else []),
        ]
    )
    parties = Table([["Payer", "Paid to"], [payer, payee]], colWidths=[85 * mm, 85 * mm])
    parties.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [Paragraph(facts, CELL), Spacer(1, 4 * mm), parties, Spacer(1, 5 * mm)]


def pay_statement(engagement: Engagement) -> bytes:
    """One player's pay for one session, line by line, as the rule computed it; numbered,
    dated and naming its payer once issued (sessions.services.pay_statement_issue)."""
    register_fonts()
    session = engagement.session
    person = engagement.person
    statement = PayStatement.objects.filter(engagement=engagement).first()
    rows: list[list[object]] = [["", "Amount"]]
    for line in engagement.fee_lines:
        rows.append(
            [Paragraph(text(line["label"]), CELL), Paragraph(f"{line['amount']}", CELL_RIGHT)]
        )
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
                ("FONT", (0, -3), (-1, -1), FONT_BOLD, 9),
                ("LINEABOVE", (0, -3), (-1, -3), 0.6, colors.black),
            ]
        )
    )
    payment = getattr(engagement, "payment", None)
    status = payment.get_status_display() if payment is not None else "No payment"
    if payment is not None and payment.paid_on:
        reference = payment.reference or "no reference"
        status += f" on {payment.paid_on:%d %B %Y} ({payment.get_method_display()}, {reference})"
    role = engagement.get_role_display()
    instrument = f", {engagement.instrument}" if engagement.instrument else ""
    story = [
        Paragraph("Pay statement", TITLE),
        Spacer(1, 2 * mm),
        *_statement_header(engagement, statement),
        Paragraph(f"<b>{text(person.name)}</b> · {text(role + instrument)}", BODY),
        Paragraph(
            text(f"{session.project.artist}: {session.project.title} — {session.title}"), BODY
        ),
        Paragraph(text(_when(session)), BODY),
        Paragraph(
            f"Hours worked: {engagement.hours.normalize():f} · "
            f"Rate rule: {text(engagement.rate_rule.name)}",
            BODY,
        ),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 4 * mm),
        Paragraph(f"Payment: {text(status)}", BODY),
        Spacer(1, 8 * mm),
        Paragraph(f"Rule source: {text(engagement.rate_rule.source or 'not given')}", SMALL),
    ]
    label = f"Pay statement {statement.number}" if statement else "Pay statement (draft)"
    return build_pdf(
        story,
        title=f"Pay statement {person.name} {session.start:%Y-%m-%d}",
        author=statement.payer_name if statement else "Tracksheet",
        label=f"{label} · {person.name}",
    )


def session_report(
    session: Session, engagements: Sequence[Engagement], takes: Sequence[Take]
) -> bytes:
    """Who played, when, on what, and the songs recorded: the session report form."""
    register_fonts()
    players: list[list[object]] = [["Name", "Role", "Instrument", "Doubles", "Hours", "Cartage"]]
    for item in engagements:
        players.append(
            [
                Paragraph(text(item.person.name), CELL),
                Paragraph(item.get_role_display(), CELL),
                Paragraph(text(item.instrument or "—"), CELL),
                Paragraph(text(", ".join(item.doubles) or "—"), CELL),
                Paragraph(f"{item.hours.normalize():f}", CELL),
                Paragraph(text(", ".join(item.cartage) or "—"), CELL),
            ]
        )
    player_table = Table(
        players, colWidths=[40 * mm, 22 * mm, 30 * mm, 34 * mm, 14 * mm, 30 * mm], repeatRows=1
    )
    player_table.setStyle(GRID)
    songs: dict[str, list[Take]] = {}
    for take in takes:
        songs.setdefault(take.song_name, []).append(take)
    song_rows: list[list[object]] = [["Song", "Takes", "Keepers"]]
    for song, song_takes in songs.items():
        keepers = ", ".join(str(t.number) for t in song_takes if t.keeper) or "—"
        song_rows.append(
            [
                Paragraph(text(song), CELL),
                Paragraph(str(len(song_takes)), CELL),
                Paragraph(keepers, CELL),
            ]
        )
    song_table = Table(song_rows, colWidths=[106 * mm, 25 * mm, 39 * mm], repeatRows=1)
    song_table.setStyle(GRID)
    total_hours = sum((e.hours for e in engagements), Decimal(0))
    project = session.project
    story: list[Flowable] = [
        Paragraph("Session report", TITLE),
        Spacer(1, 2 * mm),
        Paragraph(
            f"<b>{text(f'{project.artist}: {project.title}')}</b> — {text(session.title)}", BODY
        ),
        Paragraph(text(_when(session)), BODY),
        Paragraph(f"Status: {session.get_status_display()}", BODY),
        Spacer(1, 5 * mm),
        Paragraph(
            f"Players ({len(engagements)}, {total_hours.normalize():f} hours in all)", HEADING
        ),
        Spacer(1, 2 * mm),
        player_table,
        Spacer(1, 5 * mm),
        Paragraph("Songs recorded", HEADING),
        Spacer(1, 2 * mm),
        song_table if len(song_rows) > 1 else Paragraph("No takes logged.", BODY),
    ]
    if session.notes:
        story += [
            Spacer(1, 5 * mm),
            Paragraph("Notes", HEADING),
            Paragraph(text(session.notes), BODY),
        ]
    day = session.start.astimezone(session.zone)
    return build_pdf(
        story,
        title=f"Session report {session.title} {day:%Y-%m-%d}",
        author="Tracksheet",
        label=f"Session report · {session.title} · {day:%d %b %Y}",
    )
