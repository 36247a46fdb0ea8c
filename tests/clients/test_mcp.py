"""`agentc mcp` driven by the official MCP Python SDK client and by the MCP
Inspector's CLI: tools and their schemas, `route` with overrides and a
refused override, `delegate` against a loopback OpenAI-compatible server
(a 503 primary falling back, visible in the result), `delegate_batch` with
one prompt on two models, the live plan (an edit changes the next
`list_agents`, with notifications), and the tool errors for an untrusted
provider and an unset key.

The binary is $AGENTC_BIN, else target/debug/agentc. Nothing is skipped: a
missing binary, SDK or Inspector fails the test.
"""

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("AGENTC_BIN") or str(REPO / "target" / "debug" / "agentc")
TOOLS = ["list_agents", "route", "check", "delegate", "delegate_batch"]
# Generous: a loaded CI machine; each call itself takes milliseconds.
DEADLINE = 30.0


class Provider:
    """A loopback OpenAI-compatible chat completions server: one reply per
    model (an answer, or an error status), every request recorded."""

    def __init__(self, replies):
        self.replies = replies
        self.requests = []
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with lock:
                    outer.requests.append({"path": self.path, "body": body})
                reply = outer.replies.get(body.get("model"), 404)
                if isinstance(reply, int):
                    data = json.dumps({"error": {"message": f"status {reply}", "type": "server_error"}})
                    return self.send(reply, "application/json", data.encode())
                if body.get("stream"):
                    chunks = [
                        {"choices": [{"index": 0, "delta": {"role": "assistant", "content": reply}}]},
                        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                    ]
                    data = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
                    return self.send(200, "text/event-stream", data.encode())
                data = {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
                    ],
                    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
                }
                return self.send(200, "application/json", json.dumps(data).encode())

            def send(self, status, ctype, data):
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


REPLIES = {
    "primary": 503,
    "backup": "the backup answers",
    "model-a": "answer from A",
    "model-b": "answer from B",
    "long": "x" * 5000,
}


@pytest.fixture
def provider():
    p = Provider(dict(REPLIES))
    yield p
    p.close()


@pytest.fixture
def project(provider):
    root = Path(tempfile.mkdtemp(prefix="agentc-mcp-"))
    agents = root / ".agents"
    agents.mkdir()
    (agents / "agentc.toml").write_text(
        f"""[providers.loop]
kind = "openai-compatible"
base_url = "{provider.base_url}"
models = ["primary", "backup", "model-a", "model-b", "long"]

[providers.locked]
kind = "openai-compatible"
base_url = "{provider.base_url}"
api_key_env = "AGENTC_MCP_TEST_UNSET_KEY"

[providers.remote]
kind = "openai-compatible"
base_url = "https://llm.example.com/v1"
api_key_env = "AGENTC_MCP_TEST_REMOTE_KEY"

[models]
fast = "loop/model-a"

[policy]
allowed_models = ["fast", "loop/*"]
"""
    )
    write_agent(root, "writer", "Writes short answers.", "model: loop/primary\nfallback: [loop/backup]")
    write_agent(root, "ab", "Answers for A/B comparisons.", "provider: loop\nmodel: model-a")
    write_agent(root, "keyed", "Needs a key that is not set.", "model: locked/m1")
    write_agent(root, "remote", "Runs on a provider the project added.", "model: remote/m1")
    write_agent(root, "verbose", "Writes long answers.", "model: loop/long")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def write_agent(root, name, description, route):
    (root / ".agents" / f"{name}.md").write_text(
        f"---\ndescription: {description}\n{route}\n---\nYou are {name}. Answer briefly.\n"
    )


def server_params(root, *extra):
    assert Path(BIN).is_file(), f"agentc binary not found at {BIN}: build it or set AGENTC_BIN"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTC_MCP_TEST_")}
    env["AGENTC_USER_DIR"] = str(root / "no-user-dir")
    return StdioServerParameters(
        command=BIN, args=["--project", str(root), "--no-user", "mcp", *extra], env=env, cwd=str(root)
    )


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, DEADLINE * 2))


