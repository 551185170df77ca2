"""Extensions: how Nova Kilo let code outside the core add to the API.

An ``ExtensionDescriptor`` names an extension (``alias``) and offers

* ``get_resources()``: new collections (``ResourceExtension``), each with its
  own controller and routes, e.g. ``/os-keypairs``;
* ``get_controller_extensions()``: additions to existing collections
  (``ControllerExtension``): new ``@action`` methods, or ``@extends`` methods
  that edit the response of e.g. ``servers.detail``.

The ``ExtensionManager`` loads the descriptors once per ``APIRouter``: the
factories named in ``CONF.osapi_compute_extension``, then every ``*.py`` of
``CONF.extensions_dir`` (a learner's own extensions).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import os
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import webob.exc

from sample_api import exception
from sample_api.api.openstack import wsgi
from sample_api.conf import CONF

LOG = logging.getLogger(__name__)

#: The package under which files of ``CONF.extensions_dir`` are imported.
EXTENSIONS_DIR_PACKAGE = "sample_api_extensions"


class ExtensionDescriptor:
    """Base class of an extension: subclass it and set the four attributes."""

    #: Human-readable name, e.g. "ExtendedStatus".
    name: str | None = None
    #: Unique short name, e.g. "OS-EXT-STS"; also the key in ``GET /extensions``.
    alias: str | None = None
    namespace: str | None = None
    #: Last change, ISO 8601, e.g. "2011-11-03T00:00:00Z".
    updated: str | None = None

    def __init__(self, ext_mgr: ExtensionManager) -> None:
        """Creating a descriptor registers it: this is what a loader calls."""
        ext_mgr.register(self)
        self.ext_mgr = ext_mgr

    def get_resources(self) -> list[ResourceExtension]:
        """New collections this extension adds (none by default)."""
        return []

    def get_controller_extensions(self) -> list[ControllerExtension]:
        """Controllers whose actions/``@extends`` methods join existing collections."""
        return []


class ResourceExtension:
    """A new collection: ``APIRouter._setup_ext_routes`` gives it a ``Resource`` and routes."""

    def __init__(
        self,
        collection: str,
        controller: Any = None,
        parent: dict | None = None,
        collection_actions: dict | None = None,
        member_actions: dict | None = None,
        custom_routes_fn: Callable | None = None,
        inherits: str | None = None,
        member_name: str | None = None,
    ) -> None:
        self.collection = collection
        self.controller = controller
        self.parent = parent
        self.collection_actions = collection_actions or {}
        self.member_actions = member_actions or {}
        self.custom_routes_fn = custom_routes_fn
        self.inherits = inherits
        self.member_name = member_name


class ControllerExtension:
    """Add ``controller``'s actions and ``@extends`` methods to the ``collection`` resource."""

    def __init__(self, extension: ExtensionDescriptor, collection: str, controller: Any) -> None:
        self.extension = extension
        self.collection = collection
        self.controller = controller


class ExtensionsController(wsgi.Controller):
    """``GET /extensions``: which extensions are loaded (handy to check your own)."""

    def __init__(self, extension_manager: ExtensionManager) -> None:
        self.extension_manager = extension_manager
        super().__init__()

    @staticmethod
    def _translate(ext: ExtensionDescriptor) -> dict:
        return {
            "name": ext.name,
            "alias": ext.alias,
            "description": inspect.getdoc(ext) or "",
            "namespace": ext.namespace,
            "updated": ext.updated,
            "links": [],
        }

    def index(self, req: wsgi.Request) -> dict:
        return {"extensions": [self._translate(ext) for ext in self.extension_manager.sorted_extensions()]}

    def show(self, req: wsgi.Request, id: str) -> dict:
        ext = self.extension_manager.extensions.get(id)
        if ext is None:
            raise webob.exc.HTTPNotFound(explanation=f"Extension {id} could not be found.")
        return {"extension": self._translate(ext)}


