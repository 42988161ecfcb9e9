/** elkjs ships no typings for its minified worker script. */
declare module 'elkjs/lib/elk-worker.min.js' {
  export const Worker: unknown;
}
