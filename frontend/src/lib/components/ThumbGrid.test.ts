import { describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';
import { tick } from 'svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import { pagedSearch } from '../../test/api.mock';
import ThumbGrid from './ThumbGrid.svelte';
import { SearchState } from '../state/search.svelte';
import { SelectionState } from '../state/selection.svelte';

async function setup(total: number, extra = {}) {
  vi.mocked(api.search).mockImplementation(pagedSearch(total, extra));
  const search = new SearchState(undefined, 0);
  const selection = new SelectionState();
  await search.run('');
  // 816px wide / 100px cells → 8 columns; 800px tall → 8 rows on screen.
  const r = render(ThumbGrid, { search, selection, cellSize: 100, viewportHeight: 800, viewportWidth: 816 });
  await tick();
  return { search, selection, ...r };
}

const mounted = () => screen.queryAllByTestId('grid-item');

describe('ThumbGrid', () => {
  it('mounts only a window of 100k results and changes it on scroll', async () => {
    const { search } = await setup(100_000);
    expect(search.total).toBe(100_000);
    const first = mounted();
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(300);
    expect(first[0].dataset.path).toBe('photos/img_1.jpg');
    expect(first[0].querySelector('img')?.getAttribute('alt')).toBe('img_1.jpg');

    const grid = screen.getByTestId('grid');
    grid.scrollTop = 500_000; // row 5000 → item 40,000
    await fireEvent.scroll(grid);
    await vi.waitFor(() => expect(mounted().length).toBeGreaterThan(0));
    const idx = mounted().map((el) => Number(el.dataset.index));
    expect(Math.min(...idx)).toBeGreaterThan(39_000);
    expect(mounted().length).toBeLessThan(300);
    // the page behind the new window was asked for, in chunks of 500
    expect(api.search).toHaveBeenCalledWith(expect.objectContaining({ offset: 39_500, limit: 500 }));
  });

  it('selects a range with Shift-click and toggles with Ctrl-click', async () => {
    const { selection } = await setup(50);
    const items = mounted();
    await fireEvent.click(items[2]);
    await fireEvent.click(items[5], { shiftKey: true });
    expect([...selection.ids].sort((a, b) => a - b)).toEqual([3, 4, 5, 6]);
    await fireEvent.click(items[4], { ctrlKey: true });
    expect(selection.has(5)).toBe(false);
    await fireEvent.click(items[10], { metaKey: true });
    expect(selection.count).toBe(4);
    expect(items[10].getAttribute('aria-selected')).toBe('true');
  });

  it('moves the selection with arrows, selects all with Ctrl+A and clears with Esc', async () => {
    const { selection } = await setup(50);
    const grid = screen.getByTestId('grid');
    await fireEvent.click(mounted()[0]);
    await fireEvent.keyDown(grid, { key: 'ArrowRight' });
    expect(selection.list).toEqual([2]);
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(selection.list).toEqual([10]);
    await fireEvent.keyDown(grid, { key: 'a', ctrlKey: true });
    expect(selection.count).toBe(50);
    await fireEvent.keyDown(grid, { key: 'Escape' });
    expect(selection.count).toBe(0);
  });

  it('draws the relevance divider between item cutoff-1 and cutoff, and can hide what is below', async () => {
    await setup(40, { cutoff: 12, semantic: true });
    const divider = screen.getByTestId('cutoff-divider');
    expect(divider.textContent).toContain('less relevant below');
    expect(divider.dataset.after).toBe('11');
    // in document order the divider comes right after the row holding item 11 and before item 12
    const all = [...document.querySelectorAll('[data-testid="grid-item"], [data-testid="cutoff-divider"]')];
    const pos = all.indexOf(divider);
    const byIndex = (i: number) => all.findIndex((el) => (el as HTMLElement).dataset.index === String(i));
    expect(byIndex(11)).toBeLessThan(pos);
    expect(byIndex(12)).toBeGreaterThan(-1);
    // item 12 starts a fresh row below the divider
    const row11 = all[byIndex(11)].parentElement!;
    const row12 = all[byIndex(12)].parentElement!;
    expect(row11).not.toBe(row12);

    await fireEvent.click(screen.getByRole('button', { name: /hide less relevant/i }));
    expect(mounted().length).toBe(12);
    await fireEvent.click(screen.getByRole('button', { name: /show all/i }));
    expect(mounted().length).toBe(40);
  });

  it('dims missing files and shows a type icon for non-pictures', async () => {
    vi.mocked(api.search).mockResolvedValue({
      items: [
        { ...(await import('../../test/api.mock')).makeItem(1), missing: true },
        { ...(await import('../../test/api.mock')).makeItem(2), media_type: 'document', format: 'pdf', thumb: null },
      ],
      total: 2,
      cutoff: null,
      semantic: false,
      error: null,
      took_ms: 1,
    });
    const search = new SearchState(undefined, 0);
    await search.run('');
    render(ThumbGrid, { search, selection: new SelectionState(), cellSize: 100, viewportHeight: 400, viewportWidth: 416 });
    const [a, b] = mounted();
    expect(a.classList.contains('missing')).toBe(true);
    expect(b.querySelector('img')).toBeNull();
    expect(b.textContent).toContain('PDF');
  });
});
