import { describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent, within } from '@testing-library/svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import { makeItem } from '../../test/api.mock';
import Duplicates from './Duplicates.svelte';
import { ToastState } from '../state/toasts.svelte';

describe('Duplicates', () => {
  it('marks the suggested keeper and trashes the others after confirmation', async () => {
    vi.mocked(api.duplicates).mockResolvedValue([
      { kind: 'exact', items: [makeItem(1), makeItem(2)], keeper: 1, similarity: 1 },
      { kind: 'near', items: [makeItem(3), makeItem(4), makeItem(5)], keeper: 4, similarity: 0.97 },
    ]);
    vi.mocked(api.trash).mockResolvedValue(3);
    const ontrashed = vi.fn();
    render(Duplicates, { toasts: new ToastState(), onback: vi.fn(), ontrashed });

    const groups = await screen.findAllByTestId('dup-group');
    expect(groups[0].textContent).toContain('Exact copies');
    expect(groups[1].textContent).toContain('97% similar');
    expect(within(groups[1]).getByText('suggested keeper').closest('label')?.textContent).toContain('img_4.jpg');

    await fireEvent.click(screen.getByRole('button', { name: 'Select all but keepers' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Move 3 to trash' }));
    await fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Move to trash' }));
    await vi.waitFor(() => expect(api.trash).toHaveBeenCalledWith([2, 3, 5]));
    expect(ontrashed).toHaveBeenCalledWith([2, 3, 5]);
  });
});
