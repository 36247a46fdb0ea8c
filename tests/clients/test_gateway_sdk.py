"""The official anthropic and openai Python SDKs against both doors of
`agentc gateway`, streaming and not, with tool calls, in front of an
OpenAI-shaped and an Anthropic-shaped scripted server on loopback."""

import json
import os
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import anthropic
import openai
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("AGENTC_BIN") or str(ROOT / "target" / "debug" / "agentc")

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "The weather in a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
WEATHER_FUNCTION = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": WEATHER_TOOL["input_schema"],
    },
}


def sse(events):
    return "".join(
        (f"event: {name}\n" if name else "") + f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n"
        for name, data in events
    ).encode()


class Upstream:
    """A scripted provider: records every request, answers by `script`."""

    def __init__(self, script):
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                outer.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                ctype, payload = script(body)
                self.send_response(200)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"


def tool_result_of_openai(body):
    for m in reversed(body["messages"]):
        if m["role"] == "tool":
            return m["content"] if isinstance(m["content"], str) else json.dumps(m["content"])
    return None


def openai_script(body):
    """Calls get_weather when offered, then answers with its result."""
    model = body["model"]
    result = tool_result_of_openai(body)
    if result is not None:
        message, finish = {"role": "assistant", "content": f"The weather: {result}"}, "stop"
    elif body.get("tools"):
        call = {"id": "call_w1", "type": "function", "function": {"name": "get_weather", "arguments": json.dumps({"city": "Paris"})}}
        message, finish = {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"
    else:
        message, finish = {"role": "assistant", "content": "hello from lm-studio"}, "stop"
    usage = {"prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16}
    if not body.get("stream"):
        return "application/json", json.dumps(
            {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model,
             "choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": usage}).encode()

    def chunk(delta, finish_reason=None):
        return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}

    events = [(None, chunk({"role": "assistant", "content": ""}))]
    if message.get("content"):
        text = message["content"]
        events += [(None, chunk({"content": text[:5]})), (None, chunk({"content": text[5:]}))]
    for i, call in enumerate(message.get("tool_calls", [])):
        args = call["function"]["arguments"]
        events.append((None, chunk({"tool_calls": [{"index": i, "id": call["id"], "type": "function", "function": {"name": call["function"]["name"], "arguments": ""}}]})))
        events.append((None, chunk({"tool_calls": [{"index": i, "function": {"arguments": args[:6]}}]})))
        events.append((None, chunk({"tool_calls": [{"index": i, "function": {"arguments": args[6:]}}]})))
    events.append((None, chunk({}, finish)))
    events.append((None, {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": model, "choices": [], "usage": usage}))
    events.append((None, "[DONE]"))
    return "text/event-stream", sse(events)


def anthropic_script(body):
    """The same conversation, spoken as Anthropic Messages."""
    model = body["model"]
    last = body["messages"][-1]
    results = [b for b in last["content"] if isinstance(b, dict) and b.get("type") == "tool_result"] if isinstance(last["content"], list) else []
    if results:
        c = results[0]["content"]
        text = c if isinstance(c, str) else "".join(p.get("text", "") for p in c)
        content, stop = [{"type": "text", "text": f"The weather: {text}"}], "end_turn"
    elif body.get("tools"):
        content, stop = [{"type": "tool_use", "id": "toolu_w1", "name": "get_weather", "input": {"city": "Paris"}}], "tool_use"
    else:
        content, stop = [{"type": "text", "text": "hello from claude-up"}], "end_turn"
    msg = {"id": "msg_1", "type": "message", "role": "assistant", "model": model, "content": content,
           "stop_reason": stop, "stop_sequence": None, "usage": {"input_tokens": 12, "output_tokens": 4}}
    if not body.get("stream"):
        return "application/json", json.dumps(msg).encode()
    start = dict(msg, content=[], stop_reason=None)
    events = [("message_start", {"type": "message_start", "message": start})]
    for i, c in enumerate(content):
        if c["type"] == "text":
            events.append(("content_block_start", {"type": "content_block_start", "index": i, "content_block": {"type": "text", "text": ""}}))
            events.append(("content_block_delta", {"type": "content_block_delta", "index": i, "delta": {"type": "text_delta", "text": c["text"]}}))
        else:
            args = json.dumps(c["input"])
            events.append(("content_block_start", {"type": "content_block_start", "index": i, "content_block": {"type": "tool_use", "id": c["id"], "name": c["name"], "input": {}}}))
            events.append(("content_block_delta", {"type": "content_block_delta", "index": i, "delta": {"type": "input_json_delta", "partial_json": args[:5]}}))
            events.append(("content_block_delta", {"type": "content_block_delta", "index": i, "delta": {"type": "input_json_delta", "partial_json": args[5:]}}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": i}))
    events.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None}, "usage": {"output_tokens": 4}}))
    events.append(("message_stop", {"type": "message_stop"}))
    return "text/event-stream", sse(events)


@pytest.fixture(scope="module")
def setup():
    if not Path(BIN).exists():
        pytest.fail(f"agentc binary not found at {BIN}: build it or set AGENTC_BIN")
    lm = Upstream(openai_script)
    up = Upstream(anthropic_script)
    tmp = tempfile.TemporaryDirectory()
    root = Path(tmp.name)
    (root / ".agents").mkdir()
    (root / ".agents" / "agentc.toml").write_text(
        f'[providers.lm-studio]\nbase_url = "{lm.base_url}"\n\n'
        f'[providers.claude-up]\nkind = "anthropic"\nbase_url = "{up.base_url}"\napi_key_env = "UP_ANTHROPIC_KEY"\n'
    )
    (root / ".agents" / "coder.md").write_text("---\ndescription: Writes code.\nprovider: lm-studio\nmodel: qwen-test\n---\nYou write code.\n")
    (root / ".agents" / "planner.md").write_text("---\ndescription: Plans work.\nprovider: claude-up\nmodel: claude-test\n---\nYou plan work.\n")
    env = dict(os.environ, UP_ANTHROPIC_KEY="up-secret")
    proc = subprocess.Popen([BIN, "gateway", "--no-user", "--port", "0", "--format", "json"], cwd=root,
                            stdout=subprocess.PIPE, text=True, env=env)
    first = json.loads(proc.stdout.readline())
    assert first["event"] == "listening"
    yield {"url": first["url"], "lm": lm, "up": up}
    proc.terminate()
    proc.wait(timeout=10)
    tmp.cleanup()


def anthropic_client(s):
    return anthropic.Anthropic(base_url=s["url"], api_key="sk-ant-client", max_retries=0)


def openai_client(s):
    return openai.OpenAI(base_url=s["url"] + "/v1", api_key="sk-client", max_retries=0)


ASK = [{"role": "user", "content": "What is the weather in Paris?"}]


@pytest.mark.parametrize("agent", ["coder", "planner"])
def test_anthropic_sdk_tool_round_trip(setup, agent):
    c = anthropic_client(setup)
    first = c.messages.create(model=f"agentc/{agent}", max_tokens=200, messages=ASK, tools=[WEATHER_TOOL])
    assert first.stop_reason == "tool_use"
    call = [b for b in first.content if b.type == "tool_use"][0]
    assert call.name == "get_weather"
    assert call.input == {"city": "Paris"}
    follow = ASK + [
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "sunny, 21 C"}]},
    ]
    second = c.messages.create(model=f"agentc/{agent}", max_tokens=200, messages=follow, tools=[WEATHER_TOOL])
    assert second.stop_reason == "end_turn"
    assert second.content[0].text == "The weather: sunny, 21 C"
    assert second.usage.input_tokens == 12


