"""Users, roles, departments and the grid scope of each user; login and CSRF."""
