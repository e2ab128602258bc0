"""Coverage you can plan: fixed posts (sites), recurring schedules and their slots, sign-ups,
swaps, reminders, accompaniment and the volunteer broadcast."""
