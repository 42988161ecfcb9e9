/** Running the server as a command-line tool (`--version`, `summary`, `upgrade`). Node only, no VS Code. */
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LocatorDeps, RunResult } from './serverLocator';

/** Runs a command to completion; never rejects (start failures and time-outs are reported in the result). */
export function run(command: string, args: string[], timeoutMs: number, options: { cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    let child: cp.ChildProcess;
    try {
      child = cp.execFile(command, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, cwd: options.cwd, windowsHide: true, encoding: 'utf8' },
        (error, stdout, stderr) => {
          const e = error as (cp.ExecFileException & { code?: number | string }) | null;
          if (!e) return resolve({ code: 0, stdout, stderr });
          if (e.killed && timeoutMs > 0 && e.signal) return resolve({ code: null, stdout, stderr, timedOut: true });
          if (typeof e.code === 'number') return resolve({ code: e.code, stdout, stderr });
          resolve({ code: null, stdout, stderr, error: `${e.code ?? ''} ${e.message}`.trim() });
        });
    } catch (e) {
      resolve({ code: null, stdout: '', stderr: '', error: String(e) });
      return;
    }
    child.stdin?.end();
  });
}

export const nodeLocatorDeps: LocatorDeps = {
  isFile(p: string): boolean {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  },
  run: (command, args, timeoutMs) => run(command, args, timeoutMs),
};

/**
 * Writes `text` to a file named `fileName` in a fresh temporary folder (the name matters: the server reads
 * "solver" in a file name as a hint), runs `body` with its path, and removes the folder.
 */
export async function withTempFile<T>(fileName: string, text: string, body: (file: string) => Promise<T>): Promise<T> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'prototxt-lsp-'));
  const file = path.join(dir, path.basename(fileName) || 'untitled.prototxt');
  try {
    await fs.promises.writeFile(file, text, 'utf8');
    return await body(file);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** `~`, `${userHome}` and `${workspaceFolder}` expanded; a relative path taken from the workspace folder. */
export function resolveSettingPath(value: string | undefined, workspaceFolder: string | undefined): string | undefined {
  let v = value?.trim();
  if (!v) return undefined;
  const home = os.homedir();
  v = v.replace(/\$\{userHome\}/g, home);
  if (workspaceFolder) v = v.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  if (v === '~' || v.startsWith('~/') || v.startsWith('~\\')) v = path.join(home, v.slice(1));
  if (!path.isAbsolute(v) && workspaceFolder && /[\\/]/.test(v)) v = path.join(workspaceFolder, v);
  return v;
}
