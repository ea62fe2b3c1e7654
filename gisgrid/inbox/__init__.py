"""待办: one list of everything waiting for a user, filled by the domains that own the work."""
