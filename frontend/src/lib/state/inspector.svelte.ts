// Details for what's selected: one entry's facts, tags, fields and suggested
// tags, or the tags shared across a multi-selection.
import * as api from '../api';
import type { EntryDetail, SelectionTags, Suggestion, Tag } from '../api';
import type { TagsState } from './tags.svelte';
import { normDetail, normSelection, normTag } from '../util/normalize';

export class InspectorState {
  ids = $state.raw<number[]>([]);
  detail = $state<EntryDetail | null>(null);
  suggestions = $state<Suggestion[]>([]);
  selTags = $state<SelectionTags | null>(null);
  loading = $state(false);
  #gen = 0;
  #tags: TagsState;

  constructor(tags: TagsState) {
    this.#tags = tags;
  }

  async load(ids: number[]): Promise<void> {
    const gen = ++this.#gen;
    this.ids = ids;
    this.detail = null;
    this.suggestions = [];
    this.selTags = null;
    if (ids.length === 0) return;
    this.loading = true;
    try {
      await this.#fetch(ids, gen);
    } finally {
      if (gen === this.#gen) this.loading = false;
    }
  }

  /** Fetches what the inspector shows for ids, unless a newer load started. */
  async #fetch(ids: number[], gen: number): Promise<void> {
    if (ids.length === 1) {
      const [d, s] = await Promise.all([api.entry(ids[0]), api.suggestions(ids[0]).catch(() => [] as Suggestion[])]);
      if (gen !== this.#gen) return;
      this.detail = normDetail(d);
      this.suggestions = (s ?? []).map((x) => ({ ...x, tag: normTag(x.tag), examples: x.examples ?? [] }));
    } else {
      const st = await api.selectionTags(ids);
      if (gen !== this.#gen) return;
      this.selTags = normSelection(st);
    }
  }

  /** Reloads what is shown (the library changed) without blanking it first. */
  async refresh(): Promise<void> {
    if (this.ids.length === 0 || this.loading) return; // a load in flight brings fresh data
    try {
      await this.#fetch(this.ids, ++this.#gen);
    } catch {
      /* the entry went away: the grid's update drops it from the selection */
    }
  }

  /** Applies a tag by name to the whole selection, creating the tag when absent. */
  async addTag(name: string): Promise<Tag> {
    const tag = await this.#tags.ensure(name);
    const ids = this.ids;
    const n = await api.applyTag(tag.id, ids);
    this.#tags.bump(tag.id, n ?? 0);
    this.#added(tag);
    return tag;
  }

  async removeTag(tag: Tag): Promise<void> {
    const n = await api.removeTag(tag.id, this.ids);
    this.#tags.bump(tag.id, -(n ?? 0));
    if (this.detail) this.detail = { ...this.detail, tags: this.detail.tags.filter((t) => t.id !== tag.id) };
    if (this.selTags) {
      this.selTags = {
        all: this.selTags.all.filter((t) => t.id !== tag.id),
        some: this.selTags.some.filter((s) => s.tag.id !== tag.id),
      };
    }
  }

  async accept(s: Suggestion): Promise<void> {
    const n = await api.acceptSuggestion(s.tag.id, this.ids);
    this.#tags.bump(s.tag.id, n ?? 0);
    this.suggestions = this.suggestions.filter((x) => x.tag.id !== s.tag.id);
    this.#added(s.tag);
  }

  async dismiss(s: Suggestion): Promise<void> {
    await api.dismissSuggestion(s.tag.id, this.ids);
    this.suggestions = this.suggestions.filter((x) => x.tag.id !== s.tag.id);
  }

  async setField(name: string, kind: 'text' | 'date', value: string): Promise<void> {
    if (!this.detail) return;
    await api.setField(this.detail.id, name, kind, value);
    const fields = this.detail.fields.filter((f) => f.name !== name);
    this.detail = { ...this.detail, fields: [...fields, { name, kind, value }] };
  }

  #added(tag: Tag): void {
    if (this.detail && !this.detail.tags.some((t) => t.id === tag.id)) {
      this.detail = { ...this.detail, tags: [...this.detail.tags, tag] };
    }
    if (this.selTags) {
      this.selTags = {
        all: [...this.selTags.all.filter((t) => t.id !== tag.id), tag],
        some: this.selTags.some.filter((s) => s.tag.id !== tag.id),
      };
    }
  }
}
