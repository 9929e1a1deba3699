-- SkillMeat language server for Neovim: diagnostics, quick fixes, completion, hover, outline and
-- go-to-definition for collection.toml, Claude Code settings, .mcp.json, SKILL.md, commands and
-- agents. Put this file in your config (e.g. ~/.config/nvim/after/plugin/skillmeat.lua).

-- Which files are SkillMeat's: decided by path, since they are ordinary TOML/JSON/Markdown.
local function is_skillmeat_file(path)
  local name = vim.fs.basename(path)
  if name == "collection.toml" or name == "collection.lock" or name == ".mcp.json" or name == "SKILL.md" then
    return true
  end
  if (name == "settings.json" or name == "settings.local.json") and path:match("/%.claude/[^/]+$") then
    return true
  end
  return path:match("/%.claude/commands/.+%.md$") ~= nil or path:match("/%.claude/agents/[^/]+%.md$") ~= nil
end

local function root_dir(path)
  return vim.fs.root(path, { ".claude", ".mcp.json", "collection.toml", ".git" }) or vim.fs.dirname(path)
end

vim.api.nvim_create_autocmd("FileType", {
  pattern = { "toml", "json", "jsonc", "markdown" },
  group = vim.api.nvim_create_augroup("skillmeat-lsp", { clear = true }),
  callback = function(args)
    local path = vim.api.nvim_buf_get_name(args.buf)
    if path == "" or not is_skillmeat_file(path) then
      return
    end
    vim.lsp.start({
      name = "skillmeat",
      cmd = { "skillmeat", "lsp" },
      root_dir = root_dir(path),
      -- Neovim offers utf-8/utf-16 positions; the server picks utf-8 when offered.
    }, { bufnr = args.buf })
  end,
})
