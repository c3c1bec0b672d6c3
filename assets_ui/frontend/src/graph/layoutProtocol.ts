import type { ElkNode } from 'elkjs/lib/elk-api';
import type { LayoutPositions } from './layoutInput';

export interface LayoutWorkerRequest {
  id: number;
  graph: ElkNode;
}

export type LayoutWorkerResponse =
  | { id: number; positions: LayoutPositions; ms: number; error?: undefined }
  | { id: number; error: string; positions?: undefined };
