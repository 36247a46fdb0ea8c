//! `agentc lsp` in a real editor: Neovim, headless, with its built-in LSP
//! client. The session opens a broken agent file, waits for the server's
//! diagnostics, fixes the typo in the buffer (unsaved) and waits for them
//! to clear, writing what it saw to a file that the test compares exactly.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const INIT_LUA: &str = r#"
local out, bin, root = os.getenv("OUT"), os.getenv("AGENTC"), os.getenv("ROOT")
local lines = {}
local function finish(code)
  vim.fn.writefile(lines, out)
  vim.cmd(code == 0 and "qa!" or "cquit " .. code)
end
local ok, err = pcall(function()
local id = vim.lsp.start_client({
  cmd = { bin, "lsp", "--no-probe", "--debounce", "10" },
  root_dir = root,
})
if not id then table.insert(lines, "no client"); finish(3) end
vim.cmd("edit " .. root .. "/.agents/explore.md")
vim.lsp.buf_attach_client(0, id)
local function show()
  for _, d in ipairs(vim.diagnostic.get(0)) do
    local code = (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or d.code
    table.insert(lines, string.format("%d:%d-%d:%d %d %s %s", d.lnum, d.col,
      d.end_lnum, d.end_col, d.severity, code, (d.message:gsub("\n", " | "))))
  end
end
if not vim.wait(30000, function() return #vim.diagnostic.get(0) == 2 end, 20) then
  show(); table.insert(lines, "timeout waiting for diagnostics"); finish(4)
end
show()
-- Fix both typos in the buffer, without saving: `lm-studo` and `grpe`.
vim.api.nvim_buf_set_text(0, 2, 17, 2, 17, { "i" })
local at = #"tools: [mcp__é🦀__x, "
vim.api.nvim_buf_set_text(0, 4, at, 4, at + 4, { "grep" })
if not vim.wait(30000, function() return #vim.diagnostic.get(0) == 0 end, 20) then
  show(); table.insert(lines, "timeout waiting for the fix"); finish(5)
end
table.insert(lines, "cleared")
finish(0)
end)
if not ok then table.insert(lines, "error: " .. tostring(err)); finish(6) end
"#;

fn run_nvim(dir: &Path) -> (bool, String) {
    let root = dir.join("project");
    let home = dir.join("home");
    std::fs::create_dir_all(root.join(".agents")).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        root.join(".agents/explore.md"),
        // `é` and `🦀` before the unknown tool: Neovim counts bytes, the
        // server UTF-16 units; the range must survive both conversions.
        "---\ndescription: Explores.\nprovider: lm-studo\nmodel: qwen\ntools: [mcp__é🦀__x, grpe]\n---\nExplore.\n",
    )
    .unwrap();
    let init = dir.join("init.lua");
    std::fs::write(&init, INIT_LUA).unwrap();
    let out = dir.join("seen.txt");
    let mut child = Command::new("nvim")
        .args(["--headless", "-n", "-i", "NONE", "-u"])
        .arg(&init)
        .env("OUT", &out)
        .env("AGENTC", env!("CARGO_BIN_EXE_agentc"))
        .env("ROOT", &root)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("AGENTC_USER_DIR", dir.join("user"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("nvim is not installed or cannot start: {e}"));
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the Neovim session did not end");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (
        status.success(),
        std::fs::read_to_string(&out).unwrap_or_default(),
    )
}

#[test]
#[ignore = "needs nvim; run by .ci/run"]
fn neovim_shows_the_diagnostics_and_clears_them_as_the_buffer_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, seen) = run_nvim(dir.path());
    assert!(ok, "the session failed:\n{seen}");
    let prefix = "tools: [mcp__é🦀__x, ";
    assert_eq!(
        seen,
        format!(
            "2:10-2:18 1 unknown-provider unknown provider `lm-studo` | help: did you mean `lm-studio`?\n\
             4:{s}-4:{e} 2 unknown-tool unknown tool `grpe` | help: did you mean `grep`?\n\
             cleared\n",
            s = prefix.len(),
            e = prefix.len() + 4,
        )
    );
}
