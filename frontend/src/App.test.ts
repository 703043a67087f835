import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';

vi.mock('./lib/api', async () => (await import('./test/api.mock')).apiMock());

import * as api from './lib/api';
import { makeInfo } from './test/api.mock';
import App from './App.svelte';
import { AppState } from './lib/state/app.svelte';

describe('App', () => {
  it('goes straight to the main window when a library is already open (browser face)', async () => {
    vi.mocked(api.libraryInfo).mockResolvedValue(makeInfo({ name: 'Pictures', entries: 3 }));
    render(App, { app: new AppState(0) });
    expect(await screen.findByRole('combobox', { name: 'Search' })).toBeTruthy();
    expect(screen.getByTestId('drop-zone').getAttribute('style')).toContain('--wails-drop-target: drop');
    // no model: a gentle banner, tags still usable
    expect(screen.getByTestId('model-banner').textContent).toContain('Download');
    await vi.waitFor(() => expect(api.search).toHaveBeenCalled());
    expect(api.tags).toHaveBeenCalled();
  });

  it('shows the start screen with recent libraries when none is open', async () => {
    vi.mocked(api.libraryInfo).mockResolvedValue(null);
    vi.mocked(api.recentLibraries).mockResolvedValue([{ root: '/a', name: 'Holidays', opened_at: '2025-01-01T00:00:00Z' }]);
    render(App, { app: new AppState(0) });
    expect(await screen.findByRole('button', { name: /Holidays/ })).toBeTruthy();
  });

  it('shows a toast instead of a blank window when the core is unreachable', async () => {
    vi.mocked(api.libraryInfo).mockRejectedValue(new api.ApiError('cannot reach Tagsight: offline', 'network'));
    render(App, { app: new AppState(0) });
    expect((await screen.findByTestId('toast')).textContent).toContain('cannot reach Tagsight');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Tagsight');
  });
});
