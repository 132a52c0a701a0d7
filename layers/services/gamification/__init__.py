"""Gamification: levels, badges, milestones, streaks and the XP leaderboard.

The XP ledger itself is ``layers.services.xp``: every award goes through ``xp.award``, which
calls ``events.after_award`` in the same transaction, so a badge or a series bonus exists
exactly when the XP that earned it does.
"""
