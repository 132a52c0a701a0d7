"""The HTTP edge: one route decorator that validates, authenticates, rate-limits, calls a
service and serialises; plus the error mapper, pagination, OpenAPI and middleware."""
