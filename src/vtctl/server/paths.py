"""Where the guide's API lives on ``vtctl serve``: shared by the routes, the OpenAPI
document that describes them, and the middleware's token fast path."""

API = "/api/appointments"
SCHEMA_PATH = "/api/schema/"
