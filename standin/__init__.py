"""A local stand-in for the Telegram Bot API, for tests, the demo and benchmarks."""

from .models import ApiCall, BotOutput, Fault, SentFile
from .server import BotApiStandin
from .users import FakeChannel, FakeGroup, FakeUser

__all__ = [
    "ApiCall",
    "BotApiStandin",
    "BotOutput",
    "FakeChannel",
    "FakeGroup",
    "FakeUser",
    "Fault",
    "SentFile",
]
