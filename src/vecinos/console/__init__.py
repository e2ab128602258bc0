"""The dispatcher's console: the live board, the map and an incident's detail, rendered on the
server (whole, and as fragments the page swaps in when the event stream says what changed)."""
