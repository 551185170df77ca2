"""The HTTP side of sample_api: paste filters here, the OpenStack API in ``openstack``."""
