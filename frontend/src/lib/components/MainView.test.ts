import { describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent, within } from '@testing-library/svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import type { Job } from '../api';
import { makeInfo, makeItem, makeModel, pagedSearch } from '../../test/api.mock';
import MainView from './MainView.svelte';
import { AppState } from '../state/app.svelte';
// The real catalog the Go side embeds (models/catalog.go), not a copy.
import catalog from '../../../../models/catalog.json';

function captureEvents() {
  const handlers: Record<string, (p: unknown) => void> = {};
  vi.mocked(api.on).mockImplementation(((name: string, cb: (p: unknown) => void) => {
    handlers[name] = cb;
    return () => {};
  }) as typeof api.on);
  return handlers;
}

async function setup(role: 'full' | 'read' = 'full') {
  vi.mocked(api.search).mockImplementation(pagedSearch(30));
  const app = new AppState(0);
  app.library.access = { role, web: true, upload_limit: 1 };
  app.library.info = makeInfo({ name: 'Pictures', entries: 30, model: { name: 'ViT-B-32', dir: '', dim: 512, vectors: 30, pending: 0 } });
  app.library.ready = true;
  render(MainView, { app });
  await vi.waitFor(() => expect(screen.getAllByTestId('grid-item').length).toBeGreaterThan(0));
  return app;
}

