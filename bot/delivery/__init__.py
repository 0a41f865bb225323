"""Delivery: the outbox, its paced sender, reminder rules, broadcasts and their scheduler."""
