"""Stand-ins for the real systems (tests, demo, benchmarks); the bot never imports them."""
