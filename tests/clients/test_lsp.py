"""`agentc lsp` driven over stdio by a real LSP client library (pytest-lsp).

Each test writes a project into a temporary folder, starts the server with
a fresh HOME and user dir, and checks what the server says on the wire:
codes, exact ranges in the negotiated encoding, hover text, completion
items, locations and edits. `AGENTC_BIN` names the binary (default: the
debug build). These tests fail, never skip, when pytest-lsp is missing.
"""

import asyncio
import http.server
import json
import os
import pathlib
import shutil
import subprocess
import threading

from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, client_capabilities

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("AGENTC_BIN") or str(ROOT / "target" / "debug" / "agentc")
TIMEOUT = 20.0


def write(root: pathlib.Path, files: dict) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode())


def env_for(tmp: pathlib.Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTC_")}
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env.update(
        HOME=str(home),
        AGENTC_USER_DIR=str(tmp / "user"),
        XDG_CONFIG_HOME=str(home / ".config"),
        NO_PROXY="*",
    )
    return env


class Session:
    """A started server, initialised on `root`."""

    def __init__(self, client, root: pathlib.Path):
        self.client = client
        self.root = root
        self.versions = {}

    def uri(self, rel: str) -> str:
        return (self.root / rel).as_uri()

    def open(self, rel: str, text: str = None) -> str:
        uri = self.uri(rel)
        if text is None:
            text = (self.root / rel).read_text()
        self.versions[uri] = 1
        self.client.text_document_did_open(
            t.DidOpenTextDocumentParams(
                text_document=t.TextDocumentItem(
                    uri=uri, language_id="markdown", version=1, text=text
                )
            )
        )
        return uri

    def change(self, uri: str, start, end, text: str) -> None:
        self.versions[uri] += 1
        self.client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=[
                    t.TextDocumentContentChangePartial(
                        range=t.Range(
                            start=t.Position(line=start[0], character=start[1]),
                            end=t.Position(line=end[0], character=end[1]),
                        ),
                        text=text,
                    )
                ],
            )
        )

    async def diagnostics(self, uri: str, pred, timeout: float = TIMEOUT):
        """Waits until the diagnostics published for `uri` satisfy `pred`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if uri in self.client.diagnostics and pred(list(self.client.diagnostics[uri])):
                return list(self.client.diagnostics[uri])
            left = deadline - loop.time()
            assert left > 0, f"no matching diagnostics for {uri}: {self.client.diagnostics.get(uri)}"
            try:
                await asyncio.wait_for(
                    self.client.wait_for_notification("textDocument/publishDiagnostics"),
                    left,
                )
            except asyncio.TimeoutError:
                pass


def codes(diags):
    return sorted(d.code for d in diags)


def run(tmp_path, files, scenario, encodings=None, probe=False):
    """Starts `agentc lsp` on a project of `files` and runs `scenario`."""
    root = tmp_path / "project"
    root.mkdir()
    write(root, files)
    assert os.path.exists(BIN), f"agentc binary not found at {BIN}; build it first"

    async def main():
        config = ClientServerConfig(server_command=[BIN, "lsp"], server_env=env_for(tmp_path))
        client = await config.start()
        caps = client_capabilities("visual-studio-code")
        if encodings is not None:
            caps.general = t.GeneralClientCapabilities(position_encodings=encodings)
        result = await client.initialize_session(
            t.InitializeParams(
                capabilities=caps,
                root_uri=root.as_uri(),
                workspace_folders=[t.WorkspaceFolder(uri=root.as_uri(), name="project")],
                initialization_options={"debounceMs": 10, "probe": probe},
            )
        )
        try:
            await scenario(Session(client, root), result)
        finally:
            await client.shutdown_session()

    asyncio.run(main())


def check_json(root: pathlib.Path, tmp_path) -> list:
    out = subprocess.run(
        [BIN, "check", "--format", "json"],
        cwd=root,
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)["diagnostics"]


TYPO = "---\ndescription: Explores the code.\nprovider: lm-studo\nmodel: qwen-2.5-7b\n---\nExplore.\n"


def test_typo_provider_is_reported_at_its_exact_range_then_cleared(tmp_path):
    async def scenario(s, init):
        assert init.capabilities.position_encoding == "utf-16"
        uri = s.open(".agents/explore.md")
        diags = await s.diagnostics(uri, lambda d: len(d) > 0)
        expected = check_json(s.root, tmp_path)
        assert len(diags) == len(expected) == 1
        d, e = diags[0], expected[0]
        assert d.code == e["code"] == "unknown-provider"
        assert d.severity == t.DiagnosticSeverity.Error
        assert d.source == "agentc"
        assert d.message == f"{e['message']}\nhelp: {e['help']}"
        assert d.range == t.Range(
            start=t.Position(line=2, character=10), end=t.Position(line=2, character=18)
        )
        assert (d.range.start.line + 1, d.range.start.character + 1) == (e["line"], e["column"])
        assert d.code_description.href.endswith("rules.md#unknown-provider")
        # Hover on the finding shows the rule's docs.
        hover = await s.client.text_document_hover_async(
            t.HoverParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                position=t.Position(line=2, character=12),
            )
        )
        assert "## `unknown-provider`" in hover.contents.value
        # Type the missing `i`: the finding goes.
        s.change(uri, (2, 17), (2, 17), "i")
        assert await s.diagnostics(uri, lambda d: len(d) == 0) == []

    run(tmp_path, {".agents/explore.md": TYPO}, scenario)


def test_two_buffers_claiming_one_name_are_both_marked_then_cleared(tmp_path):
    files = {
        ".agents/alpha.md": "---\nname: alpha\ndescription: A.\n---\nA.\n",
        ".agents/beta.md": "---\nname: beta\ndescription: B.\n---\nB.\n",
    }

    async def scenario(s, _):
        a = s.open(".agents/alpha.md")
        b = s.open(".agents/beta.md")
        await s.diagnostics(a, lambda d: d == [])
        await s.diagnostics(b, lambda d: d == [])
        # b now claims `alpha` (unsaved): both files are marked.
        s.change(b, (1, 6), (1, 10), "alpha")
        da = await s.diagnostics(a, lambda d: "duplicate-name" in codes(d))
        db = await s.diagnostics(b, lambda d: "duplicate-name" in codes(d))
        related = [r.location.uri for d in da + db for r in (d.related_information or [])]
        assert a in related and b in related
        # Nothing on disk changed.
        assert "name: beta" in (s.root / ".agents/beta.md").read_text()
        # Renaming it back clears both.
        s.change(b, (1, 6), (1, 11), "beta")
        await s.diagnostics(a, lambda d: d == [])
        await s.diagnostics(b, lambda d: d == [])

    run(tmp_path, files, scenario)


CONFIG = """[providers.deepseek]
models = ["deepseek-v4-flash", "deepseek-reasoner"]

