import { describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import type { Job } from '../api';
import ImportDialog from './ImportDialog.svelte';

const job: Job = { id: 'j1', kind: 'import', title: 'Importing', phase: 'copy', done: 0, total: 3, rate: 0, unit: 'files', eta: 0, current: '', state: 'running' };

describe('ImportDialog', () => {
  it('asks the conflict policy once when planImport reports conflicts', async () => {
    vi.mocked(api.planImport).mockResolvedValue({ files: 3, bytes: 9_000_000, conflicts: ['trips/a.jpg', 'trips/b.jpg'] });
    vi.mocked(api.importFiles).mockResolvedValue(job);
    const onstarted = vi.fn();
    const onclose = vi.fn();
    render(ImportDialog, { paths: ['/home/me/a.jpg', '/home/me/b.jpg', '/home/me/c.jpg'], onclose, onstarted });

    await fireEvent.input(screen.getByLabelText('Target folder'), { target: { value: 'trips' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    expect(api.planImport).toHaveBeenCalledWith(['/home/me/a.jpg', '/home/me/b.jpg', '/home/me/c.jpg'], 'trips');
    expect(await screen.findByText(/2 already exist/)).toBeTruthy();
    expect(api.importFiles).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByRole('button', { name: 'Replace' }));
    expect(api.importFiles).toHaveBeenCalledWith(['/home/me/a.jpg', '/home/me/b.jpg', '/home/me/c.jpg'], 'trips', 'replace');
    await vi.waitFor(() => expect(onstarted).toHaveBeenCalledWith(job));
    expect(onclose).toHaveBeenCalled();
  });

  it('imports straight away when nothing conflicts', async () => {
    vi.mocked(api.planImport).mockResolvedValue({ files: 1, bytes: 10, conflicts: [] });
    vi.mocked(api.importFiles).mockResolvedValue(job);
    render(ImportDialog, { paths: ['/x.jpg'], onclose: vi.fn(), onstarted: vi.fn() });
    await fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    await vi.waitFor(() => expect(api.importFiles).toHaveBeenCalledWith(['/x.jpg'], '', 'skip'));
  });

  it('in a browser asks the policy up front and uploads the files', async () => {
    vi.mocked(api.uploadFiles).mockResolvedValue(job);
    const f = new File(['x'], 'a.jpg', { type: 'image/jpeg' });
    render(ImportDialog, { files: [f], onclose: vi.fn(), onstarted: vi.fn() });
    await fireEvent.click(screen.getByLabelText(/Skip/));
    await fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    await vi.waitFor(() => expect(api.uploadFiles).toHaveBeenCalledWith([f], '', 'skip'));
    expect(api.planImport).not.toHaveBeenCalled();
  });
});
