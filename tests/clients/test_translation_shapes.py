"""The gateway's translation, checked against the official SDKs.

`tests/gateway_translate_golden.rs` keeps the translation's output for
realistic inputs in tests/fixtures/gateway/golden/; here each file must
validate as the `anthropic` and `openai` Python SDKs' own types, and the
streams must accumulate, with each SDK's own stream helpers, to the answer
they stand for.
"""

import json
from pathlib import Path

import anthropic.types as at
from anthropic.lib.streaming._messages import accumulate_event
from anthropic.types.message_create_params import MessageCreateParamsStreaming
from openai.lib.streaming.chat._completions import ChatCompletionStreamState
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.chat.completion_create_params import CompletionCreateParamsStreaming
from pydantic import TypeAdapter

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "gateway" / "golden"


def load(name):
    return json.loads((GOLDEN / f"{name}.json").read_text())


def test_openai_request_is_a_chat_completions_request():
    req = load("openai-request-from-claude-code")
    TypeAdapter(CompletionCreateParamsStreaming).validate_python(req)
    roles = [m["role"] for m in req["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "tool", "user"]


def test_anthropic_request_is_a_messages_request():
    req = load("anthropic-request-from-opencode")
    TypeAdapter(MessageCreateParamsStreaming).validate_python(req)
    assert [m["role"] for m in req["messages"]] == ["user", "assistant", "user"]


def test_anthropic_message_validates():
    message = at.Message.model_validate(load("anthropic-message"))
    assert message.stop_reason == "tool_use"
    assert [b.type for b in message.content] == ["text", "tool_use", "tool_use"]
    assert message.usage.input_tokens == 388
    assert message.usage.cache_read_input_tokens == 512


def test_openai_completion_validates():
    completion = ChatCompletion.model_validate(load("openai-completion"))
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert [c.function.arguments for c in choice.message.tool_calls] == ['{"path":"a"}', '{"path":"b"}']
    assert completion.usage.prompt_tokens == 812


def test_error_bodies_validate():
    error = at.ErrorResponse.model_validate(load("anthropic-error"))
    assert error.error.type == "overloaded_error"
    body = load("openai-error")["error"]
    assert body == {
        "message": "deepseek is rate limited",
        "type": "rate_limit_error",
        "param": None,
        "code": "rate_limit_error",
    }


def test_anthropic_stream_accumulates_with_the_sdk():
    adapter = TypeAdapter(at.RawMessageStreamEvent)
    snapshot = None
    json_bufs = {}
    for item in load("anthropic-stream"):
        if item["event"] == "ping":
            # The SDK's decoder skips pings by their event name.
            assert item["data"] == {"type": "ping"}
            continue
        event = adapter.validate_python(item["data"])
        assert item["event"] == event.type
        snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=json_bufs)
    assert snapshot.stop_reason == "tool_use"
    assert snapshot.usage.input_tokens == 300
    assert snapshot.usage.output_tokens == 25
    content = [b.model_dump(include={"type", "text", "id", "name", "input"}) for b in snapshot.content]
    assert content == [
        {"type": "text", "text": "Reading both."},
        {"type": "tool_use", "id": "call_a", "name": "Read", "input": {"file_path": "/a"}},
        {"type": "tool_use", "id": "call_b", "name": "Grep", "input": {"pattern": "fn main"}},
    ]


def test_openai_stream_accumulates_with_the_sdk():
    state = ChatCompletionStreamState()
    items = load("openai-stream")
    assert items[-1] == {"event": None, "data": "[DONE]"}
    for item in items[:-1]:
        assert item["event"] is None
        state.handle_chunk(ChatCompletionChunk.model_validate(item["data"]))
    completion = state.get_final_completion()
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "Reading both."
    calls = [(c.id, c.function.name, c.function.arguments) for c in choice.message.tool_calls]
    assert calls == [("toolu_a", "read", '{"path":"a"}'), ("toolu_b", "read", '{"path":"b"}')]
    assert completion.usage.prompt_tokens == 20
    assert completion.usage.completion_tokens == 60
