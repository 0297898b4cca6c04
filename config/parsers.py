"""Request parsers of the API (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES).

Apart from ``core.api`` on purpose: DRF imports the parsers named in the settings while
its views module loads, and ``core.api`` imports those views.
"""

from collections.abc import Mapping
from typing import Any

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with JSON nested deeper than Python's recursion limit a 400: the
    standard library parses recursively and raises RecursionError, which DRF would let through
    as a 500."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from error
