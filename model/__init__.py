"""Typed data shared by every layer (store, poller, render, flows): imports nothing of the bot."""
