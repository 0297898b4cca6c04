from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        # Today's meetings section and the hub's meetings panel register on import, as does
        # the writer of meeting invitations (projects.notices); accounts' signal receivers
        # (joining at sign-up, two-factor asked at sign-in) connect on import.
        from projects import accounts, agenda, invitations  # noqa: F401
        from projects.services import joining  # noqa: F401  (its notice's writer)
