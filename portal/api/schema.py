from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse

from .base import ErrorSerializer

ERRORS = {
    400: "The request contains invalid data.",
    401: "Not logged in, or an invalid token.",
    403: "Visible, but not yours to change (or a read-only token).",
    404: "Does not exist, or not visible to you.",
    415: "The body is in a media type the endpoint does not read (send JSON).",
    429: "Too many requests for this token.",
}

#: Errors only an operation with a body can give.
BODY_ONLY = {415}


class AutoSchema(BaseAutoSchema):
    """Documents the one error shape on every operation."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, text in ERRORS.items():
            if code == 400 and self.method == "GET" and not self._is_list_view():
                continue
            if code in BODY_ONLY and self.method not in ("POST", "PUT", "PATCH"):
                continue
            responses.setdefault(
                str(code),
                self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=text), str(code)
                ),
            )
        return responses
