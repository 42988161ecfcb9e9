/**
 * Finds the prototxt-lsp server and checks that it runs. Pure: the file system, the process runner and the
 * environment are injected, so the lookup order and the error messages are unit-tested without VS Code.
 *
 * Order: the environment variable PROTOTXT_LSP_PATH, the setting prototxt.server.path, the server bundled in the
 * extension (server/<rid>/prototxt-lsp, server/<rid>/prototxt-lsp.dll, server/prototxt-lsp.dll), then
 * prototxt-lsp on PATH. A path the user configured (variable or setting) is used alone: when it is broken the
 * user hears about it instead of silently getting another server.
 */

export type ServerSource = 'env' | 'setting' | 'bundled' | 'path';

/** How to start the server: `command ...args`, to which a verb or `--stdio` is appended. */
export interface ServerCommand {
  command: string;
  args: string[];
}

export interface Candidate extends ServerCommand {
  source: ServerSource;
  /** The file that must exist (the executable or the .dll); undefined for a bare name looked up on PATH. */
  file?: string;
  /** What the user reads: where this candidate came from. */
  description: string;
}

export interface Attempt {
  candidate: Candidate;
  /** Why it was not used. */
  problem: string;
}

export interface RunResult {
  /** Exit code, or null when the process did not exit normally. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not be started (ENOENT, EACCES, ...) or was killed. */
  error?: string;
  timedOut?: boolean;
}

export interface LocatorDeps {
  /** Whether a regular file exists at the path. */
  isFile(path: string): boolean;
  /** Runs `command args` and resolves when it ends or the timeout kills it; never rejects. */
  run(command: string, args: string[], timeoutMs: number): Promise<RunResult>;
}

export interface LocatorInput {
  /** process.env.PROTOTXT_LSP_PATH */
  envPath?: string;
  /** The setting prototxt.server.path (already resolved against the workspace, `~` expanded). */
  settingPath?: string;
  /** The extension's install folder. */
  extensionPath: string;
  /** process.platform */
  platform: string;
  /** process.arch */
  arch: string;
  /** Directories of PATH; when empty, PATH is not searched. */
  pathDirs?: string[];
  /** Timeout of `--version`, 10 s by default. */
  timeoutMs?: number;
}

export type LocateResult =
  | { ok: true; server: Candidate; version: string; attempts: Attempt[] }
  | { ok: false; attempts: Attempt[]; message: string };

export const VERSION_PATTERN = /^prototxt-lsp (\d+\.\d+\.\d+\S*)/m;

/** The .NET runtime identifier of the platform, as used for the bundled server's folder (linux-x64, osx-arm64, win-x64). */
export function runtimeId(platform: string, arch: string): string {
  const os = platform === 'win32' ? 'win' : platform === 'darwin' ? 'osx' : platform === 'linux' ? 'linux' : platform;
  const cpu = arch === 'x64' ? 'x64' : arch === 'arm64' ? 'arm64' : arch === 'ia32' ? 'x86' : arch === 'arm' ? 'arm' : arch;
  return `${os}-${cpu}`;
}

function join(platform: string, ...parts: string[]): string {
  const sep = platform === 'win32' ? '\\' : '/';
  return parts.map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, '') : p.replace(/^[\\/]+|[\\/]+$/g, ''))).join(sep);
}

/** A path to a server: a .dll is run with `dotnet`, anything else directly. */
export function commandFor(file: string): ServerCommand {
  return /\.dll$/i.test(file) ? { command: 'dotnet', args: [file] } : { command: file, args: [] };
}

/** Every place to look, in order. */
export function candidates(input: LocatorInput): Candidate[] {
  // A bare name (no folder) is a command looked up on PATH by the OS: there is no file to check first.
  const configured = (value: string): Pick<Candidate, 'file' | 'command' | 'args'> =>
    /[\\/]/.test(value) || /\.dll$/i.test(value) ? { file: value, ...commandFor(value) } : { command: value, args: [] };
  const env = input.envPath?.trim();
  if (env) return [{ source: 'env', ...configured(env), description: `PROTOTXT_LSP_PATH=${env}` }];
  const setting = input.settingPath?.trim();
  if (setting) return [{ source: 'setting', ...configured(setting), description: `setting prototxt.server.path = ${setting}` }];

  const exe = input.platform === 'win32' ? 'prototxt-lsp.exe' : 'prototxt-lsp';
  const rid = runtimeId(input.platform, input.arch);
  const p = input.platform;
  const bundled: Candidate[] = [
    join(p, input.extensionPath, 'server', rid, exe),
    join(p, input.extensionPath, 'server', rid, 'prototxt-lsp.dll'),
    join(p, input.extensionPath, 'server', 'prototxt-lsp.dll'),
  ].map((file) => ({ source: 'bundled', file, ...commandFor(file), description: `bundled server ${file}` }));

  const onPath: Candidate[] = (input.pathDirs ?? [])
    .filter((d) => d.length > 0)
    .map((d) => join(p, d, exe))
    .map((file) => ({ source: 'path', file, ...commandFor(file), description: `${exe} on PATH (${file})` }));
  return [...bundled, ...onPath];
}

