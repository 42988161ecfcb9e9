/**
 * Net or solver? The client's copy of the server's rule (RootMessageResolver), for the status bar:
 * 1. a `# proto-message: caffe.X` comment before the first field decides;
 * 2. otherwise the top-level field names vote: names only SolverParameter has against names only NetParameter has;
 * 3. on a tie, a file name containing "solver" means a solver; otherwise a net.
 */

export type FileKind = 'net' | 'solver' | 'other';

export interface Classification {
  kind: FileKind;
  /** The message the file is read as, e.g. `caffe.NetParameter`. */
  message: string;
  /** Why, for the tooltip. */
  reason: string;
}

/** Top-level fields of caffe.NetParameter that caffe.SolverParameter lacks. */
export const NET_ONLY = new Set(['name', 'input', 'input_shape', 'input_dim', 'force_backward', 'state', 'layer', 'layers']);

/** Top-level fields of caffe.SolverParameter that caffe.NetParameter lacks. */
export const SOLVER_ONLY = new Set([
  'net', 'net_param', 'train_net', 'test_net', 'train_net_param', 'test_net_param', 'train_state', 'test_state',
  'test_iter', 'test_interval', 'test_compute_loss', 'test_initialization', 'base_lr', 'display', 'average_loss',
  'max_iter', 'iter_size', 'lr_policy', 'gamma', 'power', 'momentum', 'weight_decay', 'regularization_type',
  'stepsize', 'stepvalue', 'clip_gradients', 'snapshot', 'snapshot_prefix', 'snapshot_diff', 'snapshot_format',
  'solver_mode', 'device_id', 'random_seed', 'type', 'delta', 'momentum2', 'rms_decay', 'snapshot_after_train',
  'solver_type', 'layer_wise_reduce', 'weights',
]);

const HEADER = /^#\s*proto-message:\s*(\S+)\s*$/;

/** The names of the fields at the top level (depth 0), in order, one entry per occurrence. */
export function topLevelFields(text: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let i = 0;
  const n = text.length;
  // The last identifier seen at depth 0 that may still turn out to be a field name (followed by ':' '{' '<').
  let pending: string | undefined;
  while (i < n) {
    const c = text[i];
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < n && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      pending = undefined;
      continue;
    }
    if (c === '{' || c === '<') {
      if (depth === 0 && pending !== undefined) names.push(pending);
      pending = undefined;
      depth++;
      i++;
      continue;
    }
    if (c === '}' || c === '>') {
      depth = Math.max(0, depth - 1);
      pending = undefined;
      i++;
      continue;
    }
    if (c === ':') {
      if (depth === 0 && pending !== undefined) names.push(pending);
      pending = undefined;
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_.]/.test(text[j])) j++;
      pending = depth === 0 ? text.slice(i, j) : undefined;
      i = j;
      continue;
    }
    if (!/\s/.test(c)) pending = undefined;
    i++;
  }
  return names;
}

/** The `# proto-message:` header among the comment lines before the first field. */
export function headerMessage(text: string): string | undefined {
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) return undefined;
    const m = HEADER.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

function kindOf(message: string): FileKind {
  return message === 'caffe.NetParameter' ? 'net' : message === 'caffe.SolverParameter' ? 'solver' : 'other';
}

export function classify(text: string, fileName: string): Classification {
  const header = headerMessage(text);
  if (header !== undefined) {
    const message = header.includes('.') ? header : `caffe.${header}`;
    return { kind: kindOf(message), message, reason: `header comment "# proto-message: ${header}"` };
  }
  let net = 0;
  let solver = 0;
  for (const name of topLevelFields(text)) {
    if (NET_ONLY.has(name)) net++;
    else if (SOLVER_ONLY.has(name)) solver++;
  }
  if (net !== solver) {
    const isSolver = solver > net;
    return {
      kind: isSolver ? 'solver' : 'net',
      message: isSolver ? 'caffe.SolverParameter' : 'caffe.NetParameter',
      reason: `top-level fields: ${solver} solver-only, ${net} net-only`,
    };
  }
  const base = fileName.split(/[\\/]/).pop() ?? '';
  if (/solver/i.test(base)) return { kind: 'solver', message: 'caffe.SolverParameter', reason: 'the file name contains "solver"' };
  return { kind: 'net', message: 'caffe.NetParameter', reason: 'default' };
}
