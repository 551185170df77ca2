"""The heart of the API: ``Resource`` turns one routed request into a controller call.

Shaped like ``nova/api/openstack/wsgi.py`` of Nova Kilo. Step through
``Resource.__call__`` → ``_process_stack`` → ``dispatch`` to watch a request
get its microversion, its body decoded, its method found, its extensions run
and its result serialized to JSON.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import webob
import webob.dec
import webob.exc

from sample_api import exception
from sample_api import wsgi as base_wsgi
from sample_api.api.openstack import api_version_request as api_version
from sample_api.api.openstack.versioned_method import VersionedMethod

LOG = logging.getLogger(__name__)

API_VERSION_REQUEST_HEADER = "OpenStack-API-Version"
LEGACY_API_VERSION_REQUEST_HEADER = "X-OpenStack-Nova-API-Version"
#: Clients and caches must know the answer depends on the version headers.
VARY_HEADER_VALUE = f"{API_VERSION_REQUEST_HEADER}, {LEGACY_API_VERSION_REQUEST_HEADER}"

_SUPPORTED_CONTENT_TYPES = ("application/json",)
_MEDIA_TYPE_MAP = {"application/json": "json"}
#: Methods a routes resource maps by HTTP verb (the others come from ``collection``/``member``).
_ROUTES_METHODS = ["create", "delete", "show", "update"]


def get_supported_content_types() -> tuple[str, ...]:
    return _SUPPORTED_CONTENT_TYPES


#: Where a controller class keeps its versioned methods: name -> versions, newest first.
VER_METHOD_ATTR = "versioned_methods"


def add_version_headers(headers: Any, version: api_version.APIVersionRequest) -> None:
    """Tell the client which microversion answered (on results and on faults)."""
    if version is None or version.is_null():
        return
    headers[API_VERSION_REQUEST_HEADER] = "compute " + version.get_string()
    headers[LEGACY_API_VERSION_REQUEST_HEADER] = version.get_string()
    headers["Vary"] = VARY_HEADER_VALUE


def _item_id(item: Any, item_key: str) -> Any:
    return item[item_key] if isinstance(item, Mapping) else getattr(item, item_key)


class Request(base_wsgi.Request):
    """The request of the compute API, with a per-request cache of database rows.

    In Kilo a controller cached the instances it loaded so that extensions
    (``@extends`` methods) could read them without another database query.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._extension_data = {"db_items": {}}
        if not hasattr(self, "api_version_request"):
            # Stored in the environ, so filters outside Resource see it too.
            self.api_version_request = api_version.APIVersionRequest()

    def cache_db_items(self, key: str, items: Iterable[Any], item_key: str = "id") -> None:
        """Remember rows under ``key``, indexed by their ``item_key`` field."""
        db_items = self._extension_data["db_items"].setdefault(key, {})
        for item in items:
            db_items[_item_id(item, item_key)] = item

    def get_db_items(self, key: str) -> dict:
        return self._extension_data["db_items"].get(key, {})

    def get_db_item(self, key: str, item_id: Any) -> Any:
        return self.get_db_items(key).get(item_id)

    def cache_db_instances(self, instances: Iterable[Any]) -> None:
        self.cache_db_items("instances", instances, "uuid")

    def cache_db_instance(self, instance: Any) -> None:
        self.cache_db_items("instances", [instance], "uuid")

    def get_db_instances(self) -> dict:
        return self.get_db_items("instances")

    def get_db_instance(self, instance_uuid: str) -> Any:
        return self.get_db_item("instances", instance_uuid)

    def best_match_content_type(self) -> str:
        """The type of the answer: only JSON is spoken, so JSON whatever ``Accept`` says."""
        if "nova.best_content_type" not in self.environ:
            content_type = None
            parts = self.path.rsplit(".", 1)
            if len(parts) > 1 and "application/" + parts[1] in get_supported_content_types():
                content_type = "application/" + parts[1]
            if not content_type:
                offers = self.accept.acceptable_offers(list(get_supported_content_types()))
                content_type = offers[0][0] if offers else None
            self.environ["nova.best_content_type"] = content_type or "application/json"
        return self.environ["nova.best_content_type"]

    def get_content_type(self) -> str | None:
        """The type of the request body; None when absent or ``text/plain``.

        Raises ``InvalidContentType`` (→ 415) for a type we cannot read.
        """
        if "Content-Type" not in self.headers:
            return None
        content_type = self.content_type
        # text/plain is what many servers and clients fill in by default.
        if not content_type or content_type == "text/plain":
            return None
        if content_type not in get_supported_content_types():
            raise exception.InvalidContentType(content_type=content_type)
        return content_type

    def set_api_version_request(self) -> None:
        """Read the microversion headers into ``self.api_version_request``."""
        hdr_string = _requested_version(self.headers)
        if hdr_string is None:
            self.api_version_request = api_version.APIVersionRequest(api_version.DEFAULT_API_VERSION)
        elif hdr_string.lower() == "latest":
            self.api_version_request = api_version.max_api_version()
        else:
            requested = api_version.APIVersionRequest(hdr_string)
            # Outside [min, max]: refuse before anything answers "at" that version.
            if not requested.matches(api_version.min_api_version(), api_version.max_api_version()):
                raise exception.InvalidGlobalAPIVersion(
                    req_ver=requested.get_string(),
                    min_ver=api_version.min_api_version().get_string(),
                    max_ver=api_version.max_api_version().get_string(),
                )
            self.api_version_request = requested


