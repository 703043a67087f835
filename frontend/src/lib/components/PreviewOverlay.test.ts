import { describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, fireEvent } from '@testing-library/svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import type { EntryDetail, Item } from '../api';
import { makeDetail, makeItem } from '../../test/api.mock';
import PreviewOverlay from './PreviewOverlay.svelte';

function detail(item: Item, extra: Partial<EntryDetail> = {}): EntryDetail {
  return makeDetail(item, { preview_url: `/preview/${item.id}?v=k`, ...extra });
}

async function open(item: Item, extra: Partial<EntryDetail> = {}, props: { page?: number; query?: string } = {}) {
  vi.mocked(api.entry).mockResolvedValue(detail(item, extra));
  vi.mocked(api.playableUrl).mockImplementation(async (u: string) => `http://127.0.0.1:9/s${u}`);
  const onclose = vi.fn();
  const onstep = vi.fn();
  render(PreviewOverlay, { item, onclose, onstep, ...props });
  const dialog = screen.getByRole('dialog');
  return { onclose, onstep, dialog };
}

/** A media element whose play/pause/time the test can see (happy-dom plays nothing). */
function fakeMedia(el: HTMLMediaElement, duration: number) {
  let paused = true;
  let t = 0;
  Object.defineProperty(el, 'paused', { get: () => paused });
  Object.defineProperty(el, 'duration', { get: () => duration });
  Object.defineProperty(el, 'currentTime', { get: () => t, set: (v: number) => (t = v) });
  el.play = vi.fn(async () => {
    paused = false;
  });
  el.pause = vi.fn(() => {
    paused = true;
  });
  return { time: () => t, setTime: (v: number) => (t = v) };
}

