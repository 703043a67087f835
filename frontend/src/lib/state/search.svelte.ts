// What the grid shows: the current query's results, paged in from the core
// in chunks of PAGE as the user scrolls, or a one-off "similar to" / "by image"
// result. Responses that arrive after a newer query started are dropped.
import * as api from '../api';
import type { Item, QueryError, SearchResult } from '../api';
import type { ToastState } from './toasts.svelte';
import { normResult } from '../util/normalize';

export const PAGE = 500;
/** How many results a "more like this" or image search asks for. */
export const ONE_SHOT_LIMIT = 1000;
const HISTORY_KEY = 'tagsight.history';
const HISTORY_MAX = 50;

/** '' is the core's default order: relevance for a semantic query. */
export const SORTS: { value: string; label: string }[] = [
  { value: '', label: 'Relevance' },
  { value: '-taken', label: 'Date taken ↓' },
  { value: 'taken', label: 'Date taken ↑' },
  { value: '-added', label: 'Date added' },
  { value: 'name', label: 'Name' },
  { value: '-size', label: 'Size' },
  { value: 'random', label: 'Random' },
];

export interface Special {
  kind: 'similar' | 'image';
  label: string;
}

function loadHistory(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((s) => typeof s === 'string').slice(0, HISTORY_MAX) : [];
  } catch {
    return [];
  }
}

export class SearchState {
  /** the text in the search bar */
  query = $state('');
  sort = $state('');
  /** show entries with hidden tags even when the query does not name them */
  showHidden = $state(false);
  /** sparse: length is total, holes are pages not loaded yet */
  items = $state.raw<(Item | undefined)[]>([]);
  total = $state(0);
  cutoff = $state<number | null>(null);
  semantic = $state(false);
  error = $state<QueryError | null>(null);
  /** how the core read the query, when the user should know (no model: words that are no tag match nothing) */
  note = $state('');
  /** where the results came from (the words inside files, a video's moments, meaning); null when the search did not say */
  sources = $state<HitSources | null>(null);
  tookMs = $state(0);
  loading = $state(false);
  special = $state<Special | null>(null);
  history = $state<string[]>(loadHistory());
  /** bumped whenever the result set is replaced, so views can reset scroll and selection */
  generation = $state(0);

  #toasts: ToastState | undefined;
  #debounceMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #requested = new Set<number>();
  /** the query that produced the current items (the bar may already say something else) */
  #ran = $state('');
  /** the query the shown results came from; '' for a "similar to" result */
  get ran(): string {
    return this.special ? '' : this.#ran;
  }

  constructor(toasts?: ToastState, debounceMs = 250) {
    this.#toasts = toasts;
    this.#debounceMs = debounceMs;
  }

  /** Updates the text and runs the search once typing pauses. */
  setQuery(q: string): void {
    this.query = q;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.run(), this.#debounceMs);
  }

  setSort(s: string): void {
    this.sort = s;
    void this.run();
  }

  setShowHidden(on: boolean): void {
    this.showHidden = on;
    void this.run();
  }