def _requested_version(headers: Mapping[str, str]) -> str | None:
    """``OpenStack-API-Version: compute 2.1`` first, then the legacy Nova header."""
    for item in headers.get(API_VERSION_REQUEST_HEADER, "").split(","):
        service, _sep, version = item.strip().partition(" ")
        if service.lower() == "compute":
            return version.strip()
    legacy = headers.get(LEGACY_API_VERSION_REQUEST_HEADER)
    return legacy.strip() if legacy is not None else None


class ActionDispatcher:
    """Call the method named by ``action``, or ``default``."""

    def dispatch(self, *args: Any, **kwargs: Any) -> Any:
        action = kwargs.pop("action", "default")
        action_method = getattr(self, str(action), None)
        if not action_method:
            action_method = self.default
        return action_method(*args, **kwargs)

    def default(self, data: Any) -> Any:
        raise NotImplementedError()


class TextDeserializer(ActionDispatcher):
    """Turn a request body into the ``{"body": ...}`` keyword arguments of a method."""

    def deserialize(self, datastring: bytes | str, action: str = "default") -> dict:
        return self.dispatch(datastring, action=action)

    def default(self, datastring: bytes | str) -> dict:
        return {}


class JSONDeserializer(TextDeserializer):
    def _from_json(self, datastring: bytes | str) -> Any:
        try:
            if isinstance(datastring, bytes):  # UTF-8 only, as Nova decodes it (json would also guess UTF-16)
                datastring = datastring.decode("utf-8")
            return json.loads(datastring)
        except (ValueError, RecursionError) as exc:  # RecursionError: absurdly nested JSON
            raise exception.MalformedRequestBody(reason="cannot understand JSON") from exc

    def default(self, datastring: bytes | str) -> dict:
        return {"body": self._from_json(datastring)}


class DictSerializer(ActionDispatcher):
    """Turn the dict a controller returned into a response body."""

    def serialize(self, data: Any, action: str = "default") -> str:
        return self.dispatch(data, action=action)

    def default(self, data: Any) -> str:
        return ""


class JSONDictSerializer(DictSerializer):
    def default(self, data: Any) -> str:
        return json.dumps(data)


def serializers(**serializers: type[DictSerializer]) -> Callable:
    """Attach per-media-type serializers to a controller method."""

    def decorator(func: Callable) -> Callable:
        if not hasattr(func, "wsgi_serializers"):
            func.wsgi_serializers = {}
        func.wsgi_serializers.update(serializers)
        return func

    return decorator


