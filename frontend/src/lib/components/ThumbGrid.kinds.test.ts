import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import type { Item } from '../api';
import { makeItem } from '../../test/api.mock';
import ThumbGrid from './ThumbGrid.svelte';
import { SearchState } from '../state/search.svelte';
import { SelectionState } from '../state/selection.svelte';

async function grid(items: Item[]) {
  vi.mocked(api.search).mockResolvedValue({ items, total: items.length, cutoff: null, semantic: false, error: null, took_ms: 1 });
  const search = new SearchState(undefined, 0);
  await search.run('');
  render(ThumbGrid, { search, selection: new SelectionState(), cellSize: 100, viewportHeight: 800, viewportWidth: 816 });
  await tick();
  return Object.fromEntries(screen.getAllByTestId('grid-item').map((el) => [el.dataset.path!, el]));
}

describe('ThumbGrid tiles of every kind', () => {
  it('shows where a text hit matched, on its tile', async () => {
    const tiles = await grid([
      makeItem(1, {
        path: 'd/report.pdf', name: 'report.pdf', media_type: 'document', format: 'pdf',
        text: { snippet: 'the \ue000invoice\ue001 is due', source: 'pdf', page: 3, line: 0, at_ms: 0 },
      }),
      makeItem(2, { path: 'p/a.jpg', name: 'a.jpg' }),
    ]);
    const hit = within(tiles['d/report.pdf']).getByTestId('text-hit');
    expect(hit.querySelector('mark')!.textContent).toBe('invoice');
    expect(within(hit).getByTestId('text-hit-place').textContent).toBe('p. 3');
    expect(within(tiles['p/a.jpg']).queryByTestId('text-hit')).toBeNull();
  });

  it('shows a video poster with its duration, name and type badge', async () => {
    const tiles = await grid([
      makeItem(1, { path: 'v/clip.mp4', name: 'clip.mp4', media_type: 'video', format: 'mp4', thumb: '/thumb/1?v=a', label: '0:03' }),
    ]);
    const t = within(tiles['v/clip.mp4']);
    expect(t.getByRole('img').getAttribute('src')).toBe('/thumb/1?v=a'); // the poster, not the generic icon
    expect(t.getByTestId('tile-label').textContent).toBe('0:03');
    expect(t.getByTestId('tile-name').textContent).toBe('clip.mp4');
    expect(t.getByTestId('tile-kind').textContent).toBe('MP4');
  });

  it('shows a PDF without a poster as an icon with its name, type and pages', async () => {
    const tiles = await grid([
      makeItem(2, { path: 'd/report.pdf', name: 'report.pdf', media_type: 'document', format: 'pdf', thumb: null, label: '12 p' }),
    ]);
    const t = within(tiles['d/report.pdf']);
    expect(t.queryByRole('img')).toBeNull();
    expect(t.getByTestId('tile-name').textContent).toBe('report.pdf');
    expect(t.getByTestId('tile-kind').textContent).toBe('PDF');
    expect(t.getByTestId('tile-label').textContent).toBe('12 p');
  });

  it('a zero-byte file of an unknown kind still has its name and a badge', async () => {
    const tiles = await grid([makeItem(3, { path: 'empty.xyz', name: 'empty.xyz', media_type: 'other', format: '', thumb: null, size: 0 })]);
    const t = within(tiles['empty.xyz']);
    expect(t.getByTestId('tile-name').textContent).toBe('empty.xyz');
    expect(t.getByTestId('tile-kind').textContent).toBe('XYZ');
    expect(t.queryByTestId('tile-label')).toBeNull();
  });

  it('leaves photos and RAWs as bare pictures', async () => {
    const tiles = await grid([
      makeItem(4),
      makeItem(5, { path: 'r/a.cr2', name: 'a.cr2', media_type: 'raw', format: 'cr2', thumb: '/thumb/5' }),
    ]);
    for (const el of Object.values(tiles)) {
      expect(within(el).getByRole('img')).toBeTruthy();
      expect(within(el).queryByTestId('tile-name')).toBeNull();
      expect(within(el).queryByTestId('tile-kind')).toBeNull();
    }
  });
});
