"""JSON Schemas of the request bodies the compute API accepts."""
