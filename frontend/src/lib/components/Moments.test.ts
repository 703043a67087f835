import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import Moments from './Moments.svelte';

describe('Moments', () => {
  it('lists the moments the core gives for the query and plays from the one clicked', async () => {
    vi.mocked(api.moments).mockResolvedValue([
      { frame_id: 7, at_ms: 8000, score: 0.9, thumb: '/frame/7?v=a' },
      { frame_id: 5, at_ms: 0, score: 0.1, thumb: '/frame/5?v=b' },
    ]);
    const onplay = vi.fn();
    const onsimilar = vi.fn();
    render(Moments, { id: 3, query: 'blue', onplay, onsimilar });
    const buttons = await screen.findAllByTestId('moment');
    expect(api.moments).toHaveBeenCalledWith(3, 'blue', 6);
    expect(buttons.map((b) => b.textContent?.trim())).toEqual(['0:08', '0:00']);
    expect(buttons[0].querySelector('img')?.getAttribute('src')).toBe('/frame/7?v=a');
    await fireEvent.click(buttons[0]);
    expect(onplay).toHaveBeenCalledWith(8);
    await fireEvent.click(screen.getAllByTitle('More like this moment')[1]);
    expect(onsimilar).toHaveBeenCalledWith(expect.objectContaining({ frame_id: 5 }));
  });

  it('shows nothing for a video without moments', async () => {
    vi.mocked(api.moments).mockResolvedValue([]);
    render(Moments, { id: 4, query: '', onplay: vi.fn() });
    await Promise.resolve();
    expect(screen.queryByTestId('moments')).toBeNull();
  });
});
