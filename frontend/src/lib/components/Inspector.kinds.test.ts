import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import type { EntryDetail } from '../api';
import { makeDetail, makeItem } from '../../test/api.mock';
import Inspector from './Inspector.svelte';
import { AppState } from '../state/app.svelte';

function detail(id: number, extra: Partial<EntryDetail>): EntryDetail {
  return makeDetail(makeItem(id), extra);
}

async function show(d: EntryDetail) {
  vi.mocked(api.entry).mockResolvedValue(d);
  vi.mocked(api.playableUrl).mockImplementation(async (u: string) => `http://127.0.0.1:9/secret${u}`);
  const app = new AppState(0);
  app.selection.ids = new Set([d.id]);
  render(Inspector, { inspector: app.inspector, selection: app.selection, search: app.search, tags: app.tags, toasts: app.toasts });
  await vi.waitFor(() => expect(app.inspector.loading).toBe(false));
  await tick();
}

const facts = () => Object.fromEntries([...within(screen.getByTestId('facts')).getAllByRole('term')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]));

describe('Inspector, every kind', () => {
  it('plays a video from its playable URL, with controls, poster and its facts', async () => {
    await show(
      detail(7, {
        name: 'clip.mp4', path: 'clip.mp4', media_type: 'video', format: 'mp4', preview_url: '/preview/7',
        facts: { duration: 83.4, codec: 'h264', audio_codec: 'aac', width: 1920, height: 1080, fps: 29.97, bitrate: 4_500_000, rotation: 90, created: '2024-05-01T10:00:00Z', make: 'Apple', model: 'iPhone 12' },
      }),
    );
    const v = await vi.waitFor(() => screen.getByTestId('player') as HTMLVideoElement);
    expect(v.tagName).toBe('VIDEO');
    expect(v.getAttribute('src')).toBe('http://127.0.0.1:9/secret/file/7');
    expect(v.hasAttribute('controls')).toBe(true);
    expect(v.getAttribute('poster')).toBe('/preview/7');
    expect(api.playableUrl).toHaveBeenCalledWith('/file/7');
    expect(screen.getByRole('heading', { name: 'Video' })).toBeTruthy();
    const f = facts();
    expect(f['Duration']).toBe('1:23');
    expect(f['Codec']).toBe('h264 + aac');
    expect(f['Resolution']).toBe('1920 × 1080');
    expect(f['Frame rate']).toBe('29.97 fps');
    expect(f['Bitrate']).toBe('4.5 Mb/s');
    expect(f['Rotation']).toBe('90°');
    expect(f['Camera']).toBe('Apple iPhone 12');
  });

  it('plays a song under its cover and lists its tags', async () => {
    await show(
      detail(8, {
        name: 'song.mp3', path: 'song.mp3', media_type: 'audio', format: 'mp3', thumb: '/thumb/8',
        facts: { duration: 3723, title: 'Aria', artist: 'J.S. Bach', album: 'Goldberg Variations', year: 1741, track: 1, genre: 'Baroque', sample_rate: 44100, channels: 2, bitrate: 192000 },
      }),
    );
    const a = await vi.waitFor(() => screen.getByTestId('player'));
    expect(a.tagName).toBe('AUDIO');
    expect(a.getAttribute('src')).toBe('http://127.0.0.1:9/secret/file/8');
    expect(a.hasAttribute('controls')).toBe(true);
    const f = facts();
    expect([f['Title'], f['Artist'], f['Album'], f['Year'], f['Track'], f['Genre']]).toEqual(['Aria', 'J.S. Bach', 'Goldberg Variations', '1741', '1', 'Baroque']);
    expect([f['Duration'], f['Sample rate'], f['Channels'], f['Bitrate']]).toEqual(['1:02:03', '44.1 kHz', 'stereo', '192 kb/s']);
  });

  it('lists a PDF\'s pages and author and plays nothing', async () => {
    await show(detail(9, { name: 'r.pdf', path: 'r.pdf', media_type: 'document', format: 'pdf', facts: { pages: 12, title: 'Report', author: 'Ada' } }));
    expect(screen.getByRole('heading', { name: 'Document' })).toBeTruthy();
    expect(facts()).toEqual({ Title: 'Report', Author: 'Ada', Pages: '12' });
    expect(screen.queryByTestId('player')).toBeNull();
    expect(api.playableUrl).not.toHaveBeenCalled();
  });

  it('does not offer to play a video missing on disk', async () => {
    vi.mocked(api.playableUrl).mockClear();
    await show(detail(10, { name: 'gone.mp4', media_type: 'video', missing: true, facts: { duration: 5 } }));
    expect(screen.queryByTestId('player')).toBeNull();
  });

  it("lists an archive's files under its facts", async () => {
    vi.mocked(api.archiveEntries).mockResolvedValue({ members: [{ name: 'a/one.txt', size: 3 }], total: 1, unpacked: 3 });
    await show(detail(11, { name: 'b.zip', path: 'b.zip', media_type: 'archive', format: 'zip', facts: { entries: 1 } }));
    const sec = await screen.findByTestId('archive-list');
    expect(sec.querySelector('li')?.textContent).toBe('a/one.txt3 B');
    expect(api.archiveEntries).toHaveBeenCalledWith(11, 50);
  });

  it('asks to select a file, not a picture, when nothing is selected', () => {
    const app = new AppState(0);
    render(Inspector, { inspector: app.inspector, selection: app.selection, search: app.search, tags: app.tags, toasts: app.toasts });
    expect(screen.getByText('Select a file to see its details and tags.')).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/select a picture/i);
  });
});
