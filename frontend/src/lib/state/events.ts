// The UI's one typed event bus over the core's events (api.on). Payload types
// live here so a listener can't subscribe to 'job:progress' expecting a tag.
import { on, Events, type Job, type LibraryInfo } from '../api';

export interface EventMap {
  [Events.JobProgress]: Job;
  [Events.JobDone]: Job;
  [Events.LibraryChanged]: LibraryInfo | null;
}

export type EventKey = keyof EventMap;

export const events = {
  /** Subscribes to a core event; returns the unsubscribe function. */
  on<K extends EventKey>(name: K, cb: (payload: EventMap[K]) => void): () => void {
    return on<EventMap[K]>(name, cb);
  },
};
