/**
 * ELK's layout engine as one script for the webview. Loaded as a web worker it answers layout requests
 * (elkjs's worker code installs `self.onmessage` when it sees a worker global); loaded as a plain script in the
 * page (the fallback when workers are refused) it publishes its in-page worker as `ElkFakeWorker`.
 */
import * as elkWorker from 'elkjs/lib/elk-worker.min.js';

(globalThis as { ElkFakeWorker?: unknown }).ElkFakeWorker = (elkWorker as unknown as { Worker: unknown }).Worker;
