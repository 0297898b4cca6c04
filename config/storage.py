"""Static files storage: hashed names when collected, the plain names when not."""

from __future__ import annotations

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's hashed, compressed storage, forgiving a missing `collectstatic`.

    Django's manifest storage makes every page a bare "Server Error (500)" when the manifest
    lacks a file (collectstatic not run, or run before the file was added). Here such a file
    keeps its plain name, whitenoise serves it from the source folders (WHITENOISE_USE_FINDERS),
    and the log says once what to run.
    """

    _warned = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:
            if not StaticStorage._warned:
                StaticStorage._warned = True
                logger.warning(
                    "Static file %r is not collected: serving static files under their plain "
                    "names from the source folders. Run `python manage.py collectstatic` "
                    "(make run does) for hashed, long-cached names.",
                    name,
                )
            return name
