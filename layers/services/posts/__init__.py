"""Posts: ``queries`` reads them (lists, one post, hydration with tags), ``commands`` writes them.

Every row that leaves this package for a caller has gone through ``premium.gate``.
"""
