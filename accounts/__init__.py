"""Users, roles, permissions, personal API tokens and sign-in."""
