"""The running process: wiring, the Bolt app, HTTP and Socket Mode, health and logging."""
