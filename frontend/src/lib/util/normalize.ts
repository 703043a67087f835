// Go marshals a nil slice as null. These make the shapes the UI relies on
// hold, whatever the core sends, so a missing list never blanks a view.
import type { EntryDetail, SearchResult, SelectionTags, Tag } from '../api';

export function normTag(t: Tag): Tag {
  return { ...t, aliases: t.aliases ?? [], parents: t.parents ?? [], count: t.count ?? 0 };
}

export function normTags(ts: Tag[] | null | undefined): Tag[] {
  return (ts ?? []).map(normTag);
}

export function normDetail(d: EntryDetail): EntryDetail {
  return { ...d, tags: normTags(d.tags), fields: d.fields ?? [], warnings: d.warnings ?? [], faces: d.faces ?? [] };
}

export function normResult(r: SearchResult): SearchResult {
  return { ...r, items: r.items ?? [], total: r.total ?? 0, cutoff: r.cutoff ?? null, error: r.error ?? null };
}

export function normSelection(s: SelectionTags | null | undefined): SelectionTags {
  return {
    all: normTags(s?.all),
    some: (s?.some ?? []).map((x) => ({ ...x, tag: normTag(x.tag) })),
  };
}
