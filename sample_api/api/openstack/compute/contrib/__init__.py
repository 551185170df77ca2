"""The standard extensions: every module here defines one ``ExtensionDescriptor``.

``CONF.osapi_compute_extension`` names ``standard_extensions``; the
``ExtensionManager`` calls it, and it registers each module of this folder.
"""

from __future__ import annotations

import logging

from sample_api.api.openstack import extensions

LOG = logging.getLogger(__name__)


def standard_extensions(ext_mgr: extensions.ExtensionManager) -> None:
    """Load every extension module of this package."""
    extensions.load_standard_extensions(ext_mgr, LOG, __path__, __package__)
