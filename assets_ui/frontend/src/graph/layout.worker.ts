/// <reference lib="webworker" />
// Web Worker: runs ELK (layered, left → right) off the main thread and posts back
// only the positions.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import { extractPositions } from './layoutInput';
import type { LayoutWorkerRequest, LayoutWorkerResponse } from './layoutProtocol';

const elk = new ELK();
const scope = self as unknown as DedicatedWorkerGlobalScope;

// elk.bundled.js installs its own message handler when loaded in a worker; replace it.
scope.onmessage = async (event: MessageEvent<LayoutWorkerRequest>) => {
  const { id, graph } = event.data;
  const started = performance.now();
  try {
    const result = (await elk.layout(graph)) as ElkNode;
    const response: LayoutWorkerResponse = { id, positions: extractPositions(result), ms: performance.now() - started };
    scope.postMessage(response);
  } catch (error) {
    const response: LayoutWorkerResponse = { id, error: error instanceof Error ? error.message : String(error) };
    scope.postMessage(response);
  }
};
