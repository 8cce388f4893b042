"""EAP tenants: organisations whose portals embed the bot for their staff."""