[models]
fast = "lm-studio/qwen-2.5-7b"
smart = "deepseek/deepseek-reasoner"

[defaults]
model = "smart"
fallback = ["fast"]
"""

PLANNER = "---\ndescription: Plans work.\nmodel: smart\nfallback: [fast]\n---\nPlan.\n"


def test_hover_on_model_shows_the_route_and_its_layers(tmp_path):
    files = {".agents/agentc.toml": CONFIG, ".agents/planner.md": PLANNER}

    async def scenario(s, _):
        uri = s.open(".agents/planner.md")
        await s.diagnostics(uri, lambda d: d == [])
        hover = await s.client.text_document_hover_async(
            t.HoverParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                position=t.Position(line=2, character=9),
            )
        )
        text = hover.contents.value
        assert "**`planner`** → `deepseek/deepseek-reasoner`" in text
        assert "- model `deepseek-reasoner`: chosen by `agent` (.agents/planner.md:3)" in text
        assert "- fallbacks: `lm-studio/qwen-2.5-7b`" in text
        assert "- `project-default` model=`smart` fallback=`[fast]` (.agents/agentc.toml:9)" in text
        assert "- `agent` model=`smart` fallback=`[fast]` (.agents/planner.md:3)" in text
        assert "trust: trusted (`deepseek`, project provider" in text
        assert "`smart` is an alias of `deepseek/deepseek-reasoner`" in text
        assert hover.range == t.Range(
            start=t.Position(line=2, character=7), end=t.Position(line=2, character=12)
        )

    run(tmp_path, files, scenario)


def complete(s, uri, line, character):
    return s.client.text_document_completion_async(
        t.CompletionParams(
            text_document=t.TextDocumentIdentifier(uri=uri),
            position=t.Position(line=line, character=character),
        )
    )


def labels(result):
    items = result.items if hasattr(result, "items") else result
    return [i.label for i in items]


def test_completion_after_provider_lists_presets_and_config_providers(tmp_path):
    files = {
        ".agents/agentc.toml": '[providers.corp]\nkind = "openai-compatible"\nbase_url = "http://127.0.0.1:9/v1"\n',
        ".agents/a.md": "---\ndescription: A.\nprovider: \n---\nA.\n",
    }

    async def scenario(s, _):
        uri = s.open(".agents/a.md")
        got = labels(await complete(s, uri, 2, 10))
        for p in ["anthropic", "corp", "deepseek", "gemini", "llama-cpp", "lm-studio",
                  "ollama", "openai", "openrouter", "vllm", "inherit"]:
            assert p in got, (p, got)
        # Keys of the dialect, at the start of a line, with docs.
        s.change(uri, (2, 0), (2, 10), "te")
        result = await complete(s, uri, 2, 2)
        items = {i.label: i for i in result}
        assert "temperature" in items and "provider" in items
        assert "description" not in items  # already there
        assert "0 to 2" in items["temperature"].documentation.value
        # Tools, in a flow list.
        s.change(uri, (2, 0), (2, 2), "tools: [read, ")
        got = labels(await complete(s, uri, 2, 14))
        assert "grep" in got and "web_fetch" in got

    run(tmp_path, files, scenario)


def test_completion_offers_declared_aliases_and_probed_models(tmp_path):
    class Models(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/v1/models":
                body = json.dumps({"object": "list", "data": [{"id": "served-7b", "object": "model"}]})
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())
            else:
                self.send_response(404)
                self.send_header("content-length", "0")
                self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Models)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    files = {
        ".agents/agentc.toml": CONFIG
        + f'\n[providers.local]\nkind = "openai-compatible"\nbase_url = "http://127.0.0.1:{port}/v1"\n',
        ".agents/a.md": "---\ndescription: A.\nmodel: \n---\nA.\n",
    }

    async def scenario(s, _):
        uri = s.open(".agents/a.md")
        got = labels(await complete(s, uri, 2, 7))
        for m in ["fast", "smart", "deepseek/deepseek-v4-flash", "deepseek/deepseek-reasoner", "inherit"]:
            assert m in got, (m, got)
        # The probe runs in the background: completion never waits for it,
        # and offers the served model once it has answered.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while "local/served-7b" not in got:
            assert loop.time() < deadline, got
            await asyncio.sleep(0.1)
            got = labels(await complete(s, uri, 2, 7))

    try:
        run(tmp_path, files, scenario, probe=True)
    finally:
        server.shutdown()


def test_definition_of_an_alias_lands_on_its_config_line(tmp_path):
    files = {".agents/agentc.toml": CONFIG, ".agents/planner.md": PLANNER}

    async def scenario(s, _):
        uri = s.open(".agents/planner.md")
        for line, character, target_line, width in [(2, 9, 5, 5), (3, 12, 4, 4)]:
            locs = await s.client.text_document_definition_async(
                t.DefinitionParams(
                    text_document=t.TextDocumentIdentifier(uri=uri),
                    position=t.Position(line=line, character=character),
                )
            )
            assert len(locs) == 1
            assert locs[0].uri == s.uri(".agents/agentc.toml")
            assert locs[0].range == t.Range(
                start=t.Position(line=target_line, character=0),
                end=t.Position(line=target_line, character=width),
            )
        # References: the agents routed through `deepseek`.
        s.change(uri, (2, 0), (2, 12), "provider: deepseek\nmodel: deepseek-v4-flash")
        await s.diagnostics(uri, lambda d: d == [])
        refs = await s.client.text_document_references_async(
            t.ReferenceParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                position=t.Position(line=2, character=12),
                context=t.ReferenceContext(include_declaration=True),
            )
        )
        where = sorted((r.uri.rsplit("/", 1)[-1], r.range.start.line) for r in refs)
        assert where == [("agentc.toml", 0), ("planner.md", 2)]

    run(tmp_path, files, scenario)


def apply_edits(text: str, edits) -> str:
    """Applies LSP text edits (UTF-16 positions) the way a client does."""
    lines = text.split("\n")

    def offset(pos):
        before = "\n".join(lines[: pos.line])
        base = len(before) + (1 if pos.line > 0 else 0)
        line = lines[pos.line] if pos.line < len(lines) else ""
        units = 0
        for i, ch in enumerate(line):
            if units >= pos.character:
                return base + i
            units += len(ch.encode("utf-16-le")) // 2
        return base + len(line)

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def test_quick_fix_yields_the_same_text_as_check_fix(tmp_path):
    broken = "---\ndescription: Use when: reviewing the code — carefully\nrole: reviewer\n---\nReview.\n"
    files = {".agents/review.md": broken}

    async def scenario(s, _):
        uri = s.open(".agents/review.md")
        diags = await s.diagnostics(uri, lambda d: "yaml-syntax" in codes(d))
        d = next(x for x in diags if x.code == "yaml-syntax")
        actions = await s.client.text_document_code_action_async(
            t.CodeActionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                range=d.range,
                context=t.CodeActionContext(diagnostics=[d]),
            )
        )
        quick = [a for a in actions if a.kind == t.CodeActionKind.QuickFix and a.diagnostics]
        assert len(quick) == 1
        fixed = apply_edits(broken, quick[0].edit.changes[uri])
        fix_all = [a for a in actions if a.kind == "source.fixAll.agentc"]
        assert len(fix_all) == 1
        all_fixed = apply_edits(broken, fix_all[0].edit.changes[uri])
        # The same project fixed by the command line.
        copy = tmp_path / "copy"
        shutil.copytree(s.root, copy)
        subprocess.run([BIN, "check", "--fix"], cwd=copy, env=env_for(tmp_path), capture_output=True)
        expected = (copy / ".agents/review.md").read_text()
        assert expected != broken
        assert fixed == expected
        assert all_fixed == expected

    run(tmp_path, files, scenario)


def test_multibyte_characters_before_the_error_give_a_utf16_range(tmp_path):
    prefix = "tools: [mcp__é🦀__x, "
    text = f"---\ndescription: Résumé 🦀 writer.\n{prefix}grpe]\n---\nBody.\n"
    utf16 = len(prefix.encode("utf-16-le")) // 2
    utf8 = len(prefix.encode("utf-8"))
    assert utf16 != len(prefix) != utf8

    for offered, kind, start in [(None, "utf-16", utf16), (["utf-8", "utf-16"], "utf-8", utf8)]:
        async def scenario(s, init, start=start, kind=kind):
            assert init.capabilities.position_encoding == kind
            uri = s.open(".agents/w.md")
            diags = await s.diagnostics(uri, lambda d: "unknown-tool" in codes(d))
            d = next(x for x in diags if x.code == "unknown-tool")
            assert d.range == t.Range(
                start=t.Position(line=2, character=start), end=t.Position(line=2, character=start + 4)
            )
            # An edit after the multi-byte characters lands where it should.
            s.change(uri, (2, start + 1), (2, start + 4), "rep")
            await s.diagnostics(uri, lambda d: "unknown-tool" not in codes(d))

        sub = tmp_path / kind
        sub.mkdir()
        run(sub, {".agents/w.md": text}, scenario, encodings=offered)


def test_files_changed_on_disk_are_picked_up(tmp_path):
    files = {
        ".agents/alpha.md": "---\nname: alpha\ndescription: A.\n---\nA.\n",
        ".agents/beta.md": "---\nname: beta\ndescription: B.\n---\nB.\n",
    }

    async def scenario(s, _):
        a = s.open(".agents/alpha.md")
        await s.diagnostics(a, lambda d: d == [])
        # A checkout rewrites beta.md: it now claims alpha's name.
        beta = s.uri(".agents/beta.md")
        (s.root / ".agents/beta.md").write_text("---\nname: alpha\ndescription: B.\n---\nB.\n")
        s.client.workspace_did_change_watched_files(
            t.DidChangeWatchedFilesParams(
                changes=[t.FileEvent(uri=beta, type=t.FileChangeType.Changed)]
            )
        )
        await s.diagnostics(a, lambda d: "duplicate-name" in codes(d))
        await s.diagnostics(beta, lambda d: "duplicate-name" in codes(d))
        # And a checkout back clears both.
        (s.root / ".agents/beta.md").write_text("---\nname: beta\ndescription: B.\n---\nB.\n")
        s.client.workspace_did_change_watched_files(
            t.DidChangeWatchedFilesParams(
                changes=[t.FileEvent(uri=beta, type=t.FileChangeType.Changed)]
            )
        )
        await s.diagnostics(a, lambda d: d == [])
        await s.diagnostics(beta, lambda d: d == [])

    run(tmp_path, files, scenario)


def test_code_actions_add_a_tool_and_quote_a_value(tmp_path):
    files = {
        ".agents/agentc.toml": '[tools]\nextra = ["jira"]\n',
        ".agents/a.md": "---\ndescription: A.\ntools: [read, deploy]\nrole: ops\n---\nA.\n",
    }

    async def scenario(s, _):
        uri = s.open(".agents/a.md")
        diags = await s.diagnostics(uri, lambda d: "unknown-tool" in codes(d))
        d = diags[0]
        actions = await s.client.text_document_code_action_async(
            t.CodeActionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                range=d.range,
                context=t.CodeActionContext(diagnostics=[d]),
            )
        )
        add = next(a for a in actions if a.title.startswith("Add `deploy`"))
        config_uri = s.uri(".agents/agentc.toml")
        config = (s.root / ".agents/agentc.toml").read_text()
        assert apply_edits(config, add.edit.changes[config_uri]) == '[tools]\nextra = ["jira", "deploy"]\n'
        actions = await s.client.text_document_code_action_async(
            t.CodeActionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                range=t.Range(start=t.Position(line=3, character=7), end=t.Position(line=3, character=7)),
                context=t.CodeActionContext(diagnostics=[]),
            )
        )
        quote = next(a for a in actions if a.title == "Quote this value")
        assert quote.edit.changes[uri][0].new_text == '"ops"'

    run(tmp_path, files, scenario)


def test_symbols_and_the_route_inlay_hint(tmp_path):
    files = {".agents/agentc.toml": CONFIG, ".agents/planner.md": PLANNER}

    async def scenario(s, _):
        uri = s.open(".agents/planner.md")
        symbols = await s.client.text_document_document_symbol_async(
            t.DocumentSymbolParams(text_document=t.TextDocumentIdentifier(uri=uri))
        )
        assert [x.name for x in symbols] == ["description", "model", "fallback"]
        assert symbols[1].detail == "smart"
        hints = await s.client.text_document_inlay_hint_async(
            t.InlayHintParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                range=t.Range(start=t.Position(line=0, character=0), end=t.Position(line=6, character=0)),
            )
        )
        assert len(hints) == 1
        assert hints[0].position == t.Position(line=0, character=3)
        assert hints[0].label == "→ deepseek/deepseek-reasoner (agent) · fallback lm-studio/qwen-2.5-7b"

    run(tmp_path, files, scenario)


def test_an_unsaved_config_edit_reroutes_and_roles_have_definitions(tmp_path):
    files = {
        ".agents/agentc.toml": CONFIG + '\n[roles.planner]\nmodel = "smart"\n',
        ".agents/planner.md": "---\ndescription: Plans work.\nrole: planner\n---\nPlan.\n",
    }

    async def scenario(s, _):
        uri = s.open(".agents/planner.md")
        config = s.open(".agents/agentc.toml")
        await s.diagnostics(uri, lambda d: d == [])
        locs = await s.client.text_document_definition_async(
            t.DefinitionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                position=t.Position(line=2, character=8),
            )
        )
        assert [(loc.uri, loc.range.start.line) for loc in locs] == [(config, 11)]
        # The alias now names an unknown provider, in the unsaved config:
        # the finding is in agentc.toml, where the alias is written.
        s.change(config, (4, 8), (4, 17), "lm-studo")
        diags = await s.diagnostics(config, lambda d: "unknown-provider" in codes(d))
        assert diags[0].range.start.line == 4
        s.change(config, (4, 8), (4, 16), "lm-studio")
        await s.diagnostics(config, lambda d: d == [])

    run(tmp_path, files, scenario)