def deserializers(**deserializers: type[TextDeserializer]) -> Callable:
    """Attach per-media-type deserializers to a controller method."""

    def decorator(func: Callable) -> Callable:
        if not hasattr(func, "wsgi_deserializers"):
            func.wsgi_deserializers = {}
        func.wsgi_deserializers.update(deserializers)
        return func

    return decorator


def response(code: int) -> Callable:
    """Set the success status of a method, e.g. ``@response(202)`` for an action."""

    def decorator(func: Callable) -> Callable:
        func.wsgi_code = code
        return func

    return decorator


class ResponseObject:
    """A controller's result before serialization: the object, a code, headers.

    ``@extends`` methods receive it as ``resp_obj`` and may edit ``resp_obj.obj``.
    """

    def __init__(self, obj: Any, code: int | None = None, headers: dict | None = None, **serializers: Any):
        self.obj = obj
        self.serializers = serializers
        self._default_code = 200
        self._code = code
        self._headers = {key.lower(): value for key, value in (headers or {}).items()}

    def __getitem__(self, key: str) -> str:
        return self._headers[key.lower()]

    def __setitem__(self, key: str, value: str) -> None:
        self._headers[key.lower()] = value

    def __delitem__(self, key: str) -> None:
        del self._headers[key.lower()]

    def _bind_method_serializers(self, meth_serializers: dict) -> None:
        for mtype, serializer in meth_serializers.items():
            self.serializers.setdefault(mtype, serializer)

    def get_serializer(self, content_type: str, default_serializers: dict | None = None) -> tuple:
        default_serializers = default_serializers or {}
        mtype = _MEDIA_TYPE_MAP.get(content_type, content_type)
        if mtype in self.serializers:
            return mtype, self.serializers[mtype]
        if mtype in default_serializers:
            return mtype, default_serializers[mtype]
        raise exception.InvalidContentType(content_type=content_type)

    def serialize(self, request: Request, content_type: str, default_serializers: dict | None = None) -> webob.Response:
        """Build the ``webob.Response``: status, headers, JSON body."""
        _mtype, serializer = self.get_serializer(content_type, default_serializers)
        response = webob.Response()
        response.status_int = self.code
        for hdr, value in self._headers.items():
            response.headers[hdr] = str(value)
        if self.code != 204:  # "No Content" carries no body, so no body type
            response.headers["Content-Type"] = content_type
        else:
            response.headers.pop("Content-Type", None)
        if self.obj is not None:
            body = serializer().serialize(self.obj)
            response.body = body.encode("utf-8") if isinstance(body, str) else body
        return response

    @property
    def code(self) -> int:
        return self._code or self._default_code

    @property
    def headers(self) -> dict:
        return self._headers.copy()


def action_peek(body: bytes | str) -> str:
    """The name of a server action: the only key of the JSON body."""
    try:
        decoded = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise exception.MalformedRequestBody(reason="cannot understand JSON") from exc
    if not isinstance(decoded, dict) or len(decoded) != 1:
        raise exception.MalformedRequestBody(reason="too many body keys")
    return list(decoded.keys())[0]


class ResourceExceptionHandler:
    """Turn what a controller raised into a ``Fault`` with the right status.

    Anything not handled here propagates to ``FaultWrapper`` (a 500).
    """

    def __enter__(self) -> None:
        return None

    def __exit__(self, ex_type: Any, ex_value: BaseException | None, ex_traceback: Any) -> bool:
        if not ex_value:
            return True
        if isinstance(ex_value, exception.Forbidden):
            raise Fault(webob.exc.HTTPForbidden(explanation=ex_value.format_message()))
        if isinstance(ex_value, exception.Invalid):
            http_error = webob.exc.status_map.get(ex_value.code, webob.exc.HTTPBadRequest)
            raise Fault(http_error(explanation=ex_value.format_message()))
        if isinstance(ex_value, TypeError):
            LOG.error("Exception handling resource: %s", ex_value, exc_info=(ex_type, ex_value, ex_traceback))
            raise Fault(webob.exc.HTTPBadRequest())
        if isinstance(ex_value, Fault):
            LOG.info("Fault thrown: %s", ex_value)
            raise ex_value
        if isinstance(ex_value, webob.exc.HTTPException):
            LOG.info("HTTP exception thrown: %s", ex_value)
            raise Fault(ex_value)
        return False  # not ours: let it propagate


