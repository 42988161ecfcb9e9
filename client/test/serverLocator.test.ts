import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { nodeLocatorDeps, resolveSettingPath, run } from '../src/processes';
import {
  candidates,
  commandFor,
  failureMessage,
  locateServer,
  runtimeId,
  versionProblem,
  type LocatorDeps,
  type LocatorInput,
  type RunResult,
} from '../src/serverLocator';

const ok = (version = '0.1.0'): RunResult => ({ code: 0, stdout: `prototxt-lsp ${version}\n`, stderr: '' });

/** A fake file system and process runner: `files` exist, `answers` maps a command line to its result. */
function fakeDeps(files: string[], answers: Record<string, RunResult> = {}) {
  const runs: string[] = [];
  const deps: LocatorDeps = {
    isFile: (p) => files.includes(p),
    run: async (command, args) => {
      const line = [command, ...args].join(' ');
      runs.push(line);
      return answers[line] ?? { code: null, stdout: '', stderr: '', error: 'spawn ENOENT' };
    },
  };
  return { deps, runs };
}

const base: LocatorInput = { extensionPath: '/ext', platform: 'linux', arch: 'x64', pathDirs: ['/usr/local/bin', '/usr/bin'] };

describe('runtimeId', () => {
  test('maps Node platform and arch to .NET RIDs', () => {
    assert.equal(runtimeId('linux', 'x64'), 'linux-x64');
    assert.equal(runtimeId('darwin', 'arm64'), 'osx-arm64');
    assert.equal(runtimeId('win32', 'x64'), 'win-x64');
    assert.equal(runtimeId('linux', 'arm64'), 'linux-arm64');
  });
});

describe('candidates', () => {
  test('bundled binary, bundled dll per platform, portable dll, then PATH', () => {
    const list = candidates(base);
    assert.deepEqual(list.map((c) => [c.source, c.command, ...c.args]), [
      ['bundled', '/ext/server/linux-x64/prototxt-lsp'],
      ['bundled', 'dotnet', '/ext/server/linux-x64/prototxt-lsp.dll'],
      ['bundled', 'dotnet', '/ext/server/prototxt-lsp.dll'],
      ['path', '/usr/local/bin/prototxt-lsp'],
      ['path', '/usr/bin/prototxt-lsp'],
    ]);
  });

  test('the environment variable wins over the setting, and is used alone', () => {
    const list = candidates({ ...base, envPath: '/opt/p/prototxt-lsp', settingPath: '/s/prototxt-lsp' });
    assert.equal(list.length, 1);
    assert.equal(list[0].source, 'env');
    assert.equal(list[0].command, '/opt/p/prototxt-lsp');
  });

  test('the setting is used alone when there is no environment variable', () => {
    const list = candidates({ ...base, envPath: '  ', settingPath: '/s/prototxt-lsp.dll' });
    assert.deepEqual(list.map((c) => [c.source, c.command, ...c.args]), [['setting', 'dotnet', '/s/prototxt-lsp.dll']]);
  });

  test('a bare command name is run through PATH without a file check', () => {
    const [c] = candidates({ ...base, settingPath: 'prototxt-lsp' });
    assert.equal(c.file, undefined);
    assert.equal(c.command, 'prototxt-lsp');
  });

  test('windows names and separators', () => {
    const list = candidates({ ...base, platform: 'win32', extensionPath: 'C:\\ext', pathDirs: [] });
    assert.equal(list[0].command, 'C:\\ext\\server\\win-x64\\prototxt-lsp.exe');
  });

  test('commandFor runs a .dll with dotnet', () => {
    assert.deepEqual(commandFor('/a/prototxt-lsp.DLL'), { command: 'dotnet', args: ['/a/prototxt-lsp.DLL'] });
    assert.deepEqual(commandFor('/a/prototxt-lsp'), { command: '/a/prototxt-lsp', args: [] });
  });
});