def test_tools_are_listed_with_input_and_output_schemas(project):
    async def go():
        async with Client(server_params(project)) as c:
            listed = await c.list_tools()
            return c.protocol_version, {t.name: t for t in listed.tools}

    version, tools = run(go())
    assert version == "2026-07-28"
    assert list(tools) == TOOLS
    for t in tools.values():
        assert t.input_schema["type"] == "object"
        assert t.output_schema["type"] == "object", t.name
    assert tools["delegate"].input_schema["required"] == ["agent", "prompt"]
    assert sorted(tools["delegate"].input_schema["properties"]) == ["agent", "model", "prompt", "provider"]
    assert sorted(tools["delegate_batch"].input_schema["properties"]) == ["model", "provider", "tasks"]
    assert sorted(tools["route"].input_schema["properties"]) == [
        "agent",
        "model",
        "provider",
        "task_model",
        "task_provider",
    ]
    # `delegate` names the plan's agents and their routes for the parent model.
    assert "- writer (loop/primary): Writes short answers." in tools["delegate"].description


def test_route_with_call_and_task_overrides_and_a_refused_override(project):
    async def go():
        async with Client(server_params(project)) as c:
            call = await c.call_tool("route", {"agent": "writer", "model": "fast"})
            task = await c.call_tool(
                "route", {"agent": "writer", "model": "fast", "task_model": "loop/model-b"}
            )
            refused = await c.call_tool("route", {"agent": "writer", "model": "openai/gpt-5"})
            unknown = await c.call_tool("route", {"agent": "wrietr"})
            return call, task, refused, unknown

    call, task, refused, unknown = run(go())
    assert not call.is_error
    r = call.structured_content
    assert (r["route"]["provider"], r["route"]["model"]) == ("loop", "model-a")
    assert r["decided_by"] == {"provider": "call", "model": "call"}
    assert r["fallbacks"] == [{"provider": "loop", "model": "backup"}]
    assert r["layers"] == [
        {"layer": "agent", "provider": "loop", "model": "primary", "path": ".agents/writer.md", "line": 3},
        {"layer": "call", "provider": None, "model": "fast", "path": None, "line": None},
    ]
    t = task.structured_content
    assert (t["route"]["provider"], t["route"]["model"]) == ("loop", "model-b")
    assert t["decided_by"] == {"provider": "task", "model": "task"}
    assert [l["layer"] for l in t["layers"]] == ["agent", "call", "task"]

    assert refused.is_error
    e = refused.structured_content["error"]
    assert e["code"] == "override-not-allowed"
    assert "openai/gpt-5" in e["message"]
    assert "fast" in json.dumps(e)  # names what is allowed
    assert unknown.is_error
    u = unknown.structured_content["error"]
    assert u["code"] == "unknown-agent"
    assert u["help"] == "did you mean `writer`?"


def test_delegate_falls_back_visibly_and_reports_progress(project, provider):
    progress = []

    async def on_progress(value, total, message):
        progress.append(message)

    async def go():
        async with Client(server_params(project)) as c:
            return await c.call_tool(
                "delegate", {"agent": "writer", "prompt": "Say hi."}, progress_callback=on_progress
            )

    result = run(go())
    assert not result.is_error
    r = result.structured_content
    assert r["status"] == "ok"
    assert r["output"] == "the backup answers"
    assert r["planned"] == {"provider": "loop", "model": "primary"}
    assert r["route"] == {"provider": "loop", "model": "backup"}
    assert r["attempts"] == [
        {
            "provider": "loop",
            "model": "primary",
            "status": "error",
            "http_status": 503,
            "error": r["attempts"][0]["error"],
        },
        {"provider": "loop", "model": "backup", "status": "ok", "http_status": 200, "error": None},
    ]
    assert "503" in r["attempts"][0]["error"]
    assert r["output_truncated"] is False and r["output_bytes"] == len("the backup answers")
    # The text content is the same JSON, for clients that read only text.
    assert json.loads(result.content[0].text) == r
    # The provider got the agent's system prompt and the prompt, twice.
    sent = [q["body"] for q in provider.requests]
    assert [b["model"] for b in sent] == ["primary", "backup"]
    assert sent[1]["messages"] == [
        {"role": "system", "content": "You are writer. Answer briefly."},
        {"role": "user", "content": "Say hi."},
    ]
    assert any("falling back to loop/backup" in (m or "") for m in progress), progress
    assert progress[-1] == "writer: answered by loop/backup"


