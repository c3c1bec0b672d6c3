// Main-thread side of the ELK worker. One layout at a time: a new request while
// ELK is still busy terminates the worker (ELK cannot be interrupted) and starts over.
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { LayoutPositions } from './layoutInput';
import type { LayoutWorkerRequest, LayoutWorkerResponse } from './layoutProtocol';

interface Pending {
  id: number;
  resolve: (p: LayoutPositions) => void;
  reject: (e: Error) => void;
}

export class LayoutCancelled extends Error {
  constructor() {
    super('layout superseded');
    this.name = 'LayoutCancelled';
  }
}

export class LayoutClient {
  private worker: Worker | null = null;
  private pending: Pending | null = null;
  private nextId = 1;

  private spawn(): Worker {
    const worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module', name: 'elk-layout' });
    worker.onmessage = (event: MessageEvent<LayoutWorkerResponse>) => {
      const p = this.pending;
      if (!p || p.id !== event.data.id) return;
      this.pending = null;
      if (event.data.positions) p.resolve(event.data.positions);
      else p.reject(new Error(event.data.error ?? 'layout failed'));
    };
    worker.onerror = (event) => {
      const p = this.pending;
      this.pending = null;
      this.worker?.terminate();
      this.worker = null;
      p?.reject(new Error(event.message || 'layout worker error'));
    };
    return worker;
  }

  layout(graph: ElkNode): Promise<LayoutPositions> {
    if (this.pending) {
      this.pending.reject(new LayoutCancelled());
      this.pending = null;
      this.worker?.terminate();
      this.worker = null;
    }
    if (!this.worker) this.worker = this.spawn();
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise<LayoutPositions>((resolve, reject) => {
      this.pending = { id, resolve, reject };
      const request: LayoutWorkerRequest = { id, graph };
      worker.postMessage(request);
    });
  }

  dispose(): void {
    this.pending?.reject(new LayoutCancelled());
    this.pending = null;
    this.worker?.terminate();
    this.worker = null;
  }
}
