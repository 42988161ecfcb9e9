-- Headless Neovim (0.7+) as a real third-party LSP client of prototxt-lsp.
-- Usage: PROTOTXT_LSP_DLL=path/to/prototxt-lsp.dll nvim --headless --clean -n -c 'luafile harness.lua' FILE
-- Opens FILE, waits for diagnostics, asks for a hover on the first `num_output` and for the document symbols,
-- then prints one JSON line to stdout and quits (exit code 0 on success, 2 on a timeout or error).
local dll = os.getenv('PROTOTXT_LSP_DLL')
local result = { diagnostics = nil, hover = nil, symbols = nil, error = nil }

local function finish(code)
  io.stdout:write(vim.fn.json_encode(result) .. '\n')
  io.stdout:flush()
  vim.cmd('cquit! ' .. code)
end

local ok, err = pcall(function()
  local bufnr = vim.api.nvim_get_current_buf()
  local diagnostics
  local client_id = vim.lsp.start_client({
    cmd = { 'dotnet', dll, '--stdio' },
    root_dir = vim.fn.getcwd(),
    handlers = {
      ['textDocument/publishDiagnostics'] = function(_, params)
        if params and params.diagnostics and #params.diagnostics > 0 then diagnostics = params.diagnostics end
      end,
    },
  })
  assert(client_id, 'start_client failed')
  local client = vim.lsp.get_client_by_id(client_id)
  assert(vim.wait(20000, function() return client.initialized end, 20), 'server did not initialize')
  vim.lsp.buf_attach_client(bufnr, client_id)
  assert(vim.wait(20000, function() return diagnostics ~= nil end, 20), 'no diagnostics published')
  result.diagnostics = {}
  for _, d in ipairs(diagnostics) do
    table.insert(result.diagnostics, { code = d.code, line = d.range.start.line, severity = d.severity, message = d.message })
  end

  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local position
  for i, line in ipairs(lines) do
    local col = line:find('num_output', 1, true)
    if col then position = { line = i - 1, character = col + 1 } break end
  end
  assert(position, 'no num_output in the file')
  local uri = vim.uri_from_bufnr(bufnr)
  local hover = client.request_sync('textDocument/hover', { textDocument = { uri = uri }, position = position }, 20000, bufnr)
  assert(hover and hover.result, 'no hover result')
  result.hover = hover.result.contents.value

  local symbols = client.request_sync('textDocument/documentSymbol', { textDocument = { uri = uri } }, 20000, bufnr)
  assert(symbols and symbols.result, 'no symbols')
  result.symbols = {}
  for _, s in ipairs(symbols.result) do table.insert(result.symbols, s.name) end

  client.stop()
  vim.wait(5000, function() return client.is_stopped() end, 20)
end)

if not ok then
  result.error = tostring(err)
  finish(2)
else
  finish(0)
end
