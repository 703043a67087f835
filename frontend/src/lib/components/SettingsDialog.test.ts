import { describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent, within } from '@testing-library/svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import { makeInfo, makeModel } from '../../test/api.mock';
import SettingsDialog from './SettingsDialog.svelte';
import { SettingsState } from '../state/settings.svelte';
import { ToastState } from '../state/toasts.svelte';

describe('SettingsDialog', () => {
  it('lists models, downloads one, shows the provider in use and applies the theme', async () => {
    vi.mocked(api.models).mockResolvedValue([
      makeModel('ViT-B-32', { title: 'CLIP ViT-B/32', description: 'fast', default: true }),
      makeModel('ViT-L-14', { title: 'CLIP ViT-L/14', description: 'better', installed: true, in_use: true }),
    ]);
    const job = { id: 'd', kind: 'download', title: 'Downloading ViT-B-32', phase: '', done: 0, total: 0, rate: 0, unit: 'B', eta: 0, current: '', state: 'running' } as const;
    vi.mocked(api.pullModel).mockResolvedValue(job);
    const settings = new SettingsState();
    await settings.load();
    const onjob = vi.fn();
    render(SettingsDialog, {
      settings,
      info: makeInfo({ provider: { requested: 'auto', using: 'cpu', reason: 'no GPU found' } }),
      toasts: new ToastState(),
      onclose: vi.fn(),
      onjob,
    });
    expect(screen.getByTestId('provider-using').textContent).toBe('Using CPU — no GPU found');
    expect(await screen.findByText('In use')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Download' }));
    expect(api.pullModel).toHaveBeenCalledWith('ViT-B-32');
    await vi.waitFor(() => expect(onjob).toHaveBeenCalledWith(job));

    const theme = screen.getByLabelText('Theme') as HTMLSelectElement;
    theme.value = 'light';
    await fireEvent.change(theme);
    await vi.waitFor(() => expect(api.saveSettings).toHaveBeenCalledWith(expect.objectContaining({ theme: 'light' })));
    expect(document.documentElement.dataset.theme).toBe('light');

    await fireEvent.click(screen.getByRole('button', { name: 'L' }));
    expect(settings.gridSize).toBe('L');
    expect(localStorage.getItem('tagsight.gridSize')).toBe('L');
  });

  it('keeps the face models out of the search models, and saves the faces settings', async () => {
    vi.mocked(api.models).mockResolvedValue([
      makeModel('ViT-B-32', { title: 'CLIP ViT-B/32', installed: true, in_use: true }),
      makeModel('faces', { kind: 'faces', title: 'Faces: YuNet + SFace', description: 'YuNet MIT, SFace Apache-2.0.', size_mb: 38.93 }),
    ]);
    const settings = new SettingsState();
    await settings.load();
    render(SettingsDialog, { settings, info: makeInfo({ faces: { on: true, off: false, missing: false, error: '', faces: 3, people: 1 } }), toasts: new ToastState(), onclose: vi.fn() });
    const faces = screen.getByTestId('faces-settings');
    await within(faces).findByText('Faces: YuNet + SFace');
    expect(within(faces).getByText(/YuNet MIT, SFace Apache-2.0. 39 MB/)).toBeTruthy();
    // Not a search model to pick.
    expect(screen.getAllByRole('radio')).toHaveLength(1);

    const match = (await within(faces).findByLabelText('Same person from similarity')) as HTMLInputElement;
    expect(match.value).toBe('0.363');
    match.value = '0.4';
    await fireEvent.change(match);
    await vi.waitFor(() => expect(api.saveFaceSettings).toHaveBeenLastCalledWith(expect.objectContaining({ match: 0.4, min_faces: 3 }), true));

    await fireEvent.click(within(faces).getByRole('checkbox'));
    await vi.waitFor(() => expect(api.saveFaceSettings).toHaveBeenLastCalledWith(expect.objectContaining({ match: 0.4 }), false));
  });

  it('keeps the OCR models out of the search models, and turns OCR off and on for the library', async () => {
    vi.mocked(api.models).mockResolvedValue([
      makeModel('ViT-B-32', { title: 'CLIP ViT-B/32', installed: true, in_use: true }),
      makeModel('ocr', { kind: 'ocr', title: 'Text in pictures: PP-OCRv4', installed: true, in_use: true }),
    ]);
    vi.mocked(api.settings).mockResolvedValue({ model: 'ViT-B-32', provider: 'auto', thumb_size: 256, theme: 'system', ocr: true });
    vi.mocked(api.saveSettings).mockImplementation(async (s) => s);
    const settings = new SettingsState();
    await settings.load();
    render(SettingsDialog, { settings, info: makeInfo({ ocr: { on: true, off: false, missing: false, error: '' } }), toasts: new ToastState(), onclose: vi.fn() });
    const ocr = screen.getByTestId('ocr-settings');
    await within(ocr).findByText('Text in pictures: PP-OCRv4');
    expect(screen.getAllByRole('radio')).toHaveLength(1);
    const box = within(ocr).getByRole('checkbox') as HTMLInputElement;
    expect(box.checked).toBe(true);
    await fireEvent.click(box);
    await vi.waitFor(() => expect(api.saveSettings).toHaveBeenLastCalledWith(expect.objectContaining({ ocr: false, model: 'ViT-B-32' })));
    await vi.waitFor(() => expect(box.checked).toBe(false));
    await fireEvent.click(box);
    await vi.waitFor(() => expect(api.saveSettings).toHaveBeenLastCalledWith(expect.objectContaining({ ocr: true })));
  });

  // Issue 20: the number fields read "0.6000(" — a float's long tail cut
  // by a narrow field. Each value shows whole, as written.
  it('shows each faces setting whole, not a float with its tail cut', async () => {
    vi.mocked(api.faceSettings).mockResolvedValue({
      detect_size: 640, min_score: 0.6000000000000001, min_size: 20, match: 0.36300000000000004, min_faces: 3, suggest: 0.30000000000000004,
    });
    const settings = new SettingsState();
    await settings.load();
    render(SettingsDialog, { settings, info: makeInfo({ faces: { on: true, off: false, missing: false, error: '', faces: 3, people: 1 } }), toasts: new ToastState(), onclose: vi.fn() });
    const faces = screen.getByTestId('faces-settings');
    const shown = async (label: string) => ((await within(faces).findByLabelText(label)) as HTMLInputElement).value;
    expect(await shown('Detection confidence')).toBe('0.6');
    expect(await shown('Same person from similarity')).toBe('0.363');
    expect(await shown('Suggest a name from similarity')).toBe('0.3');
    expect(await shown('Look for faces at (px, long side)')).toBe('640');
    // A spinner's step (0.6 + 0.05) is saved as the number it shows.
    const score = (await within(faces).findByLabelText('Detection confidence')) as HTMLInputElement;
    score.value = String(0.6 + 0.05);
    await fireEvent.change(score);
    await vi.waitFor(() => expect(api.saveFaceSettings).toHaveBeenLastCalledWith(expect.objectContaining({ min_score: 0.65 }), true));
  });
});
