"""Getting messages to Slack: the Web API client and the outbox sender."""
