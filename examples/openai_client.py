"""Routing every chat call of an OpenAI client through the advisor.

`RoutedChat` wraps a client: each `create(messages=...)` is routed with `route_messages` (the
latest user message decides; images, audio, tools, a JSON schema and the conversation's size
become hard constraints), and the call gets the advisor's model and parameters from
`request_params()`: reasoning effort, the right token-limit name, and temperature only where
the model accepts it.

Without the `openai` package or without OPENAI_API_KEY it prints the request it would send and
sends nothing; with both it sends the request and prints the reply.
"""

from __future__ import annotations

import json
import os
from typing import Any

from advisor import Constraints, Router
from advisor.messages import route_messages


class RoutedChat:
    """A chat-completions front that lets the advisor pick the model of every call."""

    def __init__(self, client: Any = None, router: Router | None = None, constraints: Constraints | None = None) -> None:
        self.client = client  # None: print requests instead of sending them
        self.router = router or Router()
        self.constraints = constraints

    def request(self, messages: list[dict], *, tools: list[dict] | None = None, response_format: dict | None = None,
                max_tokens: int | None = None, temperature: float | None = None) -> dict[str, Any]:
        """The keyword arguments the routed call is made with."""
        rec = route_messages(self.router, messages, tools, response_format, self.constraints)
        kwargs = rec.request_params(max_tokens=max_tokens, temperature=temperature)
        kwargs["messages"] = messages
        kwargs.update({k: v for k, v in (("tools", tools), ("response_format", response_format)) if v})
        return kwargs

    def create(self, messages: list[dict], **options: Any) -> Any:
        """Route, then send (or, without a client, print and return the request)."""
        kwargs = self.request(messages, **options)
        if self.client is None:
            print(json.dumps(kwargs, indent=2))
            return kwargs
        return self.client.chat.completions.create(**kwargs)


def _client() -> Any:
    # Only a configured client sends anything; everything else is a dry run.
    if not os.environ.get("OPENAI_API_KEY"):
        print("(OPENAI_API_KEY is not set: printing the routed requests instead of sending them)")
        return None
    try:
        from openai import OpenAI
    except ImportError:
        print("(the openai package is not installed: printing the routed requests instead of sending them)")
        return None
    return OpenAI()


WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}

CALLS = [
    ([{"role": "user", "content": "solve AIME problem: how many positive divisors does 2025 have?"}], {"max_tokens": 4000, "temperature": 0.2}),
    ([{"role": "user", "content": "What's the weather in Lisbon? Use the tool."}], {"tools": [WEATHER_TOOL], "max_tokens": 300, "temperature": 0.2}),
]


def main() -> None:
    # gpt-4.5-preview was shut down in the API on 2025-07-14, so a live client excludes it.
    chat = RoutedChat(_client(), constraints=Constraints(exclude={"gpt-4.5"}))
    for messages, options in CALLS:
        result = chat.create(messages, **options)
        if chat.client is not None:
            print(f"{result.model}: {result.choices[0].message.content or result.choices[0].message.tool_calls}")


if __name__ == "__main__":
    main()
