"""An app that lets the advisor choose the model and parameters of each OpenAI-style request.

The app keeps its conversation in chat format. For every turn it asks the advisor for a model
(`route_messages`: the latest user message decides; images, audio, tools, a JSON schema and the
conversation's size become hard constraints), then builds the request dict it would send:
`request_params()` gives the model, reasoning effort and the right token-limit name, and drops
temperature where the model rejects it; the instructions go in the role the model expects
(o-series models take "developer"). It prints the request instead of sending it.
"""

import json

from advisor import Constraints, Recommendation, Router
from advisor.messages import route_messages

SYSTEM = "You are a helpful assistant for a maths tutoring website."

TURNS = [
    {"role": "user", "content": "Solve this AIME problem: find the number of ordered pairs (m, n) with m*n = 2025."},
    {"role": "user", "content": "I failed my exam and feel terrible. Any words for me?"},
    {"role": "user", "content": [
        {"type": "text", "text": "Is my working in this photo right?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/working.png", "detail": "high"}},
    ]},
]

ANSWER_SCHEMA = {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object", "properties": {"answer": {"type": "string"}}}}}


def build_request(router: Router, messages: list[dict], response_format: dict | None = None) -> dict:
    """The chat-completions request the app would send for this conversation."""
    # gpt-4.5-preview was shut down in the API on 2025-07-14, so a live app excludes it.
    rec = route_messages(router, messages, response_format=response_format, constraints=Constraints(exclude={"gpt-4.5"}))
    request = rec.request_params(max_tokens=2000, temperature=0.3)
    request["messages"] = _with_instruction_role(router, rec, messages)
    if response_format:
        request["response_format"] = response_format
    return request


def _with_instruction_role(router: Router, rec: Recommendation, messages: list[dict]) -> list[dict]:
    # o-series models take instructions as "developer"; the others as "system".
    role = router.catalog.get(rec.model).capabilities.instruction_role
    return [dict(m, role=role) if m["role"] in ("system", "developer") else m for m in messages]


def main() -> None:
    router = Router()
    for turn in TURNS:
        messages = [{"role": "system", "content": SYSTEM}, turn]
        # The app asks for structured output on maths turns only.
        response_format = ANSWER_SCHEMA if "AIME" in json.dumps(turn) else None
        print(json.dumps(build_request(router, messages, response_format), indent=2))


if __name__ == "__main__":
    main()
