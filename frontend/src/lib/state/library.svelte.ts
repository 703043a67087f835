import * as api from '../api';
import type { LibraryInfo, RecentLibrary } from '../api';

export class LibraryState {
  info = $state<LibraryInfo | null>(null);
  recent = $state<RecentLibrary[]>([]);
  /** false until the first libraryInfo() answer, so the start screen doesn't flash */
  ready = $state(false);
  opening = $state(false);

  async init(): Promise<void> {
    try {
      this.info = await api.libraryInfo();
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
