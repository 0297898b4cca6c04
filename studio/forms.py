import re
from typing import Any

from django import forms

from core.validators import TextGuardFormMixin
from studio.models import Gear, Room, Studio, validate_cancellation_tiers
from studio.services.studios import ROOM_FIELDS

# --- studios, rooms, gear ------------------------------------------------------------------

TIER = re.compile(r"^\s*(\d+)\s*:\s*(\d+)\s*%?\s*$")


def tiers_as_text(tiers: list[dict[str, int]]) -> str:
    return ", ".join(f"{t['min_days']}:{t['percent']}" for t in tiers)


class TiersField(forms.CharField):
    """Cancellation tiers typed as "14:0, 3:50, 0:100": days of notice at least, then the fee
    in percent, most notice first."""

    def clean(self, value: Any) -> list[dict[str, int]] | None:
        # The text is checked as text first (control characters, length), then read.
        text = super().clean(value)
        if not text:
            return None
        tiers = []
        for part in text.split(","):
            match = TIER.match(part)
            if match is None:
                raise forms.ValidationError(
                    f"“{part.strip()}” is not days:percent, such as 14:0, 3:50, 0:100."
                )
            tiers.append({"min_days": int(match[1]), "percent": int(match[2])})
        try:
            validate_cancellation_tiers(tiers)
        except forms.ValidationError as error:
            raise forms.ValidationError(
                "Days:percent pairs, most notice first, percents 0 to 100, the last at "
                "0 days (14:0, 3:50, 0:100)."
            ) from error
        return tiers


class StudioForm(TextGuardFormMixin, forms.ModelForm):
    cancellation_tiers = TiersField(
        label="Cancellation fees",
        initial="14:0, 3:50, 0:100",
        help_text="Days of notice at least : fee in percent, most notice first.",
    )

    class Meta:
        model = Studio
        fields = [
            "name",
            "address",
            "time_zone",
            "currency",
            "hold_hours",
            "challenge_hours",
            "cancellation_tiers",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        labels = {"hold_hours": "Hold hours", "challenge_hours": "Challenge hours"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["cancellation_tiers"] = tiers_as_text(self.instance.cancellation_tiers)
        self.fields["address"].help_text = "The last line is shown as its city."
        self.fields["time_zone"].widget.attrs["placeholder"] = "Europe/Berlin"

    def _post_clean(self) -> None:
        # The service validates the model; the form stops at its fields.
        pass


class RoomForm(TextGuardFormMixin, forms.ModelForm):
    class Meta:
        model = Room
        fields = list(ROOM_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "day_hours": "Day (lockout) hours",
            "day_rate": "Day (lockout) rate",
            "overtime_unit_minutes": "Overtime unit (minutes)",
            "overtime_multiplier": "Overtime × hourly rate",
            "is_active": "Bookable",
        }

    def _post_clean(self) -> None:
        pass


class GearForm(TextGuardFormMixin, forms.ModelForm):
    class Meta:
        model = Gear
        fields = [
            "name",
            "category",
            "status",
            "day_rate",
            "room",
            "make",
            "model",
            "serial_number",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, studio: Studio, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rooms = self.fields["room"]
        rooms.queryset = Room.objects.filter(studio=studio)  # type: ignore[attr-defined]
        rooms.label_from_instance = lambda room: room.name  # type: ignore[attr-defined]
        rooms.empty_label = "Not kept in one room"  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass


# --- contacts --------------------------------------------------------------------------------


# --- songs: a song's page, the board's stages, the tracking sheet ----------------------------
