"""Routing a chat conversation: what its messages need, and which of its text to route on.

Messages are OpenAI chat-format: `role` system, developer, user, assistant or tool; `content`
a string or a list of parts (`text`, `image_url`, `input_audio`, `file`; assistants may also
send `refusal`). Images and files make the conversation need vision (the API reads PDF files
as text plus page images, so only vision models take them), audio needs audio, tools need
tools and a `json_schema` or `json_object` response format needs json.

Token estimate, used for `min_context` (and by `advisor.batch` for cost): one token per CJK
character (Han, kana, Hangul), one per 4 other characters (right for English and most Latin
text, low for Cyrillic, Greek or Thai), plus fixed allowances: 4 per message for the chat
framing, 765 per image (a high-detail 1024x1024 image on GPT-4o; 85 at detail "low"),
1,000 per audio part and 2,000 per file part. Audio and file allowances are rough guesses:
their true size is only known by decoding them. Tool definitions, tool calls and a response
schema count as their JSON text. It is an estimate for excluding models whose context window
is too small, not a tokenizer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .errors import InputError, NoModelError
from .types import Constraints, Recommendation

if TYPE_CHECKING:  # router.py imports this module to offer Router.route_messages
    from .router import Router

CHARS_PER_TOKEN = 4
MESSAGE_TOKENS = 4
IMAGE_TOKENS = 765
IMAGE_TOKENS_LOW = 85
AUDIO_TOKENS = 1_000
FILE_TOKENS = 2_000
CONTEXT_DISCOUNT = 0.8  # a choice made on the earlier conversation is less certain than one made on the request
# Routing time grows with the text; the topic of a conversation shows in its system prompt
# (the head) and its recent turns (the tail), so the fallback routes on those and skips the middle.
CONTEXT_CHARS = 16_000

_CJK = re.compile("[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]")
_NO_TEXT = "(no text)"
_CONTEXT_NOTE = (
    "No rule spoke on the latest user message, so this choice rests on the system prompt and earlier turns "
    "(weaker evidence, confidence lowered); evidence offsets index that text followed by the latest message, "
    f"with the middle of conversations over {CONTEXT_CHARS:,} characters left out."
)
_NO_TEXT_NOTE = "The conversation has no text to route on; this choice rests on the constraints alone."

M = TypeVar("M", bound=BaseModel)


def estimate_text_tokens(text: str) -> int:
    """Estimated tokens in a text: one per CJK character, one per 4 other characters."""
    cjk = len(text) - len(_CJK.sub("", text))
    return cjk + -(-(len(text) - cjk) // CHARS_PER_TOKEN)


# ---- the shapes of messages and content parts ------------------------------------------------


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def text_of(self) -> str:
        return ""

    def tokens(self) -> int:
        return estimate_text_tokens(self.text_of())

    def need(self) -> str | None:
        return None


class _TextPart(_Part):
    type: Literal["text"]
    text: str

    def text_of(self) -> str:
        return self.text


class _RefusalPart(_Part):
    type: Literal["refusal"]
    refusal: str

    def text_of(self) -> str:
        return self.refusal


class _ImageURL(_Part):
    url: str
    detail: str = "auto"  # a plain string: only "low" changes the estimate, and new values should not break callers


class _ImagePart(_Part):
    type: Literal["image_url"]
    image_url: _ImageURL

    def tokens(self) -> int:
        return IMAGE_TOKENS_LOW if self.image_url.detail == "low" else IMAGE_TOKENS

    def need(self) -> str | None:
        return "vision"


class _InputAudio(_Part):
    data: str
    format: Literal["wav", "mp3"]


class _AudioPart(_Part):
    type: Literal["input_audio"]
    input_audio: _InputAudio

    def tokens(self) -> int:
        return AUDIO_TOKENS

    def need(self) -> str | None:
        return "audio"


class _File(_Part):
    file_id: str | None = None
    file_data: str | None = None
    filename: str | None = None

    @model_validator(mode="after")
    def _has_file(self) -> _File:
        if not (self.file_id or self.file_data):
            raise ValueError("give file_id or file_data")
        return self


class _FilePart(_Part):
    type: Literal["file"]
    file: _File

    def tokens(self) -> int:
        return FILE_TOKENS

    def need(self) -> str | None:
        return "vision"


_PARTS: dict[str, type[_Part]] = {"text": _TextPart, "image_url": _ImagePart, "input_audio": _AudioPart, "file": _FilePart, "refusal": _RefusalPart}
_TEXT_ONLY = frozenset({"text"})
_ALLOWED_PARTS: dict[str, frozenset[str]] = {
    "user": frozenset({"text", "image_url", "input_audio", "file"}),
    "assistant": frozenset({"text", "refusal"}),
    "system": _TEXT_ONLY,
    "developer": _TEXT_ONLY,
    "tool": _TEXT_ONLY,
}


class _Message(BaseModel):
    # Unknown keys are ignored: the API adds fields to the assistant messages it returns
    # (refusal, annotations, audio), and apps pass those messages back in the history.
    model_config = ConfigDict(extra="ignore", frozen=True)

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: Any = None  # checked by _parts, which names the failing part precisely
    tool_call_id: str | None = None
    tool_calls: list[dict[str, Any]] | None = None


class _Parsed(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: str
    parts: tuple[_Part, ...]
    extra_tokens: int = 0

    def text(self) -> str:
        return "\n".join(t for t in (p.text_of() for p in self.parts) if t)


class _FunctionDef(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    name: str


class _Tool(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    type: str
    function: _FunctionDef | None = None

    @model_validator(mode="after")
    def _function_given(self) -> _Tool:
        if self.type == "function" and self.function is None:
            raise ValueError("a tool of type 'function' needs a 'function' object with a 'name'")
        return self


class _ResponseFormat(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    type: Literal["text", "json_object", "json_schema"]
    json_schema: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _schema_given(self) -> _ResponseFormat:
        if self.type == "json_schema" and self.json_schema is None:
            raise ValueError("type 'json_schema' needs a 'json_schema' object")
        return self


class MessageTask(BaseModel):
    """A conversation reduced to what routing needs: the request, its context, its constraints."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    latest: str
    context: str
    constraints: Constraints
    estimated_tokens: int


