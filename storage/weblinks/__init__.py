"""One-time web links: a token's hash, whose it is, what it opens, until when."""
