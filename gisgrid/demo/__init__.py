"""The demo deployments of the five seed places (``gisgrid demo load --place``)."""
