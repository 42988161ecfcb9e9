/** Messages between the extension and the layer-graph webview. */
import type { LayerGraph } from '../graphModel';

export type ToWebview =
  /** A new graph; `reset` when it is another document (the view is fitted again). */
  | { type: 'graph'; graph: LayerGraph; highlight?: string; reset: boolean }
  /** The node of the layer under the editor's cursor; `reveal` scrolls it into view when it is off screen. */
  | { type: 'highlight'; id?: string; reveal: boolean }
  /** A note instead of a graph (no server, not a net, request failed). */
  | { type: 'message'; text: string; error: boolean };

export type FromWebview =
  | { type: 'ready' }
  /** Go to a layer in the editor: the node, or one of the in-place layers folded into it. */
  | { type: 'reveal'; id: string; folded?: number }
  | { type: 'state'; index: number }
  | { type: 'export'; svg: string }
  | { type: 'log'; level: 'info' | 'error'; text: string };
