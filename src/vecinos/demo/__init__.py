"""The demo coalition that `vecinos demo` seeds."""