class Fault(webob.exc.HTTPException):
    """A webob error rendered as Nova's fault JSON, e.g. ``{"itemNotFound": {...}}``."""

    _fault_names = {
        400: "badRequest",
        401: "unauthorized",
        403: "forbidden",
        404: "itemNotFound",
        405: "badMethod",
        409: "conflictingRequest",
        413: "overLimit",
        415: "badMediaType",
        429: "overLimit",
        501: "notImplemented",
        503: "serviceUnavailable",
    }

    def __init__(self, exception: webob.exc.HTTPException) -> None:
        self.wrapped_exc = exception
        for key, value in list(self.wrapped_exc.headers.items()):
            self.wrapped_exc.headers[key] = str(value)
        self.status_int = exception.status_int

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: Request) -> webob.Response:
        code = self.wrapped_exc.status_int
        fault_name = self._fault_names.get(code, "computeFault")
        explanation = self.wrapped_exc.explanation
        LOG.debug("Returning %s to user: %s", code, explanation)
        fault_data = {fault_name: {"code": code, "message": explanation}}
        if code in (413, 429):
            retry = self.wrapped_exc.headers.get("Retry-After")
            if retry:
                fault_data[fault_name]["retryAfter"] = retry
        add_version_headers(self.wrapped_exc.headers, req.api_version_request)
        content_type = req.best_match_content_type()
        self.wrapped_exc.body = JSONDictSerializer().serialize(fault_data).encode("utf-8")
        self.wrapped_exc.content_type = content_type
        return self.wrapped_exc

    def __str__(self) -> str:
        return self.wrapped_exc.__str__()


