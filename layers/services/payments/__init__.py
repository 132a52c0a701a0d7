"""Payments: plans, Stripe Checkout and the billing portal, webhook events, subscription state, sync.

Stripe is reached only through the ``Payments`` port (``layers.core.ports``), passed in by the
caller. Subscription state lives in ``subscriptions``, one row per user; who counts as premium is
decided by ``layers.services.users.IS_PREMIUM_SQL`` alone.
"""
