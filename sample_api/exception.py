"""Nova-style exceptions: each carries a message template and an HTTP code.

Controllers catch these and raise the matching ``webob.exc`` error, which the
resource layer wraps into a ``Fault`` (as ``nova/exception.py`` does).
"""

from __future__ import annotations


class NovaException(Exception):
    """Base exception: ``msg_fmt`` is filled from the keyword arguments."""

    msg_fmt = "An unknown exception occurred."
    code = 500

    def __init__(self, message: str | None = None, **kwargs: object) -> None:
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                message = self.msg_fmt
        self.message = message
        super().__init__(message)

    def format_message(self) -> str:
        return self.message


class Forbidden(NovaException):
    msg_fmt = "Forbidden"
    code = 403


class PolicyNotAuthorized(Forbidden):
    msg_fmt = "Policy doesn't allow %(action)s to be performed."


class NotAuthorized(NovaException):
    msg_fmt = "Not authorized."
    code = 401


class Invalid(NovaException):
    msg_fmt = "Bad Request - Invalid Parameters"
    code = 400


class ValidationError(Invalid):
    msg_fmt = "%(detail)s"


class QuotaError(NovaException):
    msg_fmt = "Quota exceeded: code=%(code)s"
    code = 413


class TooManyInstances(QuotaError):
    msg_fmt = "Quota exceeded for %(overs)s: Requested %(req)s, but already used %(used)s of %(allowed)s %(overs)s"


class InvalidInput(Invalid):
    msg_fmt = "Invalid input received: %(reason)s"


class MalformedRequestBody(Invalid):
    msg_fmt = "Malformed message body: %(reason)s"


class InvalidSortKey(Invalid):
    msg_fmt = "Sort key supplied was not valid."


class InvalidRequest(Invalid):
    msg_fmt = "The request is invalid."


class ImageNotActive(Invalid):
    msg_fmt = "Image %(image_id)s is not active."


class InvalidKeypair(Invalid):
    msg_fmt = "Keypair data is invalid: %(reason)s"


class MarkerNotFound(Invalid):
    msg_fmt = "Marker %(marker)s could not be found."


class InvalidAPIVersionString(Invalid):
    msg_fmt = "API Version String %(version)s is of invalid format. Must be of format MajorNum.MinorNum."


class VersionNotFoundForAPIMethod(Invalid):
    msg_fmt = "API version %(version)s is not supported on this method."


class InvalidGlobalAPIVersion(Invalid):
    msg_fmt = (
        "Version %(req_ver)s is not supported by the API. Minimum is %(min_ver)s and maximum is %(max_ver)s."
    )


class NotFound(NovaException):
    msg_fmt = "Resource could not be found."
    code = 404


class InstanceNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s could not be found."


class FlavorNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s could not be found."


class ImageNotFound(NotFound):
    msg_fmt = "Image %(image_id)s could not be found."


class KeypairNotFound(NotFound):
    msg_fmt = "Keypair %(name)s not found for user %(user_id)s"


class Conflict(NovaException):
    msg_fmt = "Conflict"
    code = 409


class InstanceInvalidState(Invalid):
    """An action does not fit the server's state; the controller answers 409."""

    msg_fmt = "Instance %(instance_uuid)s in %(attr)s %(state)s. Cannot %(method)s while the instance is in this state."
    code = 409


class KeypairGenerationFailed(NovaException):
    msg_fmt = "Could not generate a key pair: %(reason)s"


class KeyPairExists(Conflict):
    msg_fmt = "Key pair '%(key_name)s' already exists."


class ConfigNotFound(NovaException):
    msg_fmt = "Could not find config at %(path)s"


class PasteAppNotFound(NovaException):
    msg_fmt = "Could not load paste app '%(name)s' from %(path)s"


class InvalidContentType(Invalid):
    msg_fmt = "Invalid content type %(content_type)s."
    code = 415


class DuplicateExtension(NovaException):
    msg_fmt = "Found duplicate extension: %(alias)s"
