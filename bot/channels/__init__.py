"""Channel adapters: carry Incoming and Reply over Zalo and Telegram (transport only)."""
