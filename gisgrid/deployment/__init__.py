"""Deployment profiles: what differs between the seed places (levels, departments, rules), one TOML per place."""

from gisgrid.deployment.profile import Profile, ProfileError, current_profile, from_env, load

__all__ = ["Profile", "ProfileError", "current_profile", "from_env", "load"]