def test_delegate_batch_runs_one_prompt_on_two_models(project, provider):
    async def go():
        async with Client(server_params(project, "--jobs", "2")) as c:
            return await c.call_tool(
                "delegate_batch",
                {
                    "tasks": [
                        {"agent": "ab", "prompt": "Which is better?", "model": "loop/model-a"},
                        {"agent": "ab", "prompt": "Which is better?", "model": "loop/model-b"},
                        {"agent": "nobody", "prompt": "Which is better?"},
                    ]
                },
            )

    result = run(go())
    assert not result.is_error
    out = result.structured_content
    assert out["summary"] == {"ok": 2, "failed": 1, "cancelled": 0}
    a, b, bad = out["results"]
    assert (a["index"], a["route"], a["output"]) == (0, {"provider": "loop", "model": "model-a"}, "answer from A")
    assert (b["index"], b["route"], b["output"]) == (1, {"provider": "loop", "model": "model-b"}, "answer from B")
    assert (bad["index"], bad["status"], bad["error"]["code"]) == (2, "error", "unknown-agent")
    asked = sorted((q["body"]["model"], q["body"]["messages"][-1]["content"]) for q in provider.requests)
    assert asked == [("model-a", "Which is better?"), ("model-b", "Which is better?")]


def test_untrusted_provider_and_unset_key_are_tool_errors_that_say_why(project, provider):
    async def go():
        async with Client(server_params(project)) as c:
            remote = await c.call_tool("delegate", {"agent": "remote", "prompt": "hi"})
            keyed = await c.call_tool("delegate", {"agent": "keyed", "prompt": "hi"})
            bad_args = await c.call_tool("delegate", {"agent": "writer", "promt": "hi"})
            return remote, keyed, bad_args

    remote, keyed, bad_args = run(go())
    assert remote.is_error
    e = remote.structured_content["error"]
    assert e["code"] == "untrusted-provider"
    assert "`remote`" in e["message"] and "agentc trust" in e["help"]
    assert keyed.is_error
    k = keyed.structured_content["error"]
    assert k["code"] == "missing-credential"
    assert k["message"] == "`AGENTC_MCP_TEST_UNSET_KEY` is not set: provider `locked` needs its API key"
    assert bad_args.is_error
    assert bad_args.structured_content["error"]["code"] == "invalid-arguments"
    assert "promt" in bad_args.structured_content["error"]["message"]
    assert provider.requests == []  # nothing was sent anywhere


def test_a_long_answer_is_cut_with_a_marker(project):
    async def go():
        async with Client(server_params(project, "--max-output", "100")) as c:
            return await c.call_tool("delegate", {"agent": "verbose", "prompt": "Go on."})

    r = run(go()).structured_content
    assert r["output_truncated"] is True
    assert r["output_bytes"] == 5000
    assert r["output"] == "x" * 100 + "\n\n[agentc: answer cut at 100 of 5000 bytes (agentc mcp --max-output)]"


async def wait_for(predicate, what):
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE
    while loop.time() < end:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_an_edit_changes_the_next_list_agents_and_is_announced(project):
    """Handshake session: notifications arrive on the session itself."""
    seen = []

    async def on_message(message):
        method = getattr(getattr(message, "root", message), "method", None)
        if method:
            seen.append(method)

    async def go():
        async with Client(server_params(project), mode="legacy", message_handler=on_message) as c:
            before = (await c.call_tool("list_agents", {})).structured_content
            await c.subscribe_resource("agentc://plan")
            write_agent(project, "writer", "Writes long essays.", "model: loop/backup")
            write_agent(project, "critic", "Reviews answers.", "model: loop/model-b")

            async def changed():
                out = (await c.call_tool("list_agents", {})).structured_content
                names = [a["name"] for a in out["agents"]]
                return out if "critic" in names and out["generation"] > before["generation"] else None

            after = await wait_for(changed, "the edit to reach list_agents")
            await wait_for(
                lambda: asyncio.sleep(0, "notifications/resources/updated" in seen), "notifications"
            )
            plan = await c.read_resource("agentc://plan")
            return before, after, json.loads(plan.contents[0].text)

    before, after, plan = run(go())
    writer = {a["name"]: a for a in after["agents"]}["writer"]
    assert writer["description"] == "Writes long essays."
    assert (writer["route"]["provider"], writer["route"]["model"]) == ("loop", "backup")
    assert len(after["agents"]) == len(before["agents"]) + 1
    assert "notifications/tools/list_changed" in seen
    assert "notifications/resources/list_changed" in seen
    assert "critic" in [a["name"] for a in plan["agents"]]


