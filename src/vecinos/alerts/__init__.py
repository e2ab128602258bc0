"""Alerts: subscriptions without an account, geo-matching, alert texts, delivery channels."""
