"""The web channel: the ballot in a browser, for anyone without Telegram (aiohttp + Jinja2)."""
