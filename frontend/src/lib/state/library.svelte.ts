import * as api from '../api';
import type { Access, LibraryInfo, RecentLibrary } from '../api';

export class LibraryState {
  info = $state<LibraryInfo | null>(null);
  recent = $state<RecentLibrary[]>([]);
  /** false until the first libraryInfo() answer, so the start screen doesn't flash */
  ready = $state(false);
  opening = $state(false);
  /** what this client may do; the UI hides what it may not (the server refuses it anyway) */
  access = $state<Access>({ role: 'full', web: false, upload_limit: 0 });
  readOnly = $derived(this.access.role === 'read');

  async init(): Promise<void> {
    try {
      const [access, info] = await Promise.all([api.access(), api.libraryInfo()]);
      this.access = access;
      this.info = info;
    } finally {
      this.ready = true;
    }
    if (!this.info) this.recent = (await api.recentLibraries()) ?? [];
  }

  async open(root: string, create: boolean): Promise<LibraryInfo> {
    this.opening = true;
    try {
      this.info = await api.openLibrary(root, create);
      return this.info;
    } finally {
      this.opening = false;
    }
  }

  async refresh(): Promise<void> {
    this.info = await api.libraryInfo();
  }
}
