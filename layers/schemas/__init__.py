"""Pydantic models shared by several routers (request bodies and response views)."""
