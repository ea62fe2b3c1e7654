"""Notifications: the outbox, in-app list and bell, e-mail and SMS delivery, preferences, citizen updates."""
