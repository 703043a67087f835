import * as api from '../api';
import type { CatalogModel, Settings } from '../api';

export type GridSize = 'S' | 'M' | 'L';
const GRID_KEY = 'tagsight.gridSize';
/** Cell width in CSS pixels for each grid size. */
export const GRID_PX: Record<GridSize, number> = { S: 112, M: 168, L: 248 };

function loadGridSize(): GridSize {
  try {
    const v = localStorage.getItem(GRID_KEY);
    return v === 'S' || v === 'L' ? v : 'M';
  } catch {
    return 'M';
  }
}

export class SettingsState {
  value = $state<Settings | null>(null);
  models = $state<CatalogModel[]>([]);
  gridSize = $state<GridSize>(loadGridSize());

  async load(): Promise<void> {
    this.value = await api.settings();
    this.applyTheme();
  }

  async loadModels(): Promise<void> {
    this.models = (await api.models()) ?? [];
  }

  async save(patch: Partial<Settings>): Promise<void> {
    if (!this.value) return;
    this.value = await api.saveSettings({ ...this.value, ...patch });
    this.applyTheme();
  }

  setGridSize(s: GridSize): void {
    this.gridSize = s;
    try {
      localStorage.setItem(GRID_KEY, s);
    } catch {
      /* not persisted */
    }
  }

  /** Themes are CSS variable sets keyed by data-theme on <html>; "system" follows the OS. */
  applyTheme(theme = this.value?.theme ?? 'system'): void {
    if (typeof document === 'undefined') return;
    document.documentElement.dataset.theme = theme;
  }
}
