"""Benchmarks: markbot against a bare PTB bot, both driven through the Bot API stand-in."""
