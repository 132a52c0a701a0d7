"""Shared code shipped to every function (as a Lambda layer or vendored into the package).

Sub-packages:
    core      settings, database, Redis, AWS clients, logging, errors
    http      routing/validation decorator, auth context, OpenAPI, rate limiting, pagination
    services  domain services: plain functions that take their dependencies as arguments
    tasks     durable background tasks: outbox, relay, registry of task handlers
"""
