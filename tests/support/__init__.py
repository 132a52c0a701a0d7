"""Helpers shared by the test suite: an HTTP client with JSON conveniences, queue draining, mailbox."""