describe('locateServer', () => {
  test('takes the first candidate that exists and answers --version', async () => {
    const { deps, runs } = fakeDeps(['/ext/server/prototxt-lsp.dll', '/usr/bin/prototxt-lsp'], {
      'dotnet /ext/server/prototxt-lsp.dll --version': ok('0.1.0'),
      '/usr/bin/prototxt-lsp --version': ok('9.9.9'),
    });
    const r = await locateServer(base, deps);
    assert.ok(r.ok);
    assert.equal(r.server.command, 'dotnet');
    assert.equal(r.version, '0.1.0');
    assert.deepEqual(runs, ['dotnet /ext/server/prototxt-lsp.dll --version']);
    assert.deepEqual(r.attempts.map((a) => a.problem), ['not found', 'not found']);
  });

  test('a broken bundled binary falls through to the next candidate', async () => {
    const { deps } = fakeDeps(['/ext/server/linux-x64/prototxt-lsp', '/usr/bin/prototxt-lsp'], {
      '/ext/server/linux-x64/prototxt-lsp --version': { code: 150, stdout: '', stderr: 'You must install .NET to run this application.\n' },
      '/usr/bin/prototxt-lsp --version': ok(),
    });
    const r = await locateServer(base, deps);
    assert.ok(r.ok);
    assert.equal(r.server.source, 'path');
    assert.match(r.attempts[0].problem, /exited with code 150: You must install \.NET.*install the \.NET 10 runtime/);
  });

  test('a configured path that fails is reported, not replaced by the bundled server', async () => {
    const { deps, runs } = fakeDeps(['/ext/server/linux-x64/prototxt-lsp'], { '/ext/server/linux-x64/prototxt-lsp --version': ok() });
    const r = await locateServer({ ...base, settingPath: '/nowhere/prototxt-lsp' }, deps);
    assert.equal(r.ok, false);
    assert.deepEqual(runs, []);
    if (!r.ok) {
      assert.match(r.message, /setting prototxt\.server\.path = \/nowhere\/prototxt-lsp: not found/);
      assert.match(r.message, /set "prototxt\.server\.path"/);
    }
  });

  test('the environment variable is checked before the setting', async () => {
    const { deps, runs } = fakeDeps(['/env/prototxt-lsp', '/set/prototxt-lsp'], { '/env/prototxt-lsp --version': ok('1.2.3'), '/set/prototxt-lsp --version': ok() });
    const r = await locateServer({ ...base, envPath: '/env/prototxt-lsp', settingPath: '/set/prototxt-lsp' }, deps);
    assert.ok(r.ok);
    assert.equal(r.server.source, 'env');
    assert.equal(r.version, '1.2.3');
    assert.deepEqual(runs, ['/env/prototxt-lsp --version']);
  });

  test('nothing found: the message lists what was tried and how to fix it', async () => {
    const { deps } = fakeDeps(['/ext/server/prototxt-lsp.dll']); // dotnet itself is missing (ENOENT)
    const r = await locateServer(base, deps);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.match(r.message, /could not be started/);
    assert.match(r.message, /bundled server \/ext\/server\/linux-x64\/prototxt-lsp: not found/);
    assert.match(r.message, /bundled server \/ext\/server\/prototxt-lsp\.dll: `dotnet` was not found/);
    assert.match(r.message, /prototxt-lsp on PATH: not found/);
    assert.match(r.message, /set "prototxt\.server\.path"/);
    assert.match(r.message, /install the \.NET 10 runtime/);
    assert.doesNotMatch(r.message, /\/usr\/local\/bin/, 'PATH entries are summarised');
  });

  test('--version output that is not ours is refused', async () => {
    const { deps } = fakeDeps(['/x/prototxt-lsp'], { '/x/prototxt-lsp --version': { code: 0, stdout: 'something else 1.0\n', stderr: '' } });
    const r = await locateServer({ ...base, envPath: '/x/prototxt-lsp' }, deps);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.attempts[0].problem, /printed "something else 1\.0"/);
      assert.match(r.message, /PROTOTXT_LSP_PATH/);
    }
  });

  test('the timeout is passed on and reported', async () => {
    let seen = 0;
    const deps: LocatorDeps = { isFile: () => true, run: async (_c, _a, t) => ((seen = t), { code: null, stdout: '', stderr: '', timedOut: true }) };
    const r = await locateServer({ ...base, envPath: '/slow/prototxt-lsp' }, deps);
    assert.equal(seen, 10_000);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.attempts[0].problem, /did not answer within 10 s/);
  });
});