class ExtensionManager:
    """Load extensions and hand their resources and controller extensions to the router."""

    def __init__(self) -> None:
        LOG.debug("Initializing extension manager.")
        self.cls_list = list(CONF.osapi_compute_extension)
        self.extensions: dict[str, ExtensionDescriptor] = {}
        self.sorted_ext_list: list[tuple[str, ExtensionDescriptor]] | None = None
        self._load_extensions()

    def sorted_extensions(self) -> Iterator[ExtensionDescriptor]:
        if self.sorted_ext_list is None:
            self.sorted_ext_list = sorted(self.extensions.items())
        for _alias, ext in self.sorted_ext_list:
            yield ext

    def is_loaded(self, alias: str) -> bool:
        return alias in self.extensions

    def register(self, ext: ExtensionDescriptor) -> None:
        """Add one descriptor; a second extension with the same alias is an error."""
        if not self._check_extension(ext):
            return
        if ext.alias in self.extensions:
            raise exception.DuplicateExtension(alias=ext.alias)
        LOG.debug("Loaded extension: %s", ext.alias)
        self.extensions[ext.alias] = ext
        self.sorted_ext_list = None

    def _check_extension(self, extension: ExtensionDescriptor) -> bool:
        if not isinstance(extension.alias, str) or not extension.alias:
            LOG.error("Extension %s has no alias: skipped", type(extension).__name__)
            return False
        LOG.debug("Ext name=%s alias=%s updated=%s", extension.name, extension.alias, extension.updated)
        return True

    def get_resources(self) -> list[ResourceExtension]:
        """Every ``ResourceExtension`` of every loaded extension, plus ``/extensions``."""
        resources = [ResourceExtension("extensions", ExtensionsController(self))]
        for ext in self.sorted_extensions():
            try:
                resources.extend(ext.get_resources())
            except Exception:
                LOG.error("Extension %s: get_resources() failed; skipped", ext.alias, exc_info=True)
        return resources

    def get_controller_extensions(self) -> list[ControllerExtension]:
        """Every ``ControllerExtension`` of every loaded extension."""
        controller_exts = []
        for ext in self.sorted_extensions():
            try:
                controller_exts.extend(ext.get_controller_extensions())
            except Exception:
                LOG.error("Extension %s: get_controller_extensions() failed; skipped", ext.alias, exc_info=True)
        return controller_exts

    def load_extension(self, ext_factory: str | Callable) -> None:
        """Call a factory (or the one at a dotted path) with this manager."""
        LOG.debug("Loading extension %s", ext_factory)
        factory = import_class(ext_factory) if isinstance(ext_factory, str) else ext_factory
        factory(self)

    def _load_extensions(self) -> None:
        for ext_factory in self.cls_list:
            try:
                self.load_extension(ext_factory)
            except Exception as exc:
                LOG.error("Failed to load extension %s: %s", ext_factory, exc, exc_info=True)
        if CONF.extensions_dir:
            self._load_extensions_dir(CONF.extensions_dir)

    def _load_extensions_dir(self, path: str) -> None:
        """Import each ``*.py`` of a folder as ``sample_api_extensions.<stem>``.

        A broken file is logged (with its name and traceback) and skipped: the
        API keeps working without it.
        """
        folder = Path(path)
        if not folder.is_dir():
            LOG.error("extensions_dir %s is not a directory: no extensions loaded from it", folder)
            return
        for file in sorted(folder.glob("*.py")):
            if file.name.startswith("_"):
                continue
            try:
                module = _import_file(f"{EXTENSIONS_DIR_PACKAGE}.{file.stem}", file)
                found = register_descriptors(self, module)
            except Exception as exc:
                LOG.error("Failed to load extension file %s: %s", file, exc, exc_info=True)
                continue
            if not found:
                LOG.warning("Extension file %s defines no ExtensionDescriptor subclass", file)


def import_class(import_str: str) -> Any:
    """``"package.module.name"`` → the object ``name`` of that module."""
    mod_str, _sep, class_str = import_str.rpartition(".")
    module = importlib.import_module(mod_str)
    try:
        return getattr(module, class_str)
    except AttributeError:
        raise ImportError(f"Class {class_str} cannot be found in {mod_str}") from None


def _import_file(module_name: str, file: Path) -> types.ModuleType:
    """Import a file by path, fresh each time (so a learner's edits take effect)."""
    if EXTENSIONS_DIR_PACKAGE not in sys.modules:
        package = types.ModuleType(EXTENSIONS_DIR_PACKAGE)
        package.__path__ = []  # a namespace for the files we import by path
        sys.modules[EXTENSIONS_DIR_PACKAGE] = package
    spec = importlib.util.spec_from_file_location(module_name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def register_descriptors(ext_mgr: ExtensionManager, module: types.ModuleType) -> int:
    """Instantiate (and so register) each descriptor class *defined* in ``module``."""
    found = 0
    for obj in list(vars(module).values()):
        if (
            inspect.isclass(obj)
            and issubclass(obj, ExtensionDescriptor)
            and obj is not ExtensionDescriptor
            and obj.__module__ == module.__name__
        ):
            obj(ext_mgr)
            found += 1
    return found


def load_standard_extensions(ext_mgr: ExtensionManager, logger: logging.Logger, path: list[str], package: str) -> None:
    """Register the descriptors of every module in a package folder (e.g. ``contrib``).

    Called from ``contrib/__init__.py`` as
    ``load_standard_extensions(ext_mgr, LOG, __path__, __package__)``.
    """
    our_dir = path[0]
    for fname in sorted(os.listdir(our_dir)):
        root, ext = os.path.splitext(fname)
        if ext != ".py" or root.startswith("_"):
            continue
        module_name = f"{package}.{root}"
        try:
            register_descriptors(ext_mgr, importlib.import_module(module_name))
        except Exception as exc:
            logger.error("Failed to load extension %s: %s", module_name, exc, exc_info=True)
