"""Accounts: organizations, members, roles, invites, sessions, two-factor, API tokens, audit."""