describe('versionProblem', () => {
  test('names the cause', () => {
    const cmd = { command: '/x', args: [] };
    assert.equal(versionProblem(cmd, ok(), 10_000), undefined);
    assert.match(versionProblem(cmd, { code: null, stdout: '', stderr: '', error: 'spawn EACCES' }, 10_000)!, /not executable/);
    assert.match(versionProblem(cmd, { code: 2, stdout: '', stderr: 'boom\nmore' }, 10_000)!, /exited with code 2: boom$/);
  });

  test('failureMessage mentions the environment variable when it was the culprit', () => {
    const m = failureMessage([{ candidate: { source: 'env', command: '/e', args: [], file: '/e', description: 'PROTOTXT_LSP_PATH=/e' }, problem: 'not found' }]);
    assert.match(m, /fix or unset the PROTOTXT_LSP_PATH environment variable/);
  });
});

describe('processes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'locator-test-'));
  const script = (name: string, body: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return file;
  };

  test('run() reports exit codes, output, missing files and time-outs', { skip: process.platform === 'win32' }, async () => {
    const good = script('good', 'echo "prototxt-lsp 0.1.0"');
    assert.deepEqual(await run(good, ['--version'], 5_000), { code: 0, stdout: 'prototxt-lsp 0.1.0\n', stderr: '' });
    const bad = script('bad', 'echo oops >&2; exit 3');
    const r = await run(bad, [], 5_000);
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'oops\n');
    const missing = await run(path.join(dir, 'missing'), [], 5_000);
    assert.equal(missing.code, null);
    assert.match(missing.error!, /ENOENT/);
    const slow = script('slow', 'exec sleep 5');
    const t = Date.now();
    const s = await run(slow, [], 300);
    assert.equal(s.timedOut, true);
    assert.ok(Date.now() - t < 4_000);
  });

  test('locateServer with the real file system and processes', { skip: process.platform === 'win32' }, async () => {
    const ext = fs.mkdtempSync(path.join(os.tmpdir(), 'locator-ext-'));
    const bundled = path.join(ext, 'server', runtimeId(process.platform, process.arch), 'prototxt-lsp');
    fs.mkdirSync(path.dirname(bundled), { recursive: true });
    fs.writeFileSync(bundled, '#!/bin/sh\necho "prototxt-lsp 4.5.6"\n', { mode: 0o755 });
    const r = await locateServer({ extensionPath: ext, platform: process.platform, arch: process.arch, pathDirs: [] }, nodeLocatorDeps);
    assert.ok(r.ok);
    assert.equal(r.version, '4.5.6');
    fs.chmodSync(bundled, 0o644);
    const r2 = await locateServer({ extensionPath: ext, platform: process.platform, arch: process.arch, pathDirs: [] }, nodeLocatorDeps);
    assert.equal(r2.ok, false);
    if (!r2.ok) assert.match(r2.message, /not executable/);
    fs.rmSync(ext, { recursive: true, force: true });
  });

  test('resolveSettingPath expands ~ and ${workspaceFolder}', () => {
    assert.equal(resolveSettingPath('', '/w'), undefined);
    assert.equal(resolveSettingPath('~/bin/prototxt-lsp', '/w'), path.join(os.homedir(), 'bin/prototxt-lsp'));
    assert.equal(resolveSettingPath('${workspaceFolder}/tools/prototxt-lsp', '/w'), '/w/tools/prototxt-lsp');
    assert.equal(resolveSettingPath('tools/prototxt-lsp', '/w'), path.join('/w', 'tools/prototxt-lsp'));
    assert.equal(resolveSettingPath('prototxt-lsp', '/w'), 'prototxt-lsp', 'a bare name stays a PATH lookup');
  });
});
