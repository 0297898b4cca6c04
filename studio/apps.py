from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = "Studio"

    def ready(self) -> None:
        from django.apps import apps

        from studio.validators import guard_model_text_fields, guard_serializer_text_fields

        # Text with control characters is refused in every app, at every way in (API, pages,
        # admin, full_clean()): DDEX, tags, PDFs and feeds are where they would break. Every
        # app's models are loaded by the time any app is ready.
        guard_model_text_fields(apps.get_models())
        guard_serializer_text_fields()
        # The writers of studio's own notices (bookings, meetings, holds) register on import;
        # so do Today's sections and the hub's meetings panel (agenda_sections).
        from studio import agenda_sections, invitations  # noqa: F401
