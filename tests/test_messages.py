"""Routing chat conversations: needs from message parts, context size, shapes, weaker evidence."""

import pytest

from advisor import Constraints, InputError, NoModelError, Router
from advisor.messages import (
    CONTEXT_DISCOUNT,
    IMAGE_TOKENS,
    IMAGE_TOKENS_LOW,
    MESSAGE_TOKENS,
    estimate_text_tokens,
    route_messages,
    task_from_messages,
)


def user(*parts):
    return {"role": "user", "content": list(parts) if len(parts) != 1 or not isinstance(parts[0], str) else parts[0]}


def text(t):
    return {"type": "text", "text": t}


IMAGE = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
AUDIO = {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}
PDF = {"type": "file", "file": {"file_id": "file-abc"}}
TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
SCHEMA = {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}}}


@pytest.mark.parametrize(
    "messages, kwargs, needs",
    [
        ([user("hello")], {}, set()),
        ([user(text("what is this?"), IMAGE)], {}, {"vision"}),
        ([user(text("what does she say?"), AUDIO)], {}, {"audio"}),
        ([user(text("summarise"), PDF)], {}, {"vision"}),
        ([user(IMAGE), {"role": "assistant", "content": "A cat."}, user("and now?")], {}, {"vision"}),
        ([user("weather in Lisbon?")], {"tools": [TOOL]}, {"tools"}),
        ([user("weather in Lisbon?")], {"tools": []}, set()),
        ([user("give me JSON")], {"response_format": SCHEMA}, {"json"}),
        ([user("give me JSON")], {"response_format": {"type": "json_object"}}, {"json"}),
        ([user("plain")], {"response_format": {"type": "text"}}, set()),
        ([user(text("x"), IMAGE, AUDIO)], {"tools": [TOOL], "response_format": SCHEMA}, {"vision", "audio", "tools", "json"}),
    ],
)
def test_needs_from_messages(messages, kwargs, needs):
    assert task_from_messages(messages, **kwargs).constraints.needs == needs


@pytest.mark.parametrize(
    "messages, forbidden, required",
    [
        ([user(text("solve AIME problem"), IMAGE)], "o3-mini", None),
        ([user(text("solve AIME problem about this diagram"), PDF)], "o3-mini", None),
        ([user(text("what does this voice note say?"), AUDIO)], None, "gpt-4o"),
        ([user(text("I failed my exam and feel terrible"), AUDIO)], None, "gpt-4o"),
        ([user(AUDIO)], None, "gpt-4o"),
    ],
)
def test_capability_parts_decide_the_candidates(router, messages, forbidden, required):
    rec = route_messages(router, messages)
    if forbidden:
        assert rec.model != forbidden
        assert forbidden in {e.model for e in rec.excluded}
    if required:
        assert rec.model == required


def test_latest_and_context():
    task = task_from_messages([
        {"role": "system", "content": "Be brief."},
        user("first question"),
        {"role": "assistant", "content": [{"type": "text", "text": "first answer"}]},
        user(text("second"), IMAGE, text("question")),
    ])
    assert task.latest == "second\nquestion"
    assert task.context == "Be brief.\n\nfirst question\n\nfirst answer"


def test_base_constraints_are_merged():
    base = Constraints(budget="low", needs={"streaming"}, exclude={"o1"}, min_context=50_000)
    task = task_from_messages([user(text("look"), IMAGE)], base_constraints=base)
    assert task.constraints.budget == "low"
    assert task.constraints.exclude == {"o1"}
    assert task.constraints.needs == {"streaming", "vision"}
    assert task.constraints.min_context == 50_000  # the larger of the caller's and the estimate


@pytest.mark.parametrize(
    "text_, tokens",
    [("", 0), ("abcd", 1), ("abcde", 2), ("数学竞赛", 4), ("数学 AIME", 2 + 2), ("x" * 4000, 1000)],
)
def test_text_token_estimate(text_, tokens):
    assert estimate_text_tokens(text_) == tokens