@pytest.mark.parametrize("agent", ["coder", "planner"])
def test_anthropic_sdk_streams_tool_calls(setup, agent):
    c = anthropic_client(setup)
    with c.messages.stream(model=f"agentc/{agent}", max_tokens=200, messages=ASK, tools=[WEATHER_TOOL]) as stream:
        final = stream.get_final_message()
    call = [b for b in final.content if b.type == "tool_use"][0]
    assert (call.name, call.input, final.stop_reason) == ("get_weather", {"city": "Paris"}, "tool_use")
    with c.messages.stream(model=f"agentc/{agent}", max_tokens=200, messages=ASK) as stream:
        text = "".join(stream.text_stream)
        response = stream.get_final_message()
    assert text == ("hello from lm-studio" if agent == "coder" else "hello from claude-up")
    assert response.stop_reason == "end_turn"


@pytest.mark.parametrize("agent", ["coder", "planner"])
def test_openai_sdk_tool_round_trip(setup, agent):
    c = openai_client(setup)
    first = c.chat.completions.with_raw_response.create(model=f"agentc/{agent}", messages=ASK, tools=[WEATHER_FUNCTION])
    route = first.headers["x-agentc-route"]
    assert route == ("lm-studio/qwen-test" if agent == "coder" else "claude-up/claude-test")
    assert first.headers["x-agentc-agent"] == agent
    first = first.parse()
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    follow = ASK + [
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": "sunny, 21 C"},
    ]
    second = c.chat.completions.create(model=f"agentc/{agent}", messages=follow, tools=[WEATHER_FUNCTION])
    assert second.choices[0].message.content == "The weather: sunny, 21 C"
    assert second.choices[0].finish_reason == "stop"


@pytest.mark.parametrize("agent", ["coder", "planner"])
def test_openai_sdk_streams_tool_calls(setup, agent):
    c = openai_client(setup)
    stream = c.chat.completions.create(model=f"agentc/{agent}", messages=ASK, tools=[WEATHER_FUNCTION], stream=True,
                                       stream_options={"include_usage": True})
    name, args, finish, usage = "", "", None, None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for ch in chunk.choices:
            for tc in ch.delta.tool_calls or []:
                name += tc.function.name or ""
                args += tc.function.arguments or ""
            finish = ch.finish_reason or finish
    assert (name, json.loads(args), finish) == ("get_weather", {"city": "Paris"}, "tool_calls")
    assert usage is not None and usage.prompt_tokens == 12
    text = "".join(
        ch.delta.content or ""
        for chunk in c.chat.completions.create(model=f"agentc/{agent}", messages=ASK, stream=True)
        for ch in chunk.choices
    )
    assert text == ("hello from lm-studio" if agent == "coder" else "hello from claude-up")


def test_routed_requests_carry_the_route_key_not_the_clients(setup):
    for r in setup["up"].requests:
        assert r["headers"].get("x-api-key") == "up-secret"
        assert "authorization" not in r["headers"]
    for r in setup["lm"].requests:
        assert "x-api-key" not in r["headers"] and "authorization" not in r["headers"]
    assert setup["up"].requests and setup["lm"].requests


def test_models_lists_agents_for_both_sdks(setup):
    ids = [m.id for m in openai_client(setup).models.list()]
    assert ids == ["agentc/coder", "agentc/planner"]
    ids = [m.id for m in anthropic_client(setup).models.list()]
    assert ids == ["agentc/coder", "agentc/planner"]
