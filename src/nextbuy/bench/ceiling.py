"""The ceiling the engine is measured against, on the engine's own server stack.

``/hello`` is a raw ASGI answer (the most one uvicorn worker can do); every other path goes to
a FastAPI app whose ``/static`` returns a fixed JSON body of the engine's response size (what
FastAPI + uvicorn cost with no work behind them). Run as
``python -m nextbuy.bench.ceiling --port P --body FILE``, one worker, like the engine.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]
HELLO = b"Hello, world!"


def create_ceiling_app(static_body: bytes | Path) -> AsgiApp:
    """The combined app: raw ``/hello`` in front of FastAPI's ``/static``.

    ``static_body`` may be a file read at the first ``/static`` request: the bench starts this
    app while the services start, before an engine exists to produce a typical answer.
    """
    from fastapi import FastAPI, Response

    api = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    body: list[bytes] = [static_body] if isinstance(static_body, bytes) else []

    @api.get("/static")
    async def static() -> Response:
        """The engine-sized JSON body, precomputed."""
        if not body:
            assert isinstance(static_body, Path)
            body.append(static_body.read_bytes())
        return Response(body[0], media_type="application/json")

    @api.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness, for the bench's readiness wait."""
        return {"status": "ok"}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/hello":
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"text/plain")],
                }
            )
            await send({"type": "http.response.body", "body": HELLO})
            return
        await api(scope, receive, send)

    return app


def main(argv: list[str] | None = None) -> None:
    """Serve the ceiling app with uvicorn, configured as the engine serves."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--body", type=Path, required=True, help="JSON body for /static (read at first use)"
    )
    args = parser.parse_args(argv)
    app = create_ceiling_app(args.body)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