class Resource(base_wsgi.Application):
    """The WSGI app behind every route: (de)serialization around one controller.

    ``routes`` has put the controller's action and the URL variables in the
    environ; ``__call__`` reads them, ``_process_stack`` does the work and
    ``dispatch`` finally calls ``controller.<action>(req=..., **args)``.
    """

    def __init__(self, controller: Any, inherits: Resource | None = None, **deserializers: Any) -> None:
        self.controller = controller
        self.inherits = inherits
        self.default_deserializers = {"json": JSONDeserializer, **deserializers}
        self.default_serializers = {"json": JSONDictSerializer}
        # {"os-start": bound method}: filled from @action methods of the controller(s).
        self.wsgi_actions: dict[str, Callable] = {}
        if controller:
            self.register_actions(controller)
        # {"detail": [extension methods]} and {"os-start": [...]}: filled by register_extensions.
        self.wsgi_extensions: dict[str, list[Callable]] = {}
        self.wsgi_action_extensions: dict[str, list[Callable]] = {}

    def register_actions(self, controller: Any) -> None:
        """Make the ``@action`` methods of ``controller`` reachable through ``POST .../action``."""
        actions = getattr(controller, "wsgi_actions", {})
        for key, method_name in actions.items():
            self.wsgi_actions[key] = getattr(controller, method_name)

    def register_extensions(self, controller: Any) -> None:
        """Queue the ``@extends`` methods of ``controller`` to run around ours."""
        extensions = getattr(controller, "wsgi_extensions", [])
        for method_name, action_name in extensions:
            extension = getattr(controller, method_name)
            if action_name:
                self.wsgi_action_extensions.setdefault(action_name, []).append(extension)
            else:
                self.wsgi_extensions.setdefault(method_name, []).append(extension)

    def get_action_args(self, request_environment: dict) -> dict:
        """The URL variables ``routes`` matched, without ``controller`` and ``format``."""
        if hasattr(self.controller, "get_action_args"):
            return self.controller.get_action_args(request_environment)
        try:
            args = request_environment["wsgiorg.routing_args"][1].copy()
        except (KeyError, IndexError, AttributeError):
            return {}
        args.pop("controller", None)
        args.pop("format", None)
        return args

    def get_body(self, request: Request) -> tuple[str | None, bytes]:
        """The body and its content type; a bodiless request has neither."""
        body = request.body
        if not body:
            return None, b""
        return request.get_content_type(), body

    def deserialize(self, meth: Callable, content_type: str | None, body: bytes) -> dict:
        # As in Nova master, a body sent without a Content-Type is read as JSON.
        mtype = _MEDIA_TYPE_MAP.get(content_type or "application/json")
        meth_deserializers = getattr(meth, "wsgi_deserializers", {})
        deserializer = meth_deserializers.get(mtype) or self.default_deserializers.get(mtype)
        if deserializer is None:
            raise exception.InvalidContentType(content_type=content_type)
        return deserializer().deserialize(body)

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, request: Request) -> webob.Response | Fault:
        """Parse the microversion, the routing args and the body, then process."""
        try:
            request.set_api_version_request()
        except exception.InvalidAPIVersionString as e:
            return Fault(webob.exc.HTTPBadRequest(explanation=e.format_message()))
        except exception.InvalidGlobalAPIVersion as e:
            return Fault(webob.exc.HTTPNotAcceptable(explanation=e.format_message()))

        action_args = self.get_action_args(request.environ)
        action = action_args.pop("action", None)
        try:
            content_type, body = self.get_body(request)
            accept = request.best_match_content_type()
        except exception.InvalidContentType:
            return Fault(webob.exc.HTTPUnsupportedMediaType(explanation="Unsupported Content-Type"))

        # Kept apart from __call__ (as Nova does) so a debugger can step
        # into it without wading through the wsgify decorator.
        return self._process_stack(request, action, action_args, content_type, body, accept)

    def _process_stack(
        self,
        request: Request,
        action: str | None,
        action_args: dict,
        content_type: str | None,
        body: bytes,
        accept: str,
    ) -> webob.Response | Fault:
        """Find the method, run extensions and the method, serialize the result."""
        try:
            meth, extensions = self.get_method(request, action, content_type, body)
        except (AttributeError, TypeError):
            return Fault(webob.exc.HTTPNotFound())
        except KeyError as ex:
            return Fault(webob.exc.HTTPBadRequest(explanation=f"There is no such action: {ex.args[0]}"))
        except exception.MalformedRequestBody:
            return Fault(webob.exc.HTTPBadRequest(explanation="Malformed request body"))

        if body:
            LOG.debug("Action: '%s', calling method: %s, body: %s", action, meth.__qualname__, body[:1024])
        else:
            LOG.debug("Calling method '%s'", meth.__qualname__)

        # Now, deserialize the request body into the ``body`` argument.
        try:
            contents = {}
            if request.method in ("POST", "PUT"):
                contents = {"body": None} if not body else self.deserialize(meth, content_type, body)
        except exception.InvalidContentType:
            return Fault(webob.exc.HTTPUnsupportedMediaType(explanation="Unsupported Content-Type"))
        except exception.MalformedRequestBody:
            return Fault(webob.exc.HTTPBadRequest(explanation="Malformed request body"))
        action_args.update(contents)

        project_id = action_args.pop("project_id", None)
        context = request.environ.get("nova.context")
        if context and project_id and project_id != context.project_id and not context.is_admin:
            msg = (
                f"Malformed request URL: URL's project_id '{project_id}' doesn't match "
                f"Context's project_id '{context.project_id}'"
            )
            return Fault(webob.exc.HTTPBadRequest(explanation=msg))

        # Run pre-processing extensions (generators, up to their ``yield``).
        response, post = self.pre_process_extensions(extensions, request, action_args)

        if not response:
            try:
                with ResourceExceptionHandler():
                    action_result = self.dispatch(meth, request, action_args)
            except Fault as ex:
                response = ex

        if not response:
            # No exception: wrap a plain dict into a ResponseObject.
            resp_obj = None
            if type(action_result) is dict or action_result is None:
                resp_obj = ResponseObject(action_result)
            elif isinstance(action_result, ResponseObject):
                resp_obj = action_result
            else:
                response = action_result

            if resp_obj:
                resp_obj._bind_method_serializers(getattr(meth, "wsgi_serializers", {}))
                if hasattr(meth, "wsgi_code"):
                    resp_obj._default_code = meth.wsgi_code
                # Post-processing extensions may edit resp_obj.obj or answer instead.
                response = self.post_process_extensions(post, resp_obj, request, action_args)

            if resp_obj and not response:
                response = resp_obj.serialize(request, accept, self.default_serializers)

        if hasattr(response, "headers"):
            add_version_headers(response.headers, request.api_version_request)
        return response

    def get_method(
        self, request: Request, action: str | None, content_type: str | None, body: bytes
    ) -> tuple[Callable, list[Callable]]:
        """The controller method for ``action`` and the extensions of it."""
        meth, extensions = self._get_method(request, action, content_type, body)
        if self.inherits:
            _meth, parent_ext = self.inherits.get_method(request, action, content_type, body)
            extensions.extend(parent_ext)
        return meth, extensions

    def _get_method(
        self, request: Request, action: str | None, content_type: str | None, body: bytes
    ) -> tuple[Callable, list[Callable]]:
        try:
            meth = getattr(self.controller if self.controller else self, action)
        except AttributeError:
            if not self.wsgi_actions or action not in _ROUTES_METHODS + ["action"]:
                raise
        else:
            return meth, list(self.wsgi_extensions.get(action, []))

        # POST /servers/{id}/action: the body's single key names the action.
        action_name = action_peek(body) if action == "action" else action
        return self.wsgi_actions[action_name], list(self.wsgi_action_extensions.get(action_name, []))

    def pre_process_extensions(
        self, extensions: list[Callable], request: Request, action_args: dict
    ) -> tuple[Any, Iterable]:
        """Run generator extensions up to their ``yield``; return what runs after."""
        post = []
        for ext in extensions:
            if inspect.isgeneratorfunction(ext):
                response = None
                try:
                    with ResourceExceptionHandler():
                        gen = ext(req=request, **action_args)
                        response = next(gen)
                except Fault as ex:
                    response = ex
                if response:
                    return response, []
                post.append(gen)
            else:
                # Plain functions only post-process.
                post.append(ext)
        # The last registered extension runs first, as Nova does.
        return None, reversed(post)

    def post_process_extensions(
        self, extensions: Iterable, resp_obj: ResponseObject, request: Request, action_args: dict
    ) -> Any:
        """Let each extension edit ``resp_obj``; a returned response replaces ours."""
        for ext in extensions:
            response = None
            if inspect.isgenerator(ext):
                try:
                    with ResourceExceptionHandler():
                        response = ext.send(resp_obj)
                except StopIteration:
                    continue  # the generator finished normally
                except Fault as ex:
                    response = ex
            else:
                try:
                    with ResourceExceptionHandler():
                        response = ext(req=request, resp_obj=resp_obj, **action_args)
                except Fault as ex:
                    response = ex
            if response:
                return response
        return None

    def dispatch(self, method: Callable, request: Request, action_args: dict) -> Any:
        """Call the controller method: the last hop of the framework."""
        try:
            return method(req=request, **action_args)
        except exception.VersionNotFoundForAPIMethod:
            # No version of the method serves the request's microversion: to the client it is
            # as if the method did not exist (Nova says nothing more, on purpose).
            return Fault(webob.exc.HTTPNotFound())


