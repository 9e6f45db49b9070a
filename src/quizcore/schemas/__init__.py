"""colander schemas of the REST API, shared by validation and the OpenAPI document."""
