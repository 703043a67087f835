// The shapes that cross between the Go core and the UI. Go's JSON field
// names (snake_case) are kept as they are. backend/api/types.go mirrors this
// file: change both together.

export interface ProviderInfo {
  requested: string;
  using: string;
  reason: string;
}

export interface ModelState {
  name: string;
  dir: string;
  dim: number;
  vectors: number;
  /** pictures still waiting for a vector */
  pending: number;
}

export interface LibraryInfo {
  root: string;
  name: string;
  entries: number;
  missing: number;
  model: ModelState | null;
  provider: ProviderInfo | null;
  /** why search by meaning is unavailable, when it is */
  model_error: string;
}

/** What this client may do (GET /api/access; the desktop window may do everything). Mirrors api.Access. */
export interface Access {
  /** "full", or "read": browse, search and view only */
  role: 'full' | 'read';
  /** true in a browser (tagsight serve) */
  web: boolean;
  /** largest file an upload may carry, in bytes (0 in the desktop window) */
  upload_limit: number;
}

export interface RecentLibrary {
  root: string;
  name: string;
  opened_at: string;
}

export interface Item {
  id: number;
  /** library-relative, '/'-separated; escaped when path_escaped (see README) */
  path: string;
  path_escaped?: boolean;
  name: string;
  media_type: string;
  format: string;
  /** as shown (EXIF orientation applied) */
  width: number;
  height: number;
  taken: string | null;
  size: number;
  /** URL of the thumbnail, null when there is none */
  thumb: string | null;
  score?: number;
  missing?: boolean;
}

export interface SearchRequest {
  query: string;
  limit: number;
  offset: number;
  /** "", "taken", "-taken", "added", "-added", "name", "size", "-size", "random" */
  sort?: string;
}

export interface QueryError {
  message: string;
  /** 1-based column (in characters) where the error starts */
  column: number;
  length: number;
}

export interface SearchResult {
  items: Item[];
  total: number;
  /** how many of the results lie above the per-query relevance cutoff; null when not semantic */
  cutoff: number | null;
  semantic: boolean;
  error: QueryError | null;
  took_ms: number;
}

export interface Tag {
  id: number;
  name: string;
  shorthand: string;
  color: string;
  is_category: boolean;
  is_hidden: boolean;
  aliases: string[];
  parents: number[];
  count: number;
}

export interface TagPatch {
  name?: string;
  shorthand?: string;
  color?: string;
  is_category?: boolean;
  is_hidden?: boolean;
  add_alias?: string;
  remove_alias?: string;
  add_parent?: number;
  remove_parent?: number;
}

export interface Field {
  name: string;
  kind: 'text' | 'date';
  value: string;
}

export interface EntryDetail extends Item {
  fingerprint: string;
  mime: string;
  orientation: number;
  make: string | null;
  model: string | null;
  lens: string | null;
  iso: number | null;
  fnumber: number | null;
  exposure: string | null;
  focal_length: number | null;
  lat: number | null;
  lon: number | null;
  tags: Tag[];
  fields: Field[];
  /** URL of the original file */
  file_url: string;
  /** URL of a large, oriented preview (JPEG), null for non-pictures */
  preview_url: string | null;
}

export interface Suggestion {
  tag: Tag;
  score: number;
  /** one sentence naming what drove it, e.g. the nearest examples */
  reason: string;
  /** "centroid", "zero-shot", "neighbours" */
  sources: string[];
  examples: Item[];
}

export interface SelectionTags {
  /** tags every selected entry has */
  all: Tag[];
  /** tags only some have, with how many */
  some: { tag: Tag; count: number }[];
}

export interface DuplicateGroup {
  kind: 'exact' | 'near';
  items: Item[];
  /** id of the suggested keeper */
  keeper: number;
  similarity: number;
}

export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface Job {
  id: string;
  kind: 'scan' | 'embed' | 'import' | 'download' | 'index';
  title: string;
  phase: string;
  done: number;
  total: number;
  /** per second, in the job's unit */
  rate: number;
  unit: string;
  /** seconds */
  eta: number;
  current: string;
  state: JobState;
  error?: string;
}

export type ConflictPolicy = 'skip' | 'keep-both' | 'replace';

export interface ImportPlan {
  files: number;
  bytes: number;
  /** library-relative paths that already exist */
  conflicts: string[];
}

export interface Settings {
  model: string;
  provider: string;
  /** long side of generated thumbnails, 128–512 px */
  thumb_size: number;
  theme: 'system' | 'dark' | 'light';
}

export interface CatalogModel {
  name: string;
  title: string;
  description: string;
  installed: boolean;
  default: boolean;
  in_use: boolean;
}

export interface AutocompleteItem {
  kind: 'tag' | 'prefix' | 'history';
  /** what replaces the word being typed */
  text: string;
  label: string;
  color?: string;
}

/** Events the core sends; names are `domain:verb`. */
export const Events = {
  JobProgress: 'job:progress',
  JobDone: 'job:done',
  LibraryChanged: 'library:changed',
} as const;
export type EventName = (typeof Events)[keyof typeof Events];
