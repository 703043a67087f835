import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import { makeDetail, makeItem } from '../../test/api.mock';
import Inspector from './Inspector.svelte';
import { AppState } from '../state/app.svelte';

const O = '\ue000';
const C = '\ue001';

describe('Inspector, text hits', () => {
  it("lists where a PDF's text matches the search that ran, and a hit opens the preview at its page", async () => {
    const d = makeDetail(makeItem(21, { name: 'report.pdf', path: 'report.pdf', media_type: 'document', format: 'pdf' }), {
      preview_url: '/preview/21', facts: { pages: 9 },
    });
    vi.mocked(api.entry).mockResolvedValue(d);
    vi.mocked(api.textMatches).mockResolvedValue({ items: [{ snippet: `the ${O}invoice${C}`, source: 'pdf', page: 6, line: 0, at_ms: 0 }], more: false });
    const app = new AppState(0);
    await app.search.run('text:invoice');
    app.search.query = 'text:invoice and more typing'; // not run yet: not what the list is for
    app.selection.ids = new Set([21]);
    const onopenpage = vi.fn();
    render(Inspector, { inspector: app.inspector, selection: app.selection, search: app.search, tags: app.tags, toasts: app.toasts, onopenpage });
    const [hit] = await screen.findAllByTestId('text-match');
    expect(api.textMatches).toHaveBeenLastCalledWith(21, 'text:invoice');
    expect(hit.textContent).toContain('p. 6');
    await fireEvent.click(hit);
    expect(onopenpage).toHaveBeenCalledWith(21, 6);
  });
});
