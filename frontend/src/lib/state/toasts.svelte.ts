// Readable, dismissable notices. Every failed api call ends up here so the
// window never goes blank or silent.
import { ApiError } from '../api';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  message: string;
  details?: string;
}

export class ToastState {
  list = $state<Toast[]>([]);
  #next = 1;

  info(message: string): void {
    this.#push({ kind: 'info', message }, 4000);
  }

  error(e: unknown, context?: string): void {
    const message = e instanceof Error ? e.message : String(e);
    let details: string | undefined;
    if (e instanceof ApiError) {
      details = `code: ${e.code}${e.status ? `\nHTTP ${e.status}` : ''}`;
    } else if (e instanceof Error && e.stack) {
      details = e.stack;
    }
    this.#push({ kind: 'error', message: context ? `${context}: ${message}` : message, details }, 10000);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((t) => t.id !== id);
  }

  /** Runs an api call and reports a failure as a toast; resolves to undefined on failure. */
  async guard<T>(p: Promise<T>, context?: string): Promise<T | undefined> {
    try {
      return await p;
    } catch (e) {
      this.error(e, context);
      return undefined;
    }
  }

  #push(t: Omit<Toast, 'id'>, ttl: number): void {
    const id = this.#next++;
    this.list = [...this.list.slice(-4), { ...t, id }];
    if (typeof window !== 'undefined') setTimeout(() => this.dismiss(id), ttl);
  }
}
