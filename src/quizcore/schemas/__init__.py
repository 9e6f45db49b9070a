"""Colander schemas of the REST API, shared by request validation and the OpenAPI document."""