describe('MainView', () => {
  it('offers no edits to a read-only client: no trash, no tag input, no suggestions, a badge', async () => {
    vi.mocked(api.entry).mockResolvedValue({ ...makeItem(1), tags: [{ id: 5, name: 'Sea', color: '', aliases: [], parents: [], count: 1 }], fields: [{ name: 'note', kind: 'text', value: 'hi' }] } as never);
    vi.mocked(api.suggestions).mockResolvedValue([{ tag: { id: 6, name: 'Beach' }, score: 1, reason: 'r', sources: [], examples: [] }] as never);
    await setup('read');
    expect(screen.getByTestId('read-only').textContent).toContain('Read-only');
    const items = screen.getAllByTestId('grid-item');
    await fireEvent.click(items[0]);
    await fireEvent.keyDown(screen.getByTestId('grid'), { key: 'Delete' });
    expect(screen.queryByRole('dialog')).toBeNull();
    await vi.waitFor(() => expect(screen.getAllByTestId('tag-chip').length).toBe(1));
    expect(screen.queryByTestId('suggestion')).toBeNull();
    // What stays in the page is marked for the stylesheet to hide.
    const chip = screen.getAllByTestId('tag-chip')[0];
    expect(chip.querySelector('button.x')?.hasAttribute('data-write')).toBe(true);
    expect(screen.getByRole('button', { name: 'Manage…' }).hasAttribute('data-write')).toBe(true);
    expect((screen.getByDisplayValue('hi') as HTMLInputElement).readOnly).toBe(true);
    expect(api.trash).not.toHaveBeenCalled();
  });

  it('asks before moving the selection to the trash with Delete', async () => {
    vi.mocked(api.trash).mockResolvedValue(2);
    const app = await setup();
    const items = screen.getAllByTestId('grid-item');
    await fireEvent.click(items[0]);
    await fireEvent.click(items[1], { ctrlKey: true });
    await fireEvent.keyDown(screen.getByTestId('grid'), { key: 'Delete' });
    const dlg = screen.getByRole('dialog');
    expect(dlg.textContent).toContain('Move 2 items to the trash?');
    expect(api.trash).not.toHaveBeenCalled();
    await fireEvent.click(within(dlg).getByRole('button', { name: 'Move to trash' }));
    await vi.waitFor(() => expect(api.trash).toHaveBeenCalledWith([1, 2]));
    expect(app.selection.count).toBe(0);
  });

  it('opens a large preview with Space and closes it with Esc', async () => {
    vi.mocked(api.entry).mockResolvedValue({ ...makeItem(1), preview_url: '/preview/1' } as never);
    await setup();
    await fireEvent.click(screen.getAllByTestId('grid-item')[0]);
    await fireEvent.keyDown(screen.getByTestId('grid'), { key: ' ' });
    const overlay = await screen.findByRole('dialog', { name: /Preview of img_1.jpg/ });
    await vi.waitFor(() => expect(overlay.querySelector('img')?.getAttribute('src')).toBe('/preview/1'));
    await fireEvent.keyDown(overlay, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('focuses the search bar with Ctrl+F', async () => {
    await setup();
    await fireEvent.keyDown(window, { key: 'f', ctrlKey: true });
    expect(document.activeElement).toBe(screen.getByRole('combobox', { name: 'Search' }));
  });

  it('updates the grid in place when the library changes: one search for a burst, selection and scroll kept', async () => {
    const handlers = captureEvents();
    const app = await setup();
    await vi.waitFor(() => expect(screen.getAllByTestId('grid-item').length).toBeGreaterThan(3));
    await fireEvent.click(screen.getAllByTestId('grid-item')[2]);
    expect(app.selection.list).toEqual([3]);
    const gen = app.search.generation;
    const before = vi.mocked(api.search).mock.calls.length;
    vi.mocked(api.search).mockImplementation(pagedSearch(31));
    const info = { ...app.library.info!, entries: 31 };
    for (let i = 0; i < 4; i++) handlers['library:changed'](info);
    await vi.waitFor(() => expect(app.search.total).toBe(31));
    await new Promise((r) => setTimeout(r, 300)); // any late refresh would have run
    expect(vi.mocked(api.search).mock.calls.length - before).toBe(1);
    expect(app.search.generation).toBe(gen);
    expect(app.selection.list).toEqual([3]);
    expect(app.library.info?.entries).toBe(31);
  });

  it('imports files dropped on the desktop window and refreshes the grid when the library says it changed', async () => {
    const handlers = captureEvents();
    let drop: api.FileDropHandler | undefined;
    vi.mocked(api.onFileDrop).mockImplementation((h) => {
      drop = h;
      return () => {};
    });
    const job: Job = { id: 'imp', kind: 'import', title: 'Importing 1 file', phase: 'copy', done: 0, total: 1, rate: 0, unit: 'files', eta: 0, current: '', state: 'running' };
    vi.mocked(api.planImport).mockResolvedValue({ files: 1, bytes: 100, conflicts: [] });
    vi.mocked(api.importFiles).mockResolvedValue(job);
    await setup();

    drop?.(['/home/me/new.jpg'], -1, -1);
    await fireEvent.click(await screen.findByRole('button', { name: 'Import' }));
    await vi.waitFor(() => expect(api.importFiles).toHaveBeenCalledWith(['/home/me/new.jpg'], '', 'skip'));
    expect(await screen.findByText('Importing 1 file')).toBeTruthy();

    const before = vi.mocked(api.search).mock.calls.length;
    handlers['job:done']({ ...job, state: 'done', done: 1 });
    handlers['library:changed'](null);
    await vi.waitFor(() => expect(vi.mocked(api.search).mock.calls.length).toBeGreaterThan(before));
  });

  it('shows "Similar to NAME" with a way back after More like this', async () => {
    vi.mocked(api.entry).mockResolvedValue({ ...makeItem(1), tags: [], fields: [], preview_url: null } as never);
    vi.mocked(api.similar).mockResolvedValue({ items: [makeItem(7), makeItem(8)], total: 2, cutoff: null, semantic: true, error: null, took_ms: 4 });
    await setup();
    await fireEvent.click(screen.getAllByTestId('grid-item')[0]);
    await fireEvent.click(await screen.findByRole('button', { name: 'More like this' }));
    expect((await screen.findByTestId('special-header')).textContent).toBe('Similar to img_1.jpg');
    expect(api.similar).toHaveBeenCalledWith(1, expect.any(Number));
    await vi.waitFor(() => expect(screen.getAllByTestId('grid-item')).toHaveLength(2));
    await fireEvent.click(screen.getByRole('button', { name: '← Back' }));
    await vi.waitFor(() => expect(screen.queryByTestId('special-header')).toBeNull());
  });

  it('runs a tag query from the sidebar', async () => {
    vi.mocked(api.tags).mockResolvedValue([{ id: 1, name: 'Beach', shorthand: '', color: 'teal', is_category: false, is_hidden: false, aliases: [], parents: [], count: 12 }]);
    await setup();
    await fireEvent.click(await screen.findByRole('button', { name: /Beach/ }));
    expect(api.search).toHaveBeenLastCalledWith(expect.objectContaining({ query: 'tag:"Beach"' }));
  });

  it('focuses the inspector tag field with Ctrl+T', async () => {
    vi.mocked(api.entry).mockResolvedValue({ ...makeItem(1), tags: [], fields: [], preview_url: null } as never);
    await setup();
    await fireEvent.click(screen.getAllByTestId('grid-item')[0]);
    await screen.findByRole('button', { name: 'More like this' });
    await fireEvent.keyDown(window, { key: 't', metaKey: true });
    expect(document.activeElement).toBe(screen.getByRole('combobox', { name: 'Add tag' }));
  });

  it('uploads files dropped in a browser after asking the conflict policy', async () => {
    const job: Job = { id: 'up', kind: 'import', title: 'Uploading 1 file', phase: '', done: 0, total: 1, rate: 0, unit: 'files', eta: 0, current: '', state: 'running' };
    vi.mocked(api.uploadFiles).mockResolvedValue(job);
    await setup();
    const f = new File(['x'], 'new.jpg', { type: 'image/jpeg' });
    await fireEvent.drop(screen.getByTestId('drop-zone'), { dataTransfer: { files: [f], types: ['Files'] } });
    const dlg = await screen.findByRole('dialog');
    expect(within(dlg).getByLabelText(/Keep both/)).toBeTruthy();
    await fireEvent.click(within(dlg).getByRole('button', { name: 'Import' }));
    await vi.waitFor(() => expect(api.uploadFiles).toHaveBeenCalledWith([f], '', 'keep-both'));
    expect(await screen.findByText('Uploading 1 file')).toBeTruthy();
  });

  it('offers the model download in a banner when there is no model, without blocking tags', async () => {
    // The catalog the Go side embeds, listed the way API.Models() lists it
    // (backend/api/catalog_test.go checks that side): the banner must send
    // the name of the model the catalog marks default.
    vi.mocked(api.models).mockResolvedValue(
      catalog.models.map((m) => (makeModel(m.name, { title: m.title, description: m.description, default: m.name === catalog.default }))),
    );
    const job: Job = { id: 'dl', kind: 'download', title: `Downloading ${catalog.default}`, phase: '', done: 10, total: 100, rate: 1e6, unit: 'B', eta: 90, current: '', state: 'running' };
    vi.mocked(api.pullModel).mockResolvedValue(job);
    vi.mocked(api.search).mockImplementation(pagedSearch(3));
    const app = new AppState(0);
    app.library.info = makeInfo({ name: 'P', entries: 3, model_error: 'no model installed' });
    render(MainView, { app });
    await fireEvent.click(await screen.findByRole('button', { name: `Download ${catalog.default}` }));
    await vi.waitFor(() => expect(api.pullModel).toHaveBeenCalledWith(catalog.default));
    expect(catalog.models.map((m) => m.name)).toContain(catalog.default);
    expect(await screen.findByText(`Downloading ${catalog.default}`)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Manage…' })).toBeTruthy();
  });

  it('says so rather than guessing a name when the model list cannot be had', async () => {
    vi.mocked(api.models).mockRejectedValue(new Error('offline'));
    vi.mocked(api.search).mockImplementation(pagedSearch(3));
    const app = new AppState(0);
    app.library.info = makeInfo({ name: 'P', entries: 3, model_error: 'no model installed' });
    render(MainView, { app });
    await fireEvent.click(screen.getByRole('button', { name: /Download/ }));
    await vi.waitFor(() => expect(app.toasts.list.length).toBeGreaterThan(0));
    expect(api.pullModel).not.toHaveBeenCalled();
  });

  it('offers to bring in the tags of a TagStudio library, and reports what came', async () => {
    const handlers = captureEvents();
    const app = await setup();
    app.library.info = { ...app.library.info!, tagstudio: true };
    const job: Job = { id: 'ts', kind: 'tagstudio', title: "Bringing in TagStudio's tags", phase: '', done: 0, total: 0, rate: 0, unit: '', eta: 0, current: '', state: 'running' };
    vi.mocked(api.importTagStudio).mockResolvedValue(job);
    await fireEvent.click(await screen.findByRole('button', { name: "Bring in TagStudio's tags" }));
    expect(api.importTagStudio).toHaveBeenCalled();
    handlers['job:done']({ ...job, state: 'done', result: { tags_added: ['Red', 'Circle'], tags_changed: [], links_added: 58, missing: ['gone.png'], unmatched: [], not_mapped: [] } });
    await vi.waitFor(() => expect(app.toasts.list.some((t) => t.message.includes('2 new tags') && t.message.includes('58 times') && t.message.includes('1 TagStudio entries have no file here: they are kept as missing'))).toBe(true));
  });

  it('stops offering TagStudio tags after Not now', async () => {
    const app = await setup();
    app.library.info = { ...app.library.info!, tagstudio: true };
    await fireEvent.click(await screen.findByRole('button', { name: 'Not now' }));
    expect(api.dismissTagStudio).toHaveBeenCalled();
    await vi.waitFor(() => expect(screen.queryByTestId('tagstudio-banner')).toBeNull());
  });

  it('writes the tags of the selection to XMP sidecars after asking, and says what it did', async () => {
    const handlers = captureEvents();
    const app = await setup();
    await vi.waitFor(() => expect(screen.getAllByTestId('grid-item').length).toBeGreaterThan(2));
    await fireEvent.click(screen.getAllByTestId('grid-item')[1]);
    const job: Job = { id: 'x', kind: 'xmp', title: 'Writing', phase: '', done: 0, total: 1, rate: 0, unit: 'files', eta: 0, current: '', state: 'running' };
    vi.mocked(api.writeXMP).mockResolvedValue(job);
    await fireEvent.click(screen.getByRole('button', { name: 'Tags → XMP' }));
    const dlg = await screen.findByRole('dialog');
    await fireEvent.click(within(dlg).getByRole('button', { name: 'Write sidecars' }));
    await vi.waitFor(() => expect(api.writeXMP).toHaveBeenCalledWith([app.selection.list[0]]));
    handlers['job:done']({ ...job, state: 'done', result: { written: 1, changed: 1, errors: 0 } });
    await vi.waitFor(() => expect(app.toasts.list.some((t) => t.message.includes('1 XMP sidecars'))).toBe(true));
  });
});
