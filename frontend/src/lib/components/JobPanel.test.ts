import { describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';
import { tick } from 'svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import type { Job } from '../api';
import JobPanel from './JobPanel.svelte';
import { JobsState } from '../state/jobs.svelte';
import { ToastState } from '../state/toasts.svelte';

describe('JobPanel', () => {
  it('shows progress from job events and cancels through the api', async () => {
    const handlers: Record<string, (p: unknown) => void> = {};
    vi.mocked(api.on).mockImplementation(((name: string, cb: (p: unknown) => void) => {
      handlers[name] = cb;
      return () => {};
    }) as typeof api.on);
    const jobs = new JobsState();
    const stop = jobs.attach();
    render(JobPanel, { jobs, toasts: new ToastState() });
    expect(screen.queryByTestId('job')).toBeNull();

    const j: Job = { id: 'e1', kind: 'embed', title: 'Indexing pictures', phase: 'Embedding', done: 250, total: 1000, rate: 42.4, unit: 'pictures', eta: 125, current: 'a/b.jpg', state: 'running' };
    handlers['job:progress'](j);
    await tick();
    expect(screen.getByText('Indexing pictures')).toBeTruthy();
    const bar = screen.getByRole('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe('250');
    expect((bar.firstElementChild as HTMLElement).style.width).toBe('25%');
    expect(screen.getByTestId('job').textContent).toContain('42 pictures/s');
    expect(screen.getByTestId('job').textContent).toContain('2m 5s left');

    await fireEvent.click(screen.getByRole('button', { name: 'Cancel Indexing pictures' }));
    expect(api.cancelJob).toHaveBeenCalledWith('e1');

    handlers['job:done']({ ...j, state: 'cancelled', done: 300 });
    await tick();
    expect(screen.getByTestId('job').textContent).toContain('Cancelled');
    expect(screen.queryByRole('button', { name: /Cancel/ })).toBeNull();
    stop();
  });
});
