"""The compute service's API layer, as ``nova.compute``.

Controllers never touch the database directly: they call ``compute.API()``,
which checks states and then writes through ``sample_api.db``.
"""

from sample_api.compute.api import API

__all__ = ["API"]
