"""
The OpenAPI schema: drf-spectacular's, plus the error answers every client meets.

DRF answers 400 (invalid input, with the fields and reasons), 401 (not signed
in), 403 (a role that does not allow the action) and 404 (not found, or
another institution's object); a schema that leaves them out would make
every such answer look like a contract violation to a client generator.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# Field name -> list of messages; "non_field_errors" for the object as a whole.
VALIDATION_ERRORS = {
    "type": "object",
    "additionalProperties": True,
    "description": 'Each invalid field with its reasons, e.g. {"likes": ["Ensure this value is ≥ 0."]}.',
}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        takes_input = method in {"POST", "PUT", "PATCH"} or bool(self._get_filter_parameters())
        if takes_input or self._is_parametrised_action():
            responses.setdefault("400", _json("Invalid input: each field with its reasons.", VALIDATION_ERRORS))
        responses.setdefault("401", _json("Not signed in.", DETAIL))
        responses.setdefault("403", _json("Signed in, but the role does not allow this.", DETAIL))
        if "{" in self.path or method == "GET":
            # A list answers 404 for a page past its last one.
            responses.setdefault("404", _json("Not found, or not visible to you.", DETAIL))
        if method == "DELETE":
            responses.setdefault("409", _json("Still in use by other objects; nothing was deleted.", DETAIL))
        if getattr(self.view, "throttle_classes", None):
            responses.setdefault("429", _json("Too many attempts; wait and try again.", DETAIL))
        return responses

    def _is_parametrised_action(self) -> bool:
        # Custom actions such as engagement/ and audience/, and plain views such as compare/, validate their
        # query parameters.
        has_action = bool(getattr(self.view, "action", None)) or not hasattr(self.view, "get_queryset")
        return has_action and bool(self.get_override_parameters())