# ---- building a MessageTask --------------------------------------------------------------------


def task_from_messages(
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] | None = None,
    response_format: Mapping[str, Any] | None = None,
    *,
    base_constraints: Constraints | None = None,
) -> MessageTask:
    """Validate chat messages and derive the text to route on, the needs and the input size."""
    parsed = _parse_messages(messages)
    latest = _latest_user(parsed)
    needs = _needs(parsed, tools, response_format)
    tokens = sum(_message_tokens(m) for m in parsed) + _extra_tokens(tools, response_format)
    return MessageTask(
        latest=parsed[latest].text(),
        context="\n\n".join(t for t in (m.text() for i, m in enumerate(parsed) if i != latest) if t),
        constraints=_merge(base_constraints, needs, tokens),
        estimated_tokens=tokens,
    )


def _parse_messages(messages: Any) -> list[_Parsed]:
    if not isinstance(messages, Sequence) or isinstance(messages, (str, bytes)):
        raise InputError(f"messages: expected a list of message objects, got {type(messages).__name__}")
    if not messages:
        raise InputError("messages: the list is empty; give at least one user message")
    return [_parse_message(i, raw) for i, raw in enumerate(messages)]


def _parse_message(index: int, raw: Any) -> _Parsed:
    if not isinstance(raw, Mapping):
        raise InputError(f"message {index}: expected an object with 'role' and 'content', got {type(raw).__name__}")
    msg = _validate(_Message, raw, f"message {index}")
    where = f"message {index} ({msg.role})"
    parts = _parts(msg.content, where, _ALLOWED_PARTS[msg.role])
    _check_role(msg, where)
    calls = estimate_text_tokens(json.dumps(msg.tool_calls, default=str)) if msg.tool_calls else 0
    return _Parsed(role=msg.role, parts=parts, extra_tokens=calls)


def _parts(content: Any, where: str, allowed: frozenset[str]) -> tuple[_Part, ...]:
    if content is None:
        return ()
    if isinstance(content, str):
        return (_TextPart(type="text", text=content),)
    if not isinstance(content, list):
        raise InputError(f"{where}: field 'content': expected a string or a list of content parts, got {type(content).__name__}")
    return tuple(_part(raw, where, f"content[{j}]", allowed) for j, raw in enumerate(content))


def _part(raw: Any, where: str, field: str, allowed: frozenset[str]) -> _Part:
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: field '{field}': expected an object with a 'type', got {type(raw).__name__}")
    kind = raw.get("type")
    if kind not in _PARTS:
        raise InputError(f"{where}: field '{field}.type': unknown part type {kind!r} (known: {', '.join(_PARTS)})")
    if kind not in allowed:
        raise InputError(f"{where}: field '{field}.type': this role takes only {', '.join(sorted(allowed))} parts, not {kind!r}")
    return _validate(_PARTS[kind], raw, where, prefix=field)