def action(name: str) -> Callable:
    """Mark a controller method as the server action ``name``, e.g. ``@action("os-start")``."""

    def decorator(func: Callable) -> Callable:
        func.wsgi_action = name
        return func

    return decorator


def extends(*args: Any, **kwargs: Any) -> Callable:
    """Mark a method as an extension of the method of the same name (or of ``action=...``).

    Usable bare (``@extends``) or with arguments (``@extends(action="reboot")``).
    """

    def decorator(func: Callable) -> Callable:
        func.wsgi_extends = (func.__name__, kwargs.get("action"))
        return func

    if args:
        return decorator(*args)
    return decorator


class ControllerMetaclass(type):
    """Collect ``@action`` and ``@extends`` methods into ``wsgi_actions`` / ``wsgi_extensions``, and the
    versions of each ``@Controller.api_version`` method into ``versioned_methods``."""

    def __new__(mcs, name: str, bases: tuple, cls_dict: dict) -> type:
        actions: dict[str, str] = {}
        extensions: list[tuple[str, str | None]] = []
        versioned_methods = None
        for base in bases:
            actions.update(getattr(base, "wsgi_actions", {}))
            if base.__name__ == "Controller" and VER_METHOD_ATTR in base.__dict__:
                # Nova's way: while a class body runs, @Controller.api_version gathers its methods on
                # Controller itself (the class being defined does not exist yet); they move here.
                versioned_methods = getattr(base, VER_METHOD_ATTR)
                delattr(base, VER_METHOD_ATTR)
        for key, value in cls_dict.items():
            if not callable(value):
                continue
            if getattr(value, "wsgi_action", None):
                actions[value.wsgi_action] = key
            elif getattr(value, "wsgi_extends", None):
                extensions.append(value.wsgi_extends)
        cls_dict["wsgi_actions"] = actions
        cls_dict["wsgi_extensions"] = extensions
        if versioned_methods:
            cls_dict[VER_METHOD_ATTR] = versioned_methods
            # Nova puts this lookup on every controller; here only classes with versioned methods get
            # it, so the traces of the others are not filled with one call per attribute they read.
            cls_dict["__getattribute__"] = _versioned_getattribute
        return super().__new__(mcs, name, bases, cls_dict)


