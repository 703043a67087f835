// The one seam between the UI and the Go core. Components import from here and
// never from wailsjs or fetch directly, so the same components run in the Wails
// window (IPC through window.go) and in a plain browser against `tagsight serve`
// (HTTP: POST /api/<Method> with a JSON array of arguments; server-sent events
// on /api/events). Tests mock this module.
//
// On a server with tokens the page is opened as /?token=…: takeToken() moves
// the token into this tab's sessionStorage and out of the address bar, and
// every fetch sends it as "Authorization: Bearer". It is never a cookie (the
// server sets none): browsers send cookies to every port of the host, so
// another service there would receive it. <img> and EventSource cannot send
// headers, so their URLs carry the short-lived, read-only media signature
// that access() fetches (mediaUrl).
import * as runtime from '../../../wailsjs/runtime/runtime';
import type {
  Access,
  ArchiveListing,
  TextMatchList,
  AutocompleteItem,
  CatalogModel,
  ConflictPolicy,
  DuplicateGroup,
  EntryDetail,
  EventName,
  Face,
  ImportPlan,
  Item,
  Job,
  LibraryInfo,
  Moment,
  Person,
  RecentLibrary,
  SearchRequest,
  SearchResult,
  SelectionTags,
  Settings,
  Suggestion,
  Tag,
  TagPatch,
  Tuning,
} from './types';

export * from './types';

/** Called with the absolute paths of files or folders dropped on a drop target, and where (CSS pixels). */
export type FileDropHandler = (paths: string[], x: number, y: number) => void;

/** The error shape that crosses from Go to the UI: a stable code and a readable message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string = 'internal',
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 'tagsight_token';

/**
 * Moves ?token= from the page's address into this tab's sessionStorage (it
 * survives a reload, not the tab) and out of the address bar, history and
 * bookmarks. main.ts calls it before anything else runs.
 */
