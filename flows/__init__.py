"""What happens after the ack: build the exact request, check policy, send it, record it."""