class Controller(metaclass=ControllerMetaclass):
    """Base of every controller; builds ``self._view_builder`` when a class is set."""

    _view_builder_class: type | None = None

    def __init__(self, view_builder: Any = None) -> None:
        if view_builder:
            self._view_builder = view_builder
        elif self._view_builder_class:
            self._view_builder = self._view_builder_class()
        else:
            self._view_builder = None

    def __getattribute__(self, key: str) -> Any:  # moved off Controller below, onto versioned classes
        """A versioned method is chosen per request: the version whose range holds the request's
        microversion is called; with none, ``VersionNotFoundForAPIMethod`` (which ``dispatch`` makes a 404)."""

        def version_select(*args: Any, **kwargs: Any) -> Any:
            request = kwargs["req"] if not args else args[0]  # a versioned method's first argument
            version = request.api_version_request
            for method in self.versioned_methods[key]:
                if version.matches(method.start_version, method.end_version):
                    # The chosen version's marks (wsgi_code, ...) onto the wrapper, where Resource reads them.
                    functools.update_wrapper(version_select, method.func)
                    return method.func(self, *args, **kwargs)
            raise exception.VersionNotFoundForAPIMethod(version=version.get_string())

        try:
            versioned = object.__getattribute__(self, VER_METHOD_ATTR)
        except AttributeError:  # no versioned method in this class
            return object.__getattribute__(self, key)
        if versioned and key in versioned:
            return version_select
        return object.__getattribute__(self, key)

    @classmethod
    def api_version(cls, min_ver: str, max_ver: str | None = None) -> Callable:
        """The method below serves microversions ``min_ver`` to ``max_ver`` (open-ended when None).

        One name may be defined several times in a class, each for its own range; a request runs
        the one whose range holds its version, newest first.
        """

        def decorator(func: Callable) -> Callable:
            start = api_version.APIVersionRequest(min_ver)
            end = api_version.APIVersionRequest(max_ver) if max_ver else api_version.APIVersionRequest()
            if VER_METHOD_ATTR not in cls.__dict__:
                setattr(cls, VER_METHOD_ATTR, {})
            versions = cls.__dict__[VER_METHOD_ATTR].setdefault(func.__name__, [])
            versions.append(VersionedMethod(func.__name__, start, end, func))
            versions.sort(key=lambda method: method.start_version, reverse=True)
            return func

        return decorator


_versioned_getattribute = Controller.__dict__["__getattribute__"]
del Controller.__getattribute__
