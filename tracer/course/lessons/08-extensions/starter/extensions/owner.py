"""Adds ``tracer:owner`` (``<user_id>@<project_id>``) to every server.

TODO: write the controller (two @wsgi.extends methods, show and detail) and the
ExtensionDescriptor whose get_controller_extensions() attaches it to "servers".
"""

from sample_api.api.openstack import extensions, wsgi  # noqa: F401  (you will need both)

KEY = "tracer:owner"
