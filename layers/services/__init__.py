"""Domain services: plain functions over an explicit connection (and Redis/AWS/clock where needed).

They never import Chalice; each does one transaction and commits it explicitly.
"""