export function takeToken(): void {
  if (typeof window === 'undefined') return;
  const url = new URL(window.location.href);
  const t = url.searchParams.get('token');
  if (t === null) return;
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

/** The Authorization header for this tab's token, if it has one. */
function authHeaders(): Record<string, string> {
  const t = typeof sessionStorage === 'undefined' ? null : sessionStorage.getItem(TOKEN_KEY);
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** The media signature from the last access(), and when to ask for a new one. */
let media = '';
let mediaRefresh: ReturnType<typeof setTimeout> | undefined;

/**
 * A thumbnail, preview, file or face-crop URL as this page may load it: in a
 * browser talking to a server with tokens it carries the media signature
 * (?m=); in the desktop window and on a server without tokens it is as given.
 */
export function mediaUrl(u: string): string;
export function mediaUrl(u: string | null | undefined): string | undefined;
export function mediaUrl(u: string | null | undefined): string | undefined {
  if (!u) return undefined;
  if (!media || isDesktop()) return u;
  return `${u}${u.includes('?') ? '&' : '?'}m=${encodeURIComponent(media)}`;
}

/** Where the desktop window plays media from, asked for once (MediaBase). */
let playBase: Promise<string> | undefined;

/**
 * A file URL (/file/ID) as a <video> or <audio> can play it. WebKitGTK
 * cannot play media from the Wails asset server (wails issue 4412), so in
 * the desktop window it points at the core's loopback media server, whose
 * address carries a per-session secret; in a browser it is mediaUrl's, on
 * the page's own origin, where Range requests seek.
 */
export async function playableUrl(u: string): Promise<string> {
  if (!isDesktop()) return mediaUrl(u);
  playBase ??= call<string>('MediaBase').catch(() => {
    playBase = undefined;
    return '';
  });
  const base = await playBase;
  return base ? base + u : u;
}

type Bound = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** True inside the Wails window, where the Go bindings are injected as window.go. */
export function isDesktop(): boolean {
  return typeof window !== 'undefined' && 'go' in window;
}

function bound(): Bound {
  // Wails binds the Go type api.API as window.go.api.API.
  return (window as unknown as { go: { api: { API: Bound } } }).go.api.API;
}

/** Wails rejects with the string the Go ErrorFormatter produced: JSON {code, message}. */
function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const s = typeof e === 'string' ? e : e instanceof Error ? e.message : String(e);
  try {
    const o = JSON.parse(s) as { code?: string; message?: string };
    if (o && typeof o.message === 'string') return new ApiError(o.message, o.code ?? 'internal');
  } catch {
    /* not JSON */
  }
  return new ApiError(s);
}

/** Calls a method of the Go API type by name. */
export async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  if (isDesktop()) {
    try {
      return (await bound()[method](...args)) as T;
    } catch (e) {
      throw toApiError(e);
    }
  }
  let res: Response;
  try {
    res = await fetch(`/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
      body: JSON.stringify(args),
    });
  } catch (e) {
    throw new ApiError(`cannot reach Tagsight: ${(e as Error).message}`, 'network');
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(`${res.status} ${res.statusText}: ${text.slice(0, 200)}`, 'internal', res.status);
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } })?.error;
    throw new ApiError(err?.message ?? `${res.status} ${res.statusText}`, err?.code ?? 'internal', res.status);
  }
  return body as T;
}

/**
 * What this client may do: everything in the desktop window; in a browser,
 * what the server's token grants. Also keeps the media signature fresh: a
 * new one is fetched when half of the current one's life is spent, so URLs
 * already in the page keep working for hours after.
 */
export async function access(): Promise<Access> {
  if (isDesktop()) return { role: 'full', web: false, upload_limit: 0 };
  const res = await fetch('/api/access', { headers: authHeaders() });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(body?.error?.message ?? `${res.status} ${res.statusText}`, body?.error?.code, res.status);
  const acc = body as Access;
  media = acc.media ?? '';
  clearTimeout(mediaRefresh);
  if (acc.media_expires) {
    const half = (acc.media_expires * 1000 - Date.now()) / 2;
    mediaRefresh = setTimeout(() => void access().catch(() => {}), Math.max(60_000, half));
  }
  return acc;
}

export const version = () => call<string>('Version');
export const recentLibraries = () => call<RecentLibrary[]>('RecentLibraries');
/** Native folder picker in the desktop app; null in a browser or when cancelled. */
export const pickFolder = async (): Promise<string | null> => (isDesktop() ? (await call<string>('PickFolder')) || null : null);
export const openLibrary = (root: string, create: boolean) => call<LibraryInfo>('OpenLibrary', root, create);
export const libraryInfo = () => call<LibraryInfo | null>('LibraryInfo');
export const search = (req: SearchRequest) => call<SearchResult>('Search', req);
export const similar = (id: number, limit: number) => call<SearchResult>('Similar', id, limit);
export const similarFrame = (frameId: number, limit: number) => call<SearchResult>('SimilarFrame', frameId, limit);
export const moments = (id: number, query: string, limit: number) => call<Moment[]>('Moments', id, query, limit);
export const entry = (id: number) => call<EntryDetail>('Entry', id);
/** The first `limit` files inside an archive, e-book or comic, and how many it holds in all. */
export const archiveEntries = (id: number, limit: number) => call<ArchiveListing>('ArchiveEntries', id, limit);

/** Where one file's text matches a search-bar query: snippets with page, line and (OCR) box, in the file's order. */
export const textMatches = (id: number, query: string) => call<TextMatchList>('TextMatches', id, query);

/** A preview URL (/preview/ID?v=…) for a document's page N (from 1). */
export function pageUrl(preview: string, page: number): string {
  return page <= 1 ? preview : `${preview}${preview.includes('?') ? '&' : '?'}page=${page}`;
}
export const selectionTags = (ids: number[]) => call<SelectionTags>('SelectionTags', ids);
export const suggestions = (id: number) => call<Suggestion[]>('Suggestions', id);
export const acceptSuggestion = (tagId: number, ids: number[]) => call<number>('AcceptSuggestion', tagId, ids);
export const dismissSuggestion = (tagId: number, ids: number[]) => call<void>('DismissSuggestion', tagId, ids);
export const batchSuggest = (tagId: number) => call<Item[]>('BatchSuggest', tagId);
export const tags = () => call<Tag[]>('Tags');
export const createTag = (name: string) => call<Tag>('CreateTag', name);
export const updateTag = (id: number, patch: TagPatch) => call<Tag>('UpdateTag', id, patch);
export const mergeTags = (from: number, into: number) => call<void>('MergeTags', from, into);
export const deleteTag = (id: number) => call<void>('DeleteTag', id);
export const applyTag = (tagId: number, ids: number[]) => call<number>('ApplyTag', tagId, ids);
export const removeTag = (tagId: number, ids: number[]) => call<number>('RemoveTag', tagId, ids);
export const setField = (id: number, name: string, kind: 'text' | 'date', value: string) =>
  call<void>('SetField', id, name, kind, value);
export const duplicates = () => call<DuplicateGroup[]>('Duplicates');
export const planImport = (paths: string[], target: string) => call<ImportPlan>('PlanImport', paths, target);
export const importFiles = (paths: string[], target: string, conflict: ConflictPolicy) =>
  call<Job>('Import', paths, target, conflict);
export const startIndex = () => call<Job>('StartIndex');
export const cancelJob = (id: string) => call<void>('CancelJob', id);
export const jobs = () => call<Job[]>('Jobs');
export const trash = (ids: number[]) => call<number>('Trash', ids);
export const settings = () => call<Settings>('Settings');
export const saveSettings = (s: Settings) => call<Settings>('SaveSettings', s);
export const models = () => call<CatalogModel[]>('Models');
export const pullModel = (name: string) => call<Job>('PullModel', name);
export const importTagStudio = () => call<Job>('ImportTagStudio');
export const writeXMP = (ids: number[]) => call<Job>('WriteXMP', ids);
export const dismissTagStudio = () => call<void>('DismissTagStudio');
export const autocomplete = (text: string, cursor: number) => call<AutocompleteItem[]>('Autocomplete', text, cursor);
export const people = (hidden: boolean) => call<Person[]>('People', hidden);
/** A person's faces, best first; person 0: the faces in nobody, with name suggestions. */
export const personFaces = (person: number, limit = 0) => call<Face[]>('PersonFaces', person, limit);
export const namePerson = (id: number, name: string) => call<Person>('NamePerson', id, name);
export const nameFace = (faceId: number, name: string) => call<Person>('NameFace', faceId, name);
export const mergePeople = (into: number, from: number) => call<Person>('MergePeople', into, from);
export const splitFace = (faceId: number) => call<Person>('SplitFace', faceId);
export const rejectFace = (faceId: number) => call<void>('RejectFace', faceId);
export const hidePerson = (id: number, hidden: boolean) => call<void>('HidePerson', id, hidden);
export const startFaces = () => call<Job>('StartFaces');
export const recluster = () => call<Job>('Recluster');
export const faceSettings = () => call<Tuning>('FaceSettings');
export const saveFaceSettings = (t: Tuning, on: boolean) => call<Tuning>('SaveFaceSettings', t, on);
/** Search by an image given as a path on disk (desktop drop) or a library path. */
export const searchByImagePath = (path: string, limit: number) => call<SearchResult>('SearchByImage', path, limit);

/**
 * Browser face only: uploads dropped File objects into the library folder
 * `target` (multipart POST /api/upload) and returns the import job.
 */
export async function uploadFiles(files: File[], target: string, conflict: ConflictPolicy): Promise<Job> {
  const form = new FormData();
  form.set('target', target);
  form.set('conflict', conflict);
  for (const f of files) form.append('file', f, (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name);
  const res = await fetch('/api/upload', { method: 'POST', body: form, headers: authHeaders() });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(body?.error?.message ?? `${res.status} ${res.statusText}`, body?.error?.code, res.status);
  return body as Job;
}

/**
 * Search by an image file the user dropped or pasted: multipart POST
 * /api/search-image in the browser; in the desktop app its bytes go over IPC
 * (base64, as Wails carries []byte).
 */
export async function searchByImageFile(file: File, limit: number): Promise<SearchResult> {
  if (isDesktop()) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return call<SearchResult>('SearchByImageData', btoa(bin), file.name, limit);
  }
  const form = new FormData();
  form.set('file', file, file.name);
  form.set('limit', String(limit));
  const res = await fetch('/api/search-image', { method: 'POST', body: form, headers: authHeaders() });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(body?.error?.message ?? `${res.status} ${res.statusText}`, body?.error?.code, res.status);
  return body as SearchResult;
}

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();
let source: EventSource | null = null;

function listen(src: EventSource, name: string): void {
  src.addEventListener(name, (ev) => {
    const data = JSON.parse((ev as MessageEvent).data);
    listeners.get(name)?.forEach((l) => l(data));
  });
}

/**
 * Opens the event stream (signed: EventSource sends no headers). The browser
 * reconnects a dropped stream by itself; one the server refused (full, or the
 * signature expired) is reopened later with a fresh signature.
 */
function openSource(): void {
  if (typeof EventSource === 'undefined') return;
  const src = new EventSource(mediaUrl('/api/events'));
  source = src;
  for (const name of listeners.keys()) listen(src, name);
  src.onerror = () => {
    if (src.readyState !== EventSource.CLOSED || source !== src) return;
    source = null;
    setTimeout(() => {
      if (!source) void access().catch(() => {}).finally(() => source ?? openSource());
    }, 30_000);
  };
}

/** Subscribes to a core event; returns the unsubscribe function. */
export function on<T>(name: EventName, cb: (payload: T) => void): () => void {
  if (isDesktop()) {
    return runtime.EventsOn(name, (p: T) => cb(p));
  }
  let set = listeners.get(name);
  if (!set) {
    set = new Set();
    listeners.set(name, set);
    if (source) listen(source, name);
    else openSource();
  }
  set.add(cb as Listener);
  return () => set!.delete(cb as Listener);
}

/**
 * Listens for files dropped onto elements styled `--wails-drop-target: drop`
 * and returns a function that stops listening. Only the desktop window knows
 * real paths; in a browser this is a no-op (the browser face uploads File
 * objects instead). Registering this also stops WebKit from replacing the page
 * with a dropped image (wails #3686).
 */
export function onFileDrop(handler: FileDropHandler): () => void {
  if (!isDesktop()) return () => {};
  runtime.OnFileDrop((x, y, paths) => handler(paths, x, y), true);
  return () => runtime.OnFileDropOff();
}