describe('PreviewOverlay, every kind', () => {
  it('plays a video: Space plays and pauses, Shift+arrows seek 5 s, plain arrows still step files', async () => {
    const item = makeItem(7, { name: 'clip.mp4', path: 'clip.mp4', media_type: 'video', format: 'mp4' });
    const { onclose, onstep, dialog } = await open(item);
    const v = (await screen.findByTestId('preview-player')) as HTMLVideoElement;
    expect(v.tagName).toBe('VIDEO');
    expect(v.getAttribute('src')).toBe('http://127.0.0.1:9/s/file/7');
    expect(v.hasAttribute('controls')).toBe(true);
    expect(v.getAttribute('poster')).toBe('/preview/7?v=k');
    const m = fakeMedia(v, 12);

    await fireEvent.keyDown(dialog, { key: ' ' });
    expect(v.play).toHaveBeenCalledTimes(1);
    expect(v.paused).toBe(false);
    await fireEvent.keyDown(dialog, { key: ' ' });
    expect(v.pause).toHaveBeenCalledTimes(1);
    expect(onclose).not.toHaveBeenCalled();

    m.setTime(3);
    await fireEvent.keyDown(dialog, { key: 'ArrowRight', shiftKey: true });
    expect(m.time()).toBe(8);
    await fireEvent.keyDown(dialog, { key: 'ArrowRight', shiftKey: true });
    expect(m.time()).toBe(12); // not past the end
    await fireEvent.keyDown(dialog, { key: 'ArrowLeft', shiftKey: true });
    await fireEvent.keyDown(dialog, { key: 'ArrowLeft', shiftKey: true });
    await fireEvent.keyDown(dialog, { key: 'ArrowLeft', shiftKey: true });
    expect(m.time()).toBe(0); // not before the start
    expect(onstep).not.toHaveBeenCalled();

    await fireEvent.keyDown(dialog, { key: 'ArrowRight' });
    expect(onstep).toHaveBeenCalledWith(1);
    expect(m.time()).toBe(0);
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onclose).toHaveBeenCalledTimes(1);
  });

  it("leaves keys pressed on the player's own controls to them", async () => {
    const item = makeItem(7, { name: 'clip.mp4', media_type: 'video', format: 'mp4' });
    const { onclose, onstep } = await open(item);
    const v = (await screen.findByTestId('preview-player')) as HTMLVideoElement;
    fakeMedia(v, 12);
    await fireEvent.keyDown(v, { key: ' ' });
    await fireEvent.keyDown(v, { key: 'ArrowRight' });
    expect(v.play).not.toHaveBeenCalled();
    expect(onclose).not.toHaveBeenCalled();
    expect(onstep).not.toHaveBeenCalled();
  });

  it('plays a song under its cover', async () => {
    const item = makeItem(8, { name: 'song.mp3', media_type: 'audio', format: 'mp3' });
    await open(item);
    const a = (await screen.findByTestId('preview-player')) as HTMLAudioElement;
    expect(a.tagName).toBe('AUDIO');
    expect(a.getAttribute('src')).toBe('http://127.0.0.1:9/s/file/8');
    expect(screen.getByRole('img', { name: 'Cover of song.mp3' }).getAttribute('src')).toBe('/preview/8?v=k');
  });

  it('draws an SVG from the file itself in an <img>, never inline', async () => {
    const item = makeItem(9, { name: 'logo.svg', media_type: 'image', format: 'svg' });
    const { dialog } = await open(item);
    const img = await screen.findByTestId('preview-svg');
    expect(img.tagName).toBe('IMG');
    expect(img.getAttribute('src')).toBe('/file/9');
    expect(dialog.querySelector('svg')).toBeNull();
    expect(dialog.querySelector('iframe, object, embed')).toBeNull();
  });

  it('pages through a PDF with PageDown/PageUp and the buttons', async () => {
    const item = makeItem(10, { name: 'report.pdf', media_type: 'document', format: 'pdf' });
    const { dialog, onstep } = await open(item, { facts: { pages: 3 } });
    const img = await screen.findByTestId('preview-page');
    expect(img.getAttribute('src')).toBe('/preview/10?v=k');
    expect(screen.getByTestId('page-of').textContent).toBe('Page 1 of 3');
    expect((screen.getByRole('button', { name: 'Previous page' }) as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.keyDown(dialog, { key: 'PageDown' });
    expect(img.getAttribute('src')).toBe('/preview/10?v=k&page=2');
    await fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(img.getAttribute('src')).toBe('/preview/10?v=k&page=3');
    expect(screen.getByTestId('page-of').textContent).toBe('Page 3 of 3');
    expect((screen.getByRole('button', { name: 'Next page' }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.keyDown(dialog, { key: 'PageDown' });
    expect(screen.getByTestId('page-of').textContent).toBe('Page 3 of 3');
    await fireEvent.keyDown(dialog, { key: 'Home' });
    expect(img.getAttribute('src')).toBe('/preview/10?v=k');
    await fireEvent.keyDown(dialog, { key: 'ArrowLeft' });
    expect(onstep).toHaveBeenCalledWith(-1);
  });

  it("opens a PDF at its text hit's page (the grid's double-click or Enter), or at the page asked for", async () => {
    const text = { snippet: 'x', source: 'pdf', page: 4, line: 0, at_ms: 0 };
    const item = makeItem(12, { name: 'report.pdf', media_type: 'document', format: 'pdf', text });
    await open(item, { facts: { pages: 5 } });
    await vi.waitFor(() => expect(screen.getByTestId('page-of').textContent).toBe('Page 4 of 5'));
    expect(screen.getByTestId('preview-page').getAttribute('src')).toBe('/preview/12?v=k&page=4');
    cleanup();

    // An inspector's hit names its own page; a page past the end is the last.
    await open(item, { facts: { pages: 5 } }, { page: 2 });
    await vi.waitFor(() => expect(screen.getByTestId('page-of').textContent).toBe('Page 2 of 5'));
    cleanup();
    await open(makeItem(13, { name: 'short.pdf', media_type: 'document', format: 'pdf', text }), { facts: { pages: 2 } });
    await vi.waitFor(() => expect(screen.getByTestId('page-of').textContent).toBe('Page 2 of 2'));
  });

  it("asks where a picture's words were read, for the search it came from", async () => {
    vi.mocked(api.textMatches).mockClear();
    await open(makeItem(14, { name: 'shot.png', media_type: 'image', format: 'png' }), {}, { query: ' text:invoice ' });
    await vi.waitFor(() => expect(api.textMatches).toHaveBeenCalledWith(14, 'text:invoice'));
  });

  it('shows any other kind (a text) by its large preview picture', async () => {
    await open(makeItem(11, { name: 'notes.txt', media_type: 'document', format: 'text' }));
    const img = await screen.findByRole('img', { name: 'notes.txt' });
    expect(img.getAttribute('src')).toBe('/preview/11?v=k');
  });
});
