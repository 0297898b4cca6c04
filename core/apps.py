from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The plumbing no producer names: errors, validators, money, the task queue, PDF set-up,
    API base classes, sign-in throttles. It has no models; it is an app for its template tags
    and for the text guard it puts on every app's models."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.apps import apps

        from core.validators import guard_model_text_fields, guard_serializer_text_fields

        # Text with control characters is refused in every app, at every way in (API, pages,
        # admin, full_clean()): DDEX, tags, PDFs and feeds are where they would break. Every
        # app's models are loaded by the time any app is ready.
        guard_model_text_fields(apps.get_models())
        guard_serializer_text_fields()
