"""The front door: two-way texts (REPORT conversations, ALERTS by text) and the hotline."""
