"""colander schemas of the REST API, one module per area; they validate requests and
describe them in the OpenAPI document."""
