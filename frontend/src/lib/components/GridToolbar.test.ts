import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import { makeItem } from '../../test/api.mock';
import GridToolbar from './GridToolbar.svelte';
import { SearchState } from '../state/search.svelte';
import { SettingsState } from '../state/settings.svelte';

describe('GridToolbar', () => {
  it('says how many results the words inside files, video moments and meaning brought', async () => {
    vi.mocked(api.search).mockResolvedValueOnce({
      items: [makeItem(1), makeItem(2), makeItem(3)],
      total: 3,
      cutoff: 3,
      semantic: true,
      error: null,
      took_ms: 1,
      from_text: 2,
      from_frames: 1,
      from_meaning: 12,
    });
    const search = new SearchState(undefined, 0);
    await search.run('invoice');
    render(GridToolbar, { search, settings: new SettingsState(), selected: 0 });
    expect(screen.getByTestId('hit-sources').textContent).toBe(' · 2 from text · 1 video moment · 12 by meaning');
  });

  it('says nothing of sources for a search that has none', async () => {
    vi.mocked(api.search).mockResolvedValueOnce({ items: [makeItem(1)], total: 1, cutoff: null, semantic: false, error: null, took_ms: 1 });
    const search = new SearchState(undefined, 0);
    await search.run('tag:cat');
    render(GridToolbar, { search, settings: new SettingsState(), selected: 0 });
    expect(screen.queryByTestId('hit-sources')).toBeNull();
  });
});
