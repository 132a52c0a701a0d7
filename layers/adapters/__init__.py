"""Implementations of the ports in ``layers.core.ports``: the real one and an in-process fake.

Only ``layers.bootstrap`` chooses between them; services never import this package.
"""
