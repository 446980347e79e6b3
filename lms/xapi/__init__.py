"""Malaka's Learning Record Store: the xAPI resources, validation, storage and queries.

It imports nothing else of the platform, so it could be deployed on its own."""
