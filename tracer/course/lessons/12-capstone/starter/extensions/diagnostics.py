"""``GET /servers/{server_id}/diagnostics``: an admin-only report on one server.

TODO: the controller's index(req, server_id), the policy rule, and the descriptor's
get_resources() with a ResourceExtension nested under servers. Read INSTRUCTIONS.md.
"""

from sample_api import compute, policy  # noqa: F401
from sample_api.api.openstack import common, extensions, wsgi  # noqa: F401

RULE = "os_compute_api:os-server-diagnostics"
