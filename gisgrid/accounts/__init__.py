"""Account administration under 三员分立: the system administrator manages accounts, the security administrator roles."""
