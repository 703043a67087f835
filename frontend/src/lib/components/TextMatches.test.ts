import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import type { TextHit } from '../api';
import TextMatches from './TextMatches.svelte';

const O = '\ue000';
const C = '\ue001';
const pdfHit = (page: number, word: string): TextHit => ({ snippet: `the ${O}${word}${C} here`, source: 'pdf', page, line: 0, at_ms: 0 });

describe('TextMatches', () => {
  it("lists a PDF's hits with their pages; a click opens the preview at that page", async () => {
    vi.mocked(api.textMatches).mockResolvedValue({ items: [pdfHit(3, 'invoice'), pdfHit(7, 'invoice')], more: true });
    const onopenpage = vi.fn();
    render(TextMatches, { entryId: 9, query: ' text:invoice ', paged: true, onopenpage });
    const rows = await screen.findAllByTestId('text-match');
    expect(api.textMatches).toHaveBeenCalledWith(9, 'text:invoice');
    expect(rows.map((r) => r.querySelector('[data-testid=text-hit-place]')?.textContent)).toEqual(['p. 3', 'p. 7']);
    expect(rows[1].querySelector('mark')?.textContent).toBe('invoice');
    await fireEvent.click(rows[1]);
    expect(onopenpage).toHaveBeenCalledWith(7);
    expect(screen.getByTestId('text-matches').textContent).toContain('Only the first 2');
  });

  it("shows a text file's hit with its line, as nothing to click", async () => {
    vi.mocked(api.textMatches).mockResolvedValue({ items: [{ snippet: `${O}milk${C}`, source: 'body', page: 0, line: 12, at_ms: 0 }], more: false });
    render(TextMatches, { entryId: 4, query: 'milk', paged: false, onopenpage: vi.fn() });
    const [row] = await screen.findAllByTestId('text-match');
    expect(row.tagName).toBe('DIV');
    expect(row.textContent).toContain('line 12');
  });

  it('asks nothing for an empty query and shows nothing', async () => {
    vi.mocked(api.textMatches).mockClear();
    render(TextMatches, { entryId: 4, query: '  ' });
    await Promise.resolve();
    expect(api.textMatches).not.toHaveBeenCalled();
    expect(screen.queryByTestId('text-matches')).toBeNull();
  });
});
