"""A streaming REST turn (``?stream=true``) is counted in flight like any other, so a surge of streams is shed too.

A real Sanic server in this process on a free port, the project's REST
channel, and a real HTTP client; only the bot behind it is a stand-in that
records how many turns the process's admission gate holds while it answers.
"""

from __future__ import annotations

import socket
from typing import List

import aiohttp
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.rest import RestInput
from bot.channels.shed import Admission
from bot.core import wiring


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_streamed_and_plain_turns_are_both_in_flight_while_answered() -> None:
    gate = Admission(max_in_flight=10, max_wait_seconds=5.0)
    in_flight_seen: List[int] = []

    async def on_new_message(message: UserMessage) -> None:
        in_flight_seen.append(gate.in_flight)
        await message.output_channel.send_text_message(message.sender_id, "hello back")

    app = Sanic("rest_stream_test")
    app.blueprint(RestInput().blueprint(on_new_message), url_prefix="/webhooks/rest")
    port = free_port()
    with wiring.override("admission", gate):
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
        assert server is not None
        await server.startup()
        try:
            async with aiohttp.ClientSession() as client:
                replies = []
                for query in ("?stream=true", ""):
                    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook{query}"
                    async with client.post(url, json={"sender": "me", "message": "hi"}) as answer:
                        assert answer.status == 200
                        replies.append(await answer.text())
        finally:
            server.close()
            await server.wait_closed()
    assert "hello back" in replies[0] and "hello back" in replies[1]
    assert in_flight_seen == [1, 1]  # the stream was counted (it read 0 before)
    assert gate.in_flight == 0  # and released
