import { describe, expect, it, vi, beforeEach } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';
import StartScreen from './StartScreen.svelte';

// The api module is the UI's only seam to the Go core; tests replace it wholesale.
vi.mock('../api', () => ({
  version: vi.fn(),
  onFileDrop: vi.fn(),
}));

import * as api from '../api';

describe('StartScreen', () => {
  beforeEach(() => {
    vi.mocked(api.version).mockReset().mockResolvedValue('v9.9.9');
    vi.mocked(api.onFileDrop).mockReset().mockReturnValue(() => {});
  });

  it('invites the user to open a library and shows the version from the api', async () => {
    render(StartScreen);

    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Tagsight');
    expect(screen.getByRole('button', { name: /open library/i })).toBeTruthy();
    expect((await screen.findByText('Version v9.9.9')).dataset.testid).toBe('version');
  });

  it('calls onopen when the button is pressed', async () => {
    const onopen = vi.fn();
    render(StartScreen, { onopen });

    await fireEvent.click(screen.getByRole('button', { name: /open library/i }));

    expect(onopen).toHaveBeenCalledOnce();
  });

  it('lists paths dropped on the drop target and stops listening on unmount', async () => {
    const stop = vi.fn();
    let handler: ((paths: string[]) => void) | undefined;
    vi.mocked(api.onFileDrop).mockImplementation((h) => {
      handler = h;
      return stop;
    });

    const { unmount } = render(StartScreen);
    handler?.(['/photos/2024']);

    expect(await screen.findByText('/photos/2024')).toBeTruthy();
    unmount();
    expect(stop).toHaveBeenCalledOnce();
  });

  it('shows no version when the core is unreachable', async () => {
    vi.mocked(api.version).mockRejectedValue(new Error('offline'));
    render(StartScreen);

    await vi.waitFor(() => expect(api.version).toHaveBeenCalled());
    expect(screen.queryByText(/^Version/)).toBeNull();
  });
});
