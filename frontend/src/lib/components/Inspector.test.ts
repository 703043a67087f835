import { describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent, within } from '@testing-library/svelte';
import { tick } from 'svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import type { EntryDetail } from '../api';
import { makeItem, makeTag } from '../../test/api.mock';
import Inspector from './Inspector.svelte';
import { AppState } from '../state/app.svelte';

const beach = makeTag(1, 'Beach', { color: 'teal' });
const dog = makeTag(2, 'Dog', { color: 'amber' });
const family = makeTag(3, 'Family', { color: 'red' });

function detail(id: number, extra: Partial<EntryDetail> = {}): EntryDetail {
  return {
    ...makeItem(id),
    fingerprint: 'abc',
    warnings: [],
    mime: 'image/jpeg',
    orientation: 1,
    make: 'FUJIFILM',
    model: 'X-T4',
    camera: 'FUJIFILM X-T4',
    lens: 'XF35mmF1.4 R',
    iso: 400,
    fnumber: 2.8,
    exposure: '1/250',
    focal_length: 50,
    lat: 48.8584,
    lon: 2.2945,
    tags: [beach],
    fields: [],
    file_url: '/file/1',
    preview_url: '/preview/1',
    faces: [],
    ...extra,
  };
}

async function setup(ids: number[]) {
  const app = new AppState(0);
  app.tags.list = [beach, dog, family];
  app.selection.ids = new Set(ids);
  const r = render(Inspector, {
    inspector: app.inspector,
    selection: app.selection,
    search: app.search,
    tags: app.tags,
    toasts: app.toasts,
  });
  await vi.waitFor(() => expect(app.inspector.loading).toBe(false));
  await tick();
  return { app, ...r };
}

describe('Inspector, one picture', () => {
  it('shows facts and EXIF in readable units', async () => {
    vi.mocked(api.entry).mockResolvedValue(detail(1));
    await setup([1]);
    const text = document.body.textContent!;
    expect(text).toContain('1/250 s');
    expect(text).toContain('f/2.8');
    expect(text).toContain('50 mm');
    expect(text).toContain('FUJIFILM X-T4');
    expect(text).toContain('4000 × 3000');
    expect(text).toContain('48.85840° N, 2.29450° E');
    expect(screen.getAllByTestId('tag-chip').map((c) => c.textContent)).toEqual([expect.stringContaining('Beach')]);
    expect(screen.queryByTestId('entry-warning')).toBeNull();
  });

  it('shows the camera as the API names it, the maker once', async () => {
    vi.mocked(api.entry).mockResolvedValue(detail(1, { make: 'Canon', model: 'Canon EOS 40D', camera: 'Canon EOS 40D' }));
    await setup([1]);
    const text = document.body.textContent!;
    expect(text).toContain('Canon EOS 40D');
    expect(text).not.toContain('Canon Canon');
  });

  it('says when the picture is damaged and only part of it decodes', async () => {
    vi.mocked(api.entry).mockResolvedValue(detail(1, { warnings: ['damaged JPEG: truncated JPEG; showing the part that decodes'] }));
    await setup([1]);
    expect(screen.getByTestId('entry-warning').textContent).toContain('damaged JPEG');
  });

  it('accepts a suggestion on click and dismisses with ×', async () => {
    vi.mocked(api.entry).mockResolvedValue(detail(1));
    vi.mocked(api.suggestions).mockResolvedValue([
      { tag: dog, score: 0.8, reason: 'Looks like 12 pictures tagged Dog', sources: ['centroid'], examples: [] },
      { tag: family, score: 0.6, reason: 'Near 3 Family pictures', sources: ['neighbours'], examples: [] },
    ]);
    await setup([1]);
    const chips = screen.getAllByTestId('suggestion');
    expect(chips).toHaveLength(2);
    expect(chips[0].getAttribute('title')).toBe('Looks like 12 pictures tagged Dog');

    await fireEvent.click(within(chips[0]).getByRole('button', { name: 'Dog' }));
    expect(api.acceptSuggestion).toHaveBeenCalledWith(2, [1]);
    await vi.waitFor(() => expect(screen.getAllByTestId('tag-chip')).toHaveLength(2));
    expect(screen.getAllByTestId('suggestion')).toHaveLength(1);

    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss suggestion Family' }));
    expect(api.dismissSuggestion).toHaveBeenCalledWith(3, [1]);
    await vi.waitFor(() => expect(screen.queryAllByTestId('suggestion')).toHaveLength(0));
  });

  it('creates a tag that does not exist yet, then applies it', async () => {
    vi.mocked(api.entry).mockResolvedValue(detail(1));
    vi.mocked(api.createTag).mockResolvedValue(makeTag(9, 'Sunset'));
    await setup([1]);
    const input = screen.getByRole('combobox', { name: 'Add tag' });
    await fireEvent.focus(input);
    await fireEvent.input(input, { target: { value: 'Sunset' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    await vi.waitFor(() => expect(api.applyTag).toHaveBeenCalledWith(9, [1]));
    expect(api.createTag).toHaveBeenCalledWith('Sunset');
  });

  it('removes an applied tag with ×', async () => {
    vi.mocked(api.entry).mockResolvedValue(detail(1));
    await setup([1]);
    await fireEvent.click(screen.getByRole('button', { name: 'Remove tag Beach' }));
    expect(api.removeTag).toHaveBeenCalledWith(1, [1]);
  });
});

describe('Inspector, people', () => {
  it('marks the tags of the people whose faces are in the picture', async () => {
    const alice = makeTag(9, 'Alice', { color: 'orange' });
    const face = { id: 5, entry_id: 1, box: [0.1, 0.1, 0.2, 0.2], landmarks: [], score: 0.9, quality: 1, person_id: 2, name: 'Alice', crop: '/face/5', thumb: null };
    vi.mocked(api.entry).mockResolvedValue(detail(1, { tags: [alice, beach], faces: [face] }));
    await setup([1]);
    const chips = screen.getAllByTestId('tag-chip');
    const byName = (n: string) => chips.find((c) => c.textContent?.includes(n))!;
    expect(byName('Alice').querySelector('[aria-label="person"]')).not.toBeNull();
    expect(byName('Beach').querySelector('[aria-label="person"]')).toBeNull();
  });
});

describe('Inspector, several pictures', () => {
  it('shows tags all have and lighter "on N of M" chips for some', async () => {
    vi.mocked(api.selectionTags).mockResolvedValue({ all: [beach], some: [{ tag: dog, count: 3 }] });
    await setup([1, 2, 3, 4, 5]);
    expect(screen.getByText('5 selected')).toBeTruthy();
    expect(screen.getAllByTestId('tag-chip')).toHaveLength(1);
    expect(screen.getByTestId('partial-chip').textContent).toContain('on 3 of 5');

    await fireEvent.click(screen.getByRole('button', { name: 'Remove tag Beach from all' }));
    expect(api.removeTag).toHaveBeenCalledWith(1, [1, 2, 3, 4, 5]);

    const input = screen.getByRole('combobox', { name: 'Add tag' });
    await fireEvent.focus(input);
    await fireEvent.input(input, { target: { value: 'fam' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    await vi.waitFor(() => expect(api.applyTag).toHaveBeenCalledWith(3, [1, 2, 3, 4, 5]));
    expect(api.createTag).not.toHaveBeenCalled();
  });
});
