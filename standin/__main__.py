"""Run the stand-in on its own: ``python -m standin --port 8081 --token 123:ABC``.

Point a bot at the printed base_url. Act as a user with curl, e.g.
``curl -d 'hello' http://127.0.0.1:8081/_standin/users/42/text`` (press a button:
``.../users/42/press`` with the label as body; read a chat: ``GET /_standin/chats/42``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from .server import BotApiStandin


async def _serve(args: argparse.Namespace) -> None:
    standin = BotApiStandin(args.token, host=args.host, port=args.port)
    await standin.start()
    print(f"base_url      {standin.base_url}", flush=True)
    print(f"base_file_url {standin.base_file_url}", flush=True)
    print(f"token         {standin.token}   (Ctrl-C stops)", flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C raises instead
            loop.add_signal_handler(signum, stopped.set)
    try:
        await stopped.wait()
    finally:
        await standin.stop()
        print("stopped", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m standin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
