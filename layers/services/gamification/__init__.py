"""Gamification: levels, badges, milestones, streaks and the XP leaderboard.

Every change to a user's XP, level, streak and badges goes through the award pipeline,
``awards.award`` (and ``awards.check_in``), in the caller's transaction, so a badge or a series
bonus exists exactly when the XP that earned it does.
"""
