"""The terminal demo: the bot, the simulator and a console standing in for Slack."""
