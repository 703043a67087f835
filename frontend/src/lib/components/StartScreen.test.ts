import { describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import { makeInfo } from '../../test/api.mock';
import type { LibraryInfo } from '../api';
import StartScreen from './StartScreen.svelte';
import { LibraryState } from '../state/library.svelte';
import { ToastState } from '../state/toasts.svelte';

const info: LibraryInfo = makeInfo();

function setup() {
  const library = new LibraryState();
  const toasts = new ToastState();
  render(StartScreen, { library, toasts });
  return { library, toasts };
}

describe('StartScreen', () => {
  it('shows the title and the version from the api', async () => {
    vi.mocked(api.version).mockResolvedValue('v9.9.9');
    setup();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Tagsight');
    expect((await screen.findByText('Version v9.9.9')).dataset.testid).toBe('version');
  });

  it('asks for a folder of files, not only pictures', () => {
    setup();
    expect(document.body.textContent).toContain('Open a folder to start tagging its files');
    expect(document.body.textContent).not.toContain('folder of pictures');
  });

  it('on the desktop picks a folder and opens (creating) a library there', async () => {
    vi.mocked(api.isDesktop).mockReturnValue(true);
    vi.mocked(api.pickFolder).mockResolvedValue('/home/me/Pictures');
    vi.mocked(api.openLibrary).mockResolvedValue(info);
    const { library } = setup();
    await fireEvent.click(screen.getByRole('button', { name: /open library/i }));
    await vi.waitFor(() => expect(api.openLibrary).toHaveBeenCalledWith('/home/me/Pictures', true));
    expect(library.info).toEqual(info);
    vi.mocked(api.isDesktop).mockReturnValue(false);
  });

  it('opens or creates from a typed path, and opens recent libraries', async () => {
    vi.mocked(api.openLibrary).mockResolvedValue(info);
    const { library } = setup();
    expect(screen.queryByRole('button', { name: /open library/i })).toBeNull();
    await fireEvent.input(screen.getByLabelText('Library folder'), { target: { value: '/srv/photos' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    expect(api.openLibrary).toHaveBeenLastCalledWith('/srv/photos', false);
    await fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(api.openLibrary).toHaveBeenLastCalledWith('/srv/photos', true);

    library.recent = [{ root: '/old/lib', name: 'Old', opened_at: '2025-01-01T00:00:00Z' }];
    await fireEvent.click(await screen.findByRole('button', { name: /Old/ }));
    expect(api.openLibrary).toHaveBeenLastCalledWith('/old/lib', false);
  });

  it('reports a failed open as a readable toast', async () => {
    vi.mocked(api.openLibrary).mockRejectedValue(new api.ApiError('no library at /x', 'not_found'));
    const { toasts } = setup();
    await fireEvent.input(screen.getByLabelText('Library folder'), { target: { value: '/x' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    await vi.waitFor(() => expect(toasts.list[0]?.message).toBe('Could not open the library: no library at /x'));
    expect(toasts.list[0].details).toContain('not_found');
  });
});

describe('StartScreen drops', () => {
  it('opens a folder dropped on the desktop window and stops listening on unmount', async () => {
    const stop = vi.fn();
    let handler: api.FileDropHandler | undefined;
    vi.mocked(api.onFileDrop).mockImplementation((h) => {
      handler = h;
      return stop;
    });
    vi.mocked(api.openLibrary).mockResolvedValue(info);
    const { unmount } = render(StartScreen, { library: new LibraryState(), toasts: new ToastState() });
    handler?.(['/photos/2024'], 0, 0);
    await vi.waitFor(() => expect(api.openLibrary).toHaveBeenCalledWith('/photos/2024', true));
    unmount();
    expect(stop).toHaveBeenCalledOnce();
  });
});
