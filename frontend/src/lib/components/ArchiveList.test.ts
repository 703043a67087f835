import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import type { ArchiveListing, EntryDetail } from '../api';
import { makeDetail, makeItem } from '../../test/api.mock';
import ArchiveList, { LIMIT } from './ArchiveList.svelte';

function entry(id: number, name: string, media_type: string, format: string, missing = false): EntryDetail {
  return makeDetail(makeItem(id, { name, path: name, media_type, format, missing }));
}

/** The listing the core would give for n files named file-00.txt…, file i of i KiB. */
function listing(n: number, shown: number): ArchiveListing {
  const members = Array.from({ length: shown }, (_, i) => ({ name: `dir/file-${String(i).padStart(2, '0')}.txt`, size: i * 1024 }));
  return { members, total: n, unpacked: 4_500_000 };
}

describe('ArchiveList', () => {
  it("lists a zip's first files in its order, with sizes, and counts the rest", async () => {
    vi.mocked(api.archiveEntries).mockResolvedValue(listing(120, LIMIT));
    render(ArchiveList, { entry: entry(5, 'bundle.zip', 'archive', 'zip') });
    const sec = await screen.findByTestId('archive-list');
    expect(api.archiveEntries).toHaveBeenCalledWith(5, LIMIT);
    const rows = [...sec.querySelectorAll('li')].map((li) => li.textContent);
    expect(rows).toHaveLength(LIMIT);
    expect(rows[0]).toBe('dir/file-00.txt0 B');
    expect(rows[2]).toBe('dir/file-02.txt2.0 KB');
    expect(screen.getByTestId('archive-more').textContent).toBe('and 70 more');
    expect(sec.querySelector('h3')?.textContent).toContain('120 files, 4.5 MB');
  });

  it('lists e-books and comics too, and says nothing more when all are shown', async () => {
    for (const [id, name, type, format] of [[6, 'book.epub', 'document', 'epub'], [7, 'comic.cbz', 'document', 'cbz']] as const) {
      vi.mocked(api.archiveEntries).mockResolvedValue(listing(3, 3));
      const { unmount } = render(ArchiveList, { entry: entry(id, name, type, format) });
      const sec = await screen.findByTestId('archive-list');
      expect(sec.querySelectorAll('li')).toHaveLength(3);
      expect(screen.queryByTestId('archive-more')).toBeNull();
      expect(api.archiveEntries).toHaveBeenLastCalledWith(id, LIMIT);
      unmount();
    }
  });

  it('asks nothing for a picture, a Word file or a missing archive', async () => {
    vi.mocked(api.archiveEntries).mockClear();
    for (const e of [entry(1, 'a.jpg', 'image', 'jpeg'), entry(2, 'a.docx', 'document', 'docx'), entry(3, 'gone.zip', 'archive', 'zip', true)]) {
      const { unmount } = render(ArchiveList, { entry: e });
      await Promise.resolve();
      expect(screen.queryByTestId('archive-list')).toBeNull();
      unmount();
    }
    expect(api.archiveEntries).not.toHaveBeenCalled();
  });

  it("says why a damaged archive can't be listed", async () => {
    vi.mocked(api.archiveEntries).mockRejectedValue(new Error('cannot list bad.zip: damaged'));
    render(ArchiveList, { entry: entry(8, 'bad.zip', 'archive', 'zip') });
    expect((await screen.findByTestId('archive-list')).textContent).toContain('cannot list bad.zip: damaged');
  });
});
