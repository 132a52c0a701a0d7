"""Durable background tasks.

A service that needs background work calls ``outbox.enqueue(conn, type, payload)`` inside its own
transaction. After the request's transaction commits, ``relay.flush_pending()`` sends those rows
to SQS; the ``outbox_sweep`` schedule sends whatever a crash or an SQS outage left behind. The
worker function runs each message's handler (``registry``) exactly once per task id.
"""
