"""Zalo Official Account: the OAuth grant and the per-person interaction ledger."""
