// The shapes that cross between the Go core and the UI. The interfaces are
// generated from the Go types (models.gen.ts: `make types`, checked by a Go
// test); only what has no Go twin is written here.
import type { Job } from './models.gen';
export * from './models.gen';

export type JobState = Job['state'];

export type ConflictPolicy = 'skip' | 'keep-both' | 'replace';

/** Events the core sends; names are `domain:verb`. */
export const Events = {
  JobProgress: 'job:progress',
  JobDone: 'job:done',
  LibraryChanged: 'library:changed',
} as const;
export type EventName = (typeof Events)[keyof typeof Events];
