"""View builders: turn database rows into the dicts the API returns.

A controller decides *which* rows to show; its view builder decides *how*
each one looks (keys, links, formats). The base class with the link helpers
is ``sample_api.api.openstack.common.ViewBuilder``, as in Nova.
"""
