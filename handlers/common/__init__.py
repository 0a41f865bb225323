"""Pieces shared by every feature: the feature manifest, shared form steps, access guards.

A feature (a folder under handlers/) may import from here and from the layers below
(bot.core, bot.delivery, storage, content); never from another feature.
"""
