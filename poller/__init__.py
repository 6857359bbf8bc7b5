"""Following jobs: read new events, keep the store current, queue what the thread should see."""
