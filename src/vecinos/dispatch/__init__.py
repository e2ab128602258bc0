"""Dispatch: responder shifts, ranking, offers and their escalation."""
