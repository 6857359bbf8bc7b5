"""Failure drills (`make drills`): the bot as a real process under kill -9, outages, 429 storms,
click storms, hostile requests and generated input; each prints what it tried and found."""