@pytest.mark.parametrize(
    "messages, tokens",
    [
        ([user("abcd")], MESSAGE_TOKENS + 1),
        ([user(text("abcd"), IMAGE)], MESSAGE_TOKENS + 1 + IMAGE_TOKENS),
        ([user({"type": "image_url", "image_url": {"url": "u", "detail": "low"}})], MESSAGE_TOKENS + IMAGE_TOKENS_LOW),
        ([{"role": "system", "content": "abcd"}, user("abcd")], 2 * (MESSAGE_TOKENS + 1)),
    ],
)
def test_message_token_estimate(messages, tokens):
    task = task_from_messages(messages)
    assert task.estimated_tokens == tokens == task.constraints.min_context


def _long_conversation(chars):
    document = "The quarterly figures were fine. " * (chars // 33)
    return [user(document), {"role": "assistant", "content": "Got it."}, user("Summarise it in five bullet points.")]


def test_context_too_large_for_some_models_excludes_them_with_a_reason(router):
    rec = route_messages(router, _long_conversation(600_000))  # ~150k tokens
    reasons = {e.model: e.reason for e in rec.excluded}
    assert rec.model in ("o3-mini", "o1")
    for model in ("gpt-4.5", "gpt-4o"):
        assert "context window of 128,000 tokens" in reasons[model]


def test_context_too_large_for_every_model(router):
    with pytest.raises(NoModelError) as err:
        route_messages(router, _long_conversation(1_000_000))  # ~250k tokens
    assert all("context window" in why for why in err.value.reasons.values())


def test_long_context_is_routed_on_its_head_and_tail(small_router):
    middle = "Nothing to see here. " * 5_000
    messages = [{"role": "system", "content": "You coach students for the AIME."}, user(middle), user("Next one, please.")]
    assert route_messages(small_router, messages).model == "o3-mini"  # the system prompt still counts
    hidden = [user("Nothing. " * 2_000 + "AIME" + " Nothing." * 2_000), user("Next one, please.")]
    assert route_messages(small_router, hidden).model == "gpt-4o"  # the middle is skipped


@pytest.mark.parametrize(
    "messages, kwargs, expected",
    [
        ("hello", {}, "messages: expected a list"),
        ([], {}, "messages: the list is empty"),
        (["hello"], {}, "message 0: expected an object"),
        ([{"content": "hi"}], {}, "message 0: field 'role': required field is missing"),
        ([{"role": "robot", "content": "hi"}], {}, "message 0: field 'role'"),
        ([{"role": "system", "content": "x"}, {"role": "user"}], {}, "message 1 (user): field 'content': required field is missing"),
        ([user("x"), {"role": "user", "content": 42}], {}, "message 1 (user): field 'content': expected a string or a list"),
        ([user(text("x"), "oops")], {}, "message 0 (user): field 'content[1]': expected an object"),
        ([user(text("x"), {"type": "video"})], {}, "message 0 (user): field 'content[1].type': unknown part type 'video'"),
        ([user({"type": "image_url"})], {}, "message 0 (user): field 'content[0].image_url': required field is missing"),
        ([user({"type": "image_url", "image_url": {}})], {}, "field 'content[0].image_url.url': required field is missing"),
        ([user({"type": "text", "txt": "x"})], {}, "field 'content[0].text': required field is missing"),
        ([user({"type": "input_audio", "input_audio": {"data": "x", "format": "ogg"}})], {}, "field 'content[0].input_audio.format'"),
        ([user({"type": "file", "file": {}})], {}, "field 'content[0].file': give file_id or file_data"),
        ([{"role": "system", "content": [IMAGE]}, user("x")], {}, "message 0 (system): field 'content[0].type': this role takes only text"),
        ([user("x"), {"role": "tool", "content": "42"}], {}, "message 1 (tool): field 'tool_call_id'"),
        ([user("x"), {"role": "assistant"}], {}, "message 1 (assistant): field 'content'"),
        ([{"role": "system", "content": "x"}], {}, "no user message"),
        ([user("x")], {"tools": [{"type": "function"}]}, "tools[0]: a tool of type 'function' needs"),
        ([user("x")], {"tools": "get_weather"}, "tools: expected a list"),
        ([user("x")], {"response_format": {"type": "yaml"}}, "response_format: field 'type'"),
        ([user("x")], {"response_format": {"type": "json_schema"}}, "response_format: type 'json_schema' needs"),
    ],
)
def test_bad_shapes_name_the_message_and_field(messages, kwargs, expected):
    with pytest.raises(InputError) as err:
        task_from_messages(messages, **kwargs)
    assert expected in err.value.message


def test_unknown_keys_on_returned_assistant_messages_are_accepted():
    # The API returns assistant messages with extra fields; apps append them to the history.
    reply = {"role": "assistant", "content": "Hi!", "refusal": None, "annotations": [], "audio": None}
    assert task_from_messages([user("hello"), reply, user("again")]).context == "hello\n\nHi!"


# ---- the system prompt and earlier turns as weaker evidence, on a small fixed rule base ----

RULES = """
[[signal]]
id = "maths"
about = "test"
patterns = ['\\bAIME\\b']

[[signal]]
id = "poem"
about = "test"
patterns = ['\\bpoem\\b']

[[signal]]
id = "photo"
about = "test"
patterns = ['\\bphoto\\b']

[[rule]]
id = "t.photo"
when = { all = ["photo"] }
effect = "require"
needs = ["vision"]
because = "Photos need vision."

[[rule]]
id = "t.maths"
when = { all = ["maths"] }
model = "o3-mini"
weight = 3.0
because = "Maths goes to o3-mini."

[[rule]]
id = "t.poem"
when = { all = ["poem"] }
model = "gpt-4.5"
weight = 2.0
because = "Poems go to GPT-4.5."
"""


@pytest.fixture(scope="module")
def small_router(tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    with Router(rules=[path], include_default_rules=False) as r:
        yield r


SYSTEM = {"role": "system", "content": "You coach students for the AIME."}


@pytest.mark.parametrize(
    "messages, model, from_context",
    [
        ([SYSTEM, user("Next one, please.")], "o3-mini", True),
        ([user("I am training for the AIME."), {"role": "assistant", "content": "Great."}, user("Next one, please.")], "o3-mini", True),
        ([SYSTEM, user("Write a poem about spring.")], "gpt-4.5", False),
        ([SYSTEM, user("solve AIME problem")], "o3-mini", False),
        ([{"role": "system", "content": "Be kind."}, user("Next one, please.")], "gpt-4o", False),
        ([user("Next one, please.")], "gpt-4o", False),
    ],
)
def test_system_prompt_is_weaker_evidence(small_router, messages, model, from_context):
    rec = route_messages(small_router, messages)
    assert rec.model == model
    noted = any("earlier turns" in w for w in rec.warnings)
    assert noted == from_context
    if from_context:
        direct = small_router.route("AIME").confidence
        assert rec.confidence == round(direct * CONTEXT_DISCOUNT, 2) < direct
        assert "earlier turns" in rec.explanation and not rec.default_used


def test_latest_message_beats_the_system_prompt(small_router):
    rec = route_messages(small_router, [SYSTEM, user("Write a poem about spring.")])
    assert [f.rule for f in rec.fired] == ["t.poem"]


def test_context_pointing_at_an_excluded_model_leaves_the_default(small_router):
    rec = route_messages(small_router, [SYSTEM, user("Next one, please.")], constraints=Constraints(exclude={"o3-mini"}))
    assert rec.model == "gpt-4o" and rec.default_used
    assert not any("earlier turns" in w for w in rec.warnings)


def test_a_need_found_only_in_old_turns_does_not_fail_the_request(small_router):
    # The context fires a vision requirement that the only allowed model lacks; the latest
    # message alone can still be served, so the answer stands instead of NoModelError.
    messages = [{"role": "system", "content": "We discuss the photo from earlier."}, user("Next one, please.")]
    rec = route_messages(small_router, messages, constraints=Constraints(allow={"o3-mini"}))
    assert rec.model == "o3-mini" and rec.default_used


def test_constraints_reach_the_router(router):
    rec = route_messages(router, [user("solve AIME problem")], constraints=Constraints(exclude={"o3-mini"}))
    assert rec.model != "o3-mini"
