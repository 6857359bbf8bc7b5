"""Getting messages to Slack: the budget, the Web API clients, the outbox sender, answers."""