def test_listen_stream_announces_an_edit(project):
    """2026-07-28 session: notifications arrive on a subscriptions/listen stream."""

    async def go():
        async with Client(server_params(project)) as c:
            async with c.listen(
                tools_list_changed=True, resources_list_changed=True, resource_subscriptions=["agentc://plan"]
            ) as sub:
                write_agent(project, "critic", "Reviews answers.", "model: loop/model-b")
                events = []
                # The first change event is enough: the stream delivers
                # level triggers, and a save may take one or two generations.
                async for event in sub:
                    events.append(type(event).__name__)
                    break

                async def names():
                    out = (await c.call_tool("list_agents", {})).structured_content
                    found = [a["name"] for a in out["agents"]]
                    return found if "critic" in found else None

                return events, await wait_for(names, "critic in list_agents")

    events, names = run(go())
    assert len(events) == 1, events
    assert names == ["ab", "critic", "keyed", "remote", "verbose", "writer"]


def test_resources_are_the_plan_and_each_agent_file(project):
    async def go():
        async with Client(server_params(project)) as c:
            listed = await c.list_resources()
            agent = await c.read_resource("agentc://agents/writer")
            return listed, agent

    listed, agent = run(go())
    uris = [r.uri for r in listed.resources]
    assert uris == [
        "agentc://plan",
        "agentc://agents/ab",
        "agentc://agents/keyed",
        "agentc://agents/remote",
        "agentc://agents/verbose",
        "agentc://agents/writer",
    ]
    assert agent.contents[0].text == (project / ".agents" / "writer.md").read_text()
    assert agent.contents[0].mime_type == "text/markdown"


def inspector(root, *args):
    exe = shutil.which("mcp-inspector")
    assert exe, "mcp-inspector is not on PATH: run .ci/clients"
    assert Path(BIN).is_file(), f"agentc binary not found at {BIN}"
    home = tempfile.mkdtemp(prefix="agentc-inspector-home-")
    env = dict(os.environ, HOME=home, AGENTC_USER_DIR=str(root / "no-user-dir"))
    try:
        proc = subprocess.run(
            [exe, "--cli", BIN, "--project", str(root), "--no-user", "mcp", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=DEADLINE * 2,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return proc


def test_inspector_lists_portable_tools(project):
    proc = inspector(project, "--method", "tools/list", "--strict")
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr and "Error" not in proc.stderr, proc.stderr
    assert [t["name"] for t in json.loads(proc.stdout)["tools"]] == TOOLS


def test_inspector_routes_and_delegates(project, provider):
    refused = inspector(
        project, "--method", "tools/call", "--tool-name", "route", "--tool-arg", "agent=writer", "model=openai/gpt-5"
    )
    # The Inspector prints the result and exits 5 for a tool error.
    assert refused.returncode == 5, refused.stderr
    assert json.loads(refused.stderr)["error"]["code"] == "tool_is_error"
    r = json.loads(refused.stdout)
    assert r["isError"] is True
    assert r["structuredContent"]["error"]["code"] == "override-not-allowed"

    routed = inspector(
        project, "--method", "tools/call", "--tool-name", "route", "--tool-arg", "agent=ab", "task_model=fast"
    )
    r = json.loads(routed.stdout)["structuredContent"]
    assert (r["route"]["provider"], r["route"]["model"]) == ("loop", "model-a")
    assert r["decided_by"] == {"provider": "task", "model": "task"}

    delegated = inspector(
        project, "--method", "tools/call", "--tool-name", "delegate", "--tool-arg", "agent=writer", "prompt=Say hi."
    )
    assert delegated.returncode == 0, delegated.stderr
    d = json.loads(delegated.stdout)
    assert d.get("isError") in (None, False)
    s = d["structuredContent"]
    assert s["output"] == "the backup answers"
    assert [(a["model"], a["http_status"]) for a in s["attempts"]] == [("primary", 503), ("backup", 200)]

    plan = inspector(project, "--method", "resources/read", "--uri", "agentc://plan")
    text = json.loads(plan.stdout)["contents"][0]["text"]
    assert [a["name"] for a in json.loads(text)["agents"]] == ["ab", "keyed", "remote", "verbose", "writer"]
