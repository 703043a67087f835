// Background work in the core (scan, embed, import, model download), kept
// current from job:progress / job:done events.
import * as api from '../api';
import { Events, type Job } from '../api';
import { events } from './events';

/** How long a finished job stays visible in the panel. */
const LINGER_MS = 4000;

export class JobsState {
  byId = $state<Record<string, Job>>({});
  list = $derived(Object.values(this.byId));
  running = $derived(this.list.filter((j) => j.state === 'running'));
  #doneHandlers = new Set<(j: Job) => void>();

  async load(): Promise<void> {
    const all = await api.jobs();
    const next: Record<string, Job> = {};
    for (const j of all ?? []) if (j.state === 'running') next[j.id] = j;
    this.byId = next;
  }

  /** Subscribes to the core's job events; returns the unsubscribe function. */
  attach(): () => void {
    const offs = [
      events.on(Events.JobProgress, (j) => this.upsert(j)),
      events.on(Events.JobDone, (j) => this.finish(j)),
    ];
    return () => offs.forEach((off) => off());
  }

  upsert(j: Job): void {
    this.byId[j.id] = j;
  }

  finish(j: Job): void {
    this.byId[j.id] = j;
    this.#doneHandlers.forEach((h) => h(j));
    setTimeout(() => {
      if (this.byId[j.id]?.state !== 'running') delete this.byId[j.id];
    }, j.state === 'failed' ? LINGER_MS * 3 : LINGER_MS);
  }

  /** Calls h with every job that finishes. */
  onDone(h: (j: Job) => void): () => void {
    this.#doneHandlers.add(h);
    return () => this.#doneHandlers.delete(h);
  }

  async cancel(id: string): Promise<void> {
    await api.cancelJob(id);
  }
}