  /** Runs the query in the bar now (Enter, sort change, refresh). */
  async run(q: string = this.query): Promise<void> {
    clearTimeout(this.#timer);
    this.query = q;
    this.special = null;
    this.#ran = q;
    const gen = ++this.generation;
    this.#requested = new Set([0]);
    this.loading = true;
    try {
      const res = await api.search({ query: q, limit: PAGE, offset: 0, sort: this.sort, show_hidden: this.showHidden });
      if (gen !== this.generation) return;
      this.#apply(res, 0, true);
    } catch (e) {
      if (gen === this.generation) this.#toasts?.error(e, 'Search failed');
    } finally {
      if (gen === this.generation) this.loading = false;
    }
  }

  /** Re-runs the current result set (after an import, trash, tag change). */
  refresh(): Promise<void> {
    return this.run(this.#ran);
  }

  #live: Promise<void> | null = null;
  #liveAgain = false;
  /** hears each in-place update with the items before and after it */
  onUpdate: ((before: readonly (Item | undefined)[], after: readonly (Item | undefined)[]) => void) | null = null;

  /**
   * The library changed (on disk, in another window or process): brings the
   * result set up to date in place. New entries take their place in the
   * current order, gone ones drop out, the total follows; the generation is
   * kept, so the scroll position and the selection stay. Calls that arrive
   * while one is running are folded into one more run after it.
   */
  update(): Promise<void> {
    if (this.#live) {
      this.#liveAgain = true;
      return this.#live;
    }
    this.#live = (async () => {
      try {
        do {
          this.#liveAgain = false;
          await this.#updateOnce();
        } while (this.#liveAgain);
      } finally {
        this.#live = null;
      }
    })();
    return this.#live;
  }

  async #updateOnce(): Promise<void> {
    if (this.special) return; // a one-off "similar to" result is a snapshot
    const gen = this.generation;
    const q = this.#ran;
    // The pages the user has loaded, fetched again; the rest load on scroll.
    const pages = [...this.#requested].sort((a, b) => a - b);
    if (pages.length === 0) pages.push(0);
    try {
      const results = await Promise.all(
        pages.map((p) => api.search({ query: q, limit: PAGE, offset: p * PAGE, sort: this.sort, show_hidden: this.showHidden })),
      );
      if (gen !== this.generation) return; // the user ran another query meanwhile
      const first = normResult(results[0]);
      const total = first.error ? 0 : first.total;
      const next: (Item | undefined)[] = new Array(total);
      const loaded = new Set<number>();
      results.forEach((raw, i) => {
        const res = normResult(raw);
        const off = pages[i] * PAGE;
        if (off >= total) return;
        loaded.add(pages[i]);
        res.items.forEach((it, j) => {
          if (off + j < total) next[off + j] = it;
        });
      });
      const before = this.items;
      this.#requested = loaded;
      this.items = next;
      this.total = total;
      this.onUpdate?.(before, next);
      if (pages[0] === 0) {
        this.cutoff = first.cutoff;
        this.semantic = first.semantic;
        this.error = first.error;
        this.note = first.note ?? '';
        this.sources = hitSources(first);
      }
    } catch {
      /* the next change or a scroll tries again */
    }
  }

  /** Loads every page that overlaps [start, end). The grid calls this as it scrolls. */
  ensureRange(start: number, end: number): void {
    if (this.special) return;
    const last = Math.min(end, this.total);
    for (let p = Math.floor(Math.max(0, start) / PAGE); p * PAGE < last; p++) {
      if (this.#requested.has(p)) continue;
      this.#requested.add(p);
      void this.#loadPage(p, this.generation);
    }
  }

  async #loadPage(page: number, gen: number): Promise<void> {
    try {
      const res = await api.search({ query: this.#ran, limit: PAGE, offset: page * PAGE, sort: this.sort, show_hidden: this.showHidden });
      if (gen !== this.generation) return;
      this.#apply(res, page * PAGE, false);
    } catch (e) {
      this.#requested.delete(page);
      if (gen === this.generation) this.#toasts?.error(e, 'Loading more results failed');
    }
  }

  #apply(raw: SearchResult, offset: number, first: boolean): void {
    const res = normResult(raw);
    const total = res.error ? 0 : res.total;
    const next: (Item | undefined)[] = first ? new Array(total) : this.items.slice();
    if (next.length !== total) next.length = total;
    res.items.forEach((it, i) => {
      if (offset + i < total) next[offset + i] = it;
    });
    this.items = next;
    this.total = total;
    if (first) {
      this.cutoff = res.cutoff;
      this.semantic = res.semantic;
      this.error = res.error;
      this.note = res.note ?? '';
      this.sources = hitSources(res);
      this.tookMs = res.took_ms;
    }
  }

  #oneShot(raw: SearchResult, special: Special): void {
    const res = normResult(raw);
    this.generation++;
    this.special = special;
    this.items = res.items.slice();
    this.total = res.items.length;
    this.cutoff = res.cutoff;
    this.semantic = true;
    this.error = null;
    this.note = '';
    this.sources = null;
    this.tookMs = res.took_ms;
  }

  async similar(item: Pick<Item, 'id' | 'name'>): Promise<void> {
    this.loading = true;
    try {
      this.#oneShot(await api.similar(item.id, ONE_SHOT_LIMIT), { kind: 'similar', label: `Similar to ${item.name}` });
    } catch (e) {
      this.#toasts?.error(e, 'More like this failed');
    } finally {
      this.loading = false;
    }
  }

  /** "More like this" from a video's moment (the video itself left out). */
  async similarFrame(frameId: number, label: string): Promise<void> {
    this.loading = true;
    try {
      this.#oneShot(await api.similarFrame(frameId, ONE_SHOT_LIMIT), { kind: 'similar', label: `Similar to ${label}` });
    } catch (e) {
      this.#toasts?.error(e, 'More like this failed');
    } finally {
      this.loading = false;
    }
  }

  async byImagePath(path: string): Promise<void> {
    const name = path.split(/[\\/]/).pop() ?? path;
    await this.#byImage(() => api.searchByImagePath(path, ONE_SHOT_LIMIT), name);
  }

  async byImageFile(file: File): Promise<void> {
    await this.#byImage(() => api.searchByImageFile(file, ONE_SHOT_LIMIT), file.name || 'pasted image');
  }

  async #byImage(fn: () => Promise<SearchResult>, name: string): Promise<void> {
    this.loading = true;
    try {
      this.#oneShot(await fn(), { kind: 'image', label: `Pictures like ${name}` });
    } catch (e) {
      this.#toasts?.error(e, 'Search by image failed');
    } finally {
      this.loading = false;
    }
  }

  /** Leaves a "similar to" result and shows the query again. */
  back(): Promise<void> {
    return this.run(this.query);
  }

  pushHistory(q: string): void {
    const t = q.trim();
    if (!t) return;
    this.history = [t, ...this.history.filter((h) => h !== t)].slice(0, HISTORY_MAX);
    try {
      localStorage.setItem(HISTORY_KEY, JSON.stringify(this.history));
    } catch {
      /* private mode: history just isn't kept */
    }
  }

  /** Drops removed entries (after trash), keeping the user's place. */
  removeIds(ids: number[]): void {
    const gone = new Set(ids);
    if (this.special) {
      this.items = this.items.filter((it) => it && !gone.has(it.id));
      this.total = this.items.length;
      return;
    }
    void this.update();
  }
}

/** How many of a search's results the words inside files, a video's moments and meaning brought. */
export interface HitSources {
  text: number;
  frames: number;
  meaning: number;
}

/** The result's counts by source, or null when it has none (a filter-only search). */
export function hitSources(res: SearchResult): HitSources | null {
  const text = res.from_text ?? 0;
  const frames = res.from_frames ?? 0;
  const meaning = res.from_meaning ?? 0;
  return text || frames || meaning ? { text, frames, meaning } : null;
}