/** Why a `--version` run does not show a working server, or undefined when it does. */
export function versionProblem(candidate: ServerCommand, r: RunResult, timeoutMs: number): string | undefined {
  const usesDotnet = candidate.command === 'dotnet';
  if (r.timedOut) return `\`--version\` did not answer within ${Math.round(timeoutMs / 1000)} s`;
  if (r.error) {
    if (/ENOENT/.test(r.error)) return usesDotnet ? '`dotnet` was not found: the .NET 10 runtime is not installed or not on PATH' : 'not found (ENOENT)';
    if (/EACCES/.test(r.error)) return 'the file is not executable (EACCES; try `chmod +x`)';
    return `it could not be started: ${r.error}`;
  }
  const firstLine = (s: string) => s.split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0) ?? '';
  if (r.code !== 0) {
    const err = firstLine(r.stderr) || firstLine(r.stdout);
    // An apphost or `dotnet` without the runtime says so on stderr.
    const hint = /framework|\.NET|hostfxr|dotnet/i.test(err) ? ' (install the .NET 10 runtime)' : '';
    return `\`--version\` exited with code ${r.code}${err ? `: ${err}` : ''}${hint}`;
  }
  if (!VERSION_PATTERN.test(r.stdout)) return `\`--version\` printed ${JSON.stringify(firstLine(r.stdout))}, not "prototxt-lsp X.Y.Z"`;
  return undefined;
}

/** Tries the candidates in order; the first that exists and answers `--version` wins. */
export async function locateServer(input: LocatorInput, deps: LocatorDeps): Promise<LocateResult> {
  const timeoutMs = input.timeoutMs ?? 10_000;
  const attempts: Attempt[] = [];
  const list = candidates(input);
  for (const candidate of list) {
    if (candidate.file !== undefined && !deps.isFile(candidate.file)) {
      attempts.push({ candidate, problem: 'not found' });
      continue;
    }
    const r = await deps.run(candidate.command, [...candidate.args, '--version'], timeoutMs);
    const problem = versionProblem(candidate, r, timeoutMs);
    if (problem === undefined) {
      return { ok: true, server: candidate, version: VERSION_PATTERN.exec(r.stdout)![1], attempts };
    }
    attempts.push({ candidate, problem });
  }
  return { ok: false, attempts, message: failureMessage(attempts) };
}

/** The error shown when no server works: what was tried and how to fix it. */
export function failureMessage(attempts: Attempt[]): string {
  // PATH entries that do not exist are noise: say once that PATH was searched.
  const shown = attempts.filter((a) => !(a.candidate.source === 'path' && a.problem === 'not found'));
  const searchedPath = attempts.some((a) => a.candidate.source === 'path' && a.problem === 'not found');
  const tried = shown.map((a) => `${a.candidate.description}: ${a.problem}`);
  if (searchedPath) tried.push('prototxt-lsp on PATH: not found');
  const configured = attempts.some((a) => a.candidate.source === 'env' || a.candidate.source === 'setting');
  const needsDotnet = attempts.some((a) => /\.NET|dotnet/.test(a.problem));
  const fixes: string[] = [];
  if (configured && attempts.some((a) => a.candidate.source === 'env')) fixes.push('fix or unset the PROTOTXT_LSP_PATH environment variable');
  fixes.push('set "prototxt.server.path" to a prototxt-lsp executable (or prototxt-lsp.dll)');
  if (needsDotnet) fixes.push('install the .NET 10 runtime');
  return `Caffe Prototxt: the language server could not be started. Tried ${tried.join('; ')}. To fix: ${fixes.join(', or ')}.`;
}