def _check_role(msg: _Message, where: str) -> None:
    if msg.role == "assistant":
        if msg.content is None and not msg.tool_calls:
            raise InputError(f"{where}: field 'content': an assistant message needs content or tool_calls")
        return
    if msg.content is None:
        raise InputError(f"{where}: field 'content': required field is missing")
    if msg.role == "tool" and not msg.tool_call_id:
        raise InputError(f"{where}: field 'tool_call_id': a tool message needs the id of the call it answers")


def _latest_user(parsed: list[_Parsed]) -> int:
    for index in range(len(parsed) - 1, -1, -1):
        if parsed[index].role == "user":
            return index
    raise InputError("messages: no user message; the advisor routes on the latest user message")


def _needs(parsed: list[_Parsed], tools: Any, response_format: Any) -> frozenset[str]:
    # Every turn counts, not only the latest: the chosen model reads the whole conversation.
    needs = {need for m in parsed for p in m.parts if (need := p.need())}
    if _tools(tools):
        needs.add("tools")
    fmt = _response_format(response_format)
    if fmt is not None and fmt.type in ("json_schema", "json_object"):
        needs.add("json")
    return frozenset(needs)


def _tools(tools: Any) -> list[_Tool]:
    if tools is None:
        return []
    if not isinstance(tools, Sequence) or isinstance(tools, (str, bytes)):
        raise InputError(f"tools: expected a list of tool objects, got {type(tools).__name__}")
    return [_object(_Tool, tool, f"tools[{i}]") for i, tool in enumerate(tools)]


def _response_format(response_format: Any) -> _ResponseFormat | None:
    return None if response_format is None else _object(_ResponseFormat, response_format, "response_format")


def _object(model: type[M], value: Any, where: str) -> M:
    if not isinstance(value, Mapping):
        raise InputError(f"{where}: expected an object, got {type(value).__name__}")
    return _validate(model, value, where)


def _message_tokens(msg: _Parsed) -> int:
    return MESSAGE_TOKENS + msg.extra_tokens + sum(p.tokens() for p in msg.parts)


def _extra_tokens(tools: Any, response_format: Any) -> int:
    given = [x for x in (tools, response_format) if x]
    return sum(estimate_text_tokens(json.dumps(x, default=str)) for x in given)


def _merge(base: Constraints | None, needs: frozenset[str], tokens: int) -> Constraints:
    base = base or Constraints()
    return base.model_copy(update={"needs": base.needs | needs, "min_context": max(base.min_context or 0, tokens)})


def _validate(model: type[M], data: Mapping[str, Any], where: str, prefix: str = "") -> M:
    """Validate with pydantic; the first problem becomes 'where: field 'x.y': what'."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in (prefix, *first["loc"]) if p != "")
        raise InputError(f"{where}: {f'field {field!r}: ' if field else ''}{_problem(first)}") from None


def _problem(error: Any) -> str:
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        return "unknown field (not allowed here)"
    return str(error["msg"]).removeprefix("Value error, ")


# ---- routing ------------------------------------------------------------------------------------


def route_messages(
    router: Router,
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] | None = None,
    response_format: Mapping[str, Any] | None = None,
    constraints: Constraints | None = None,
) -> Recommendation:
    """Recommend a model for a conversation: on its latest user message, else on all of it as weaker evidence."""
    task = task_from_messages(messages, tools, response_format, base_constraints=constraints)
    first = router.route(task.latest, task.constraints) if task.latest.strip() else None
    if first is not None and not first.default_used:
        return first
    fallback = _route_context(router, task)
    if fallback is not None:
        return fallback
    return first or _noted(router.route(_NO_TEXT, task.constraints), _NO_TEXT_NOTE)


def _route_context(router: Router, task: MessageTask) -> Recommendation | None:
    if not task.context.strip():
        return None
    text = _head_and_tail(f"{task.context}\n\n{task.latest}", CONTEXT_CHARS)
    try:
        rec = router.route(text, task.constraints)
    except NoModelError:
        return None  # a need found only in old turns must not fail a request the latest message can serve
    if rec.default_used:
        return None
    return _noted(rec.updated(confidence=round(rec.confidence * CONTEXT_DISCOUNT, 2)), _CONTEXT_NOTE)


def _head_and_tail(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[: limit // 2]}\n...\n{text[-(limit // 2):]}"


def _noted(rec: Recommendation, note: str) -> Recommendation:
    return rec.updated(warnings=[*rec.warnings, note])


__all__ = ["MessageTask", "task_from_messages", "route_messages", "estimate_text_tokens"]
