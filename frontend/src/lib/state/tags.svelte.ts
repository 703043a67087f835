import * as api from '../api';
import type { Tag, TagPatch } from '../api';
import { normTag, normTags } from '../util/normalize';

export class TagsState {
  list = $state<Tag[]>([]);
  byId = $derived(new Map(this.list.map((t) => [t.id, t])));
  /** visible tags, most used first, for the sidebar */
  sidebar = $derived([...this.list].filter((t) => !t.is_hidden).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)));

  async load(): Promise<void> {
    this.list = normTags(await api.tags());
  }

  /** Finds a tag by name or alias, ignoring case. */
  find(name: string): Tag | undefined {
    const n = name.trim().toLowerCase();
    return this.list.find((t) => t.name.toLowerCase() === n || t.aliases.some((a) => a.toLowerCase() === n));
  }

  async create(name: string): Promise<Tag> {
    const t = normTag(await api.createTag(name.trim()));
    this.list = [...this.list, t];
    return t;
  }

  /** Returns the existing tag with that name, or creates it. */
  async ensure(name: string): Promise<Tag> {
    return this.find(name) ?? (await this.create(name));
  }

  async update(id: number, patch: TagPatch): Promise<Tag> {
    const t = normTag(await api.updateTag(id, patch));
    this.list = this.list.map((x) => (x.id === id ? t : x));
    return t;
  }

  async merge(from: number, into: number): Promise<void> {
    await api.mergeTags(from, into);
    await this.load();
  }

  async remove(id: number): Promise<void> {
    await api.deleteTag(id);
    this.list = this.list.filter((t) => t.id !== id);
  }

  /** Adjusts counts locally after apply/remove so the sidebar follows without a reload. */
  bump(id: number, delta: number): void {
    this.list = this.list.map((t) => (t.id === id ? { ...t, count: Math.max(0, t.count + delta) } : t));
  }
}
