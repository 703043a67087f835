import { describe, expect, it, vi } from 'vitest';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import { makeItem, pagedSearch } from '../../test/api.mock';
import { PAGE, SearchState } from './search.svelte';
import { ToastState } from './toasts.svelte';

describe('SearchState', () => {
  it('asks for hidden entries once "show hidden" is on, and runs again', async () => {
    vi.mocked(api.search).mockImplementation(pagedSearch(3));
    const s = new SearchState(undefined, 0);
    await s.run('cat');
    expect(vi.mocked(api.search).mock.lastCall?.[0].show_hidden).toBe(false);
    s.setShowHidden(true);
    await vi.waitFor(() => expect(vi.mocked(api.search).mock.lastCall?.[0].show_hidden).toBe(true));
    expect(vi.mocked(api.search).mock.lastCall?.[0].query).toBe('cat');
  });

  it('pages results in chunks of PAGE and keeps the total', async () => {
    vi.mocked(api.search).mockImplementation(pagedSearch(1234));
    const s = new SearchState(undefined, 0);
    await s.run('cat');
    expect(s.total).toBe(1234);
    expect(s.items.length).toBe(1234);
    expect(s.items[PAGE]).toBeUndefined();
    s.ensureRange(900, 1100);
    s.ensureRange(900, 1100); // asked once only
    await vi.waitFor(() => expect(s.items[1100]).toBeDefined());
    expect(vi.mocked(api.search).mock.calls.map((c) => c[0].offset)).toEqual([0, 500, 1000]);
  });

  it('drops answers to a query that was replaced', async () => {
    let release!: () => void;
    vi.mocked(api.search)
      .mockImplementationOnce(
        () =>
          new Promise((r) => {
            release = () => r({ items: [makeItem(1)], total: 1, cutoff: null, semantic: false, error: null, took_ms: 1 });
          }),
      )
      .mockResolvedValueOnce({ items: [makeItem(2), makeItem(3)], total: 2, cutoff: null, semantic: false, error: null, took_ms: 1 });
    const s = new SearchState(undefined, 0);
    const first = s.run('old');
    await s.run('new');
    release();
    await first;
    expect(s.items.map((i) => i?.id)).toEqual([2, 3]);
  });

  it('treats null lists from the core as empty and reports failures as toasts', async () => {
    vi.mocked(api.search).mockResolvedValueOnce({ items: null, total: 0, cutoff: null, semantic: false, error: null, took_ms: 1 } as never);
    const toasts = new ToastState();
    const s = new SearchState(toasts, 0);
    await s.run('');
    expect(s.items).toEqual([]);
    vi.mocked(api.search).mockRejectedValueOnce(new api.ApiError('database is locked', 'busy'));
    await s.run('x');
    expect(toasts.list[0].message).toBe('Search failed: database is locked');
  });

  it('keeps the last 50 distinct searches in history', () => {
    const s = new SearchState(undefined, 0);
    for (let i = 0; i < 60; i++) s.pushHistory(`q${i}`);
    s.pushHistory('q10');
    expect(s.history).toHaveLength(50);
    expect(s.history[0]).toBe('q10');
    expect(JSON.parse(localStorage.getItem('tagsight.history')!)).toHaveLength(50);
  });

  it('updates in place: new entries take their place, the generation stays, a burst is one more run', async () => {
    let ids = [1, 2, 3, 4];
    vi.mocked(api.search).mockImplementation(async (req) => ({
      items: ids.slice(req.offset, req.offset + req.limit).map((id) => makeItem(id)),
      total: ids.length,
      cutoff: null,
      semantic: false,
      error: null,
      took_ms: 1,
    }));
    const s = new SearchState(undefined, 0);
    await s.run('');
    const gen = s.generation;
    const seen: [number[], number[]][] = [];
    s.onUpdate = (before, after) => seen.push([before.map((x) => x!.id), after.map((x) => x!.id)]);
    ids = [1, 9, 2, 4]; // 9 arrived between 1 and 2, 3 went away
    const calls = vi.mocked(api.search).mock.calls.length;
    await Promise.all([s.update(), s.update(), s.update(), s.update()]);
    expect(s.items.map((x) => x?.id)).toEqual([1, 9, 2, 4]);
    expect(s.total).toBe(4);
    expect(s.generation).toBe(gen);
    // the first run, then one more for the three that arrived meanwhile
    expect(vi.mocked(api.search).mock.calls.length - calls).toBe(2);
    expect(seen[0]).toEqual([[1, 2, 3, 4], [1, 9, 2, 4]]);
  });

  it('refetches the pages the user loaded, not only the first', async () => {
    vi.mocked(api.search).mockImplementation(pagedSearch(1200));
    const s = new SearchState(undefined, 0);
    await s.run('');
    s.ensureRange(1000, 1100);
    await vi.waitFor(() => expect(s.items[1100]).toBeDefined());
    vi.mocked(api.search).mockImplementation(pagedSearch(1201));
    const calls = vi.mocked(api.search).mock.calls.length;
    await s.update();
    expect(vi.mocked(api.search).mock.calls.slice(calls).map((c) => c[0].offset)).toEqual([0, 1000]);
    expect(s.total).toBe(1201);
    expect(s.items[1200]?.id).toBe(1201);
    expect(s.items[600]).toBeUndefined(); // never loaded: comes on scroll
  });

  it('keeps the note on how the query was read, and drops it with the next query', async () => {
    vi.mocked(api.search).mockImplementation(pagedSearch(0, { note: 'no model: sunset is no tag, so it matched nothing' }));
    const s = new SearchState(undefined, 0);
    await s.run('sunset');
    expect(s.note).toContain('matched nothing');
    vi.mocked(api.search).mockImplementation(pagedSearch(3));
    await s.run('tag:Beach');
    expect(s.note).toBe('');
  });
});
