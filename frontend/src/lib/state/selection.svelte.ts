// Which grid items are selected, by id, plus the anchor (Shift-click origin)
// and focus (keyboard cursor) as indices into the current result list.
import type { Item } from '../api';

export interface ClickMods {
  shift?: boolean;
  toggle?: boolean;
}

export class SelectionState {
  ids = $state.raw<Set<number>>(new Set());
  anchor = $state(-1);
  focus = $state(-1);

  get count(): number {
    return this.ids.size;
  }

  get list(): number[] {
    return [...this.ids];
  }

  has(id: number): boolean {
    return this.ids.has(id);
  }

  click(index: number, items: readonly (Item | undefined)[], mods: ClickMods = {}): void {
    const it = items[index];
    if (!it) return;
    if (mods.shift && this.anchor >= 0) {
      const [a, b] = this.anchor < index ? [this.anchor, index] : [index, this.anchor];
      const next = mods.toggle ? new Set(this.ids) : new Set<number>();
      for (let i = a; i <= b; i++) {
        const x = items[i];
        if (x) next.add(x.id);
      }
      this.ids = next;
      this.focus = index;
      return;
    }
    if (mods.toggle) {
      const next = new Set(this.ids);
      if (next.has(it.id)) next.delete(it.id);
      else next.add(it.id);
      this.ids = next;
    } else {
      this.ids = new Set([it.id]);
    }
    this.anchor = index;
    this.focus = index;
  }

  /** Moves the keyboard focus by delta; with extend (Shift) grows the range from the anchor. */
  move(delta: number, items: readonly (Item | undefined)[], extend = false): void {
    if (items.length === 0) return;
    const from = this.focus < 0 ? (delta > 0 ? -1 : items.length) : this.focus;
    const to = Math.max(0, Math.min(items.length - 1, from + delta));
    if (to === this.focus && this.ids.size > 0) return;
    this.click(to, items, extend ? { shift: true } : {});
  }

  selectAll(items: readonly (Item | undefined)[]): void {
    const next = new Set<number>();
    for (const it of items) if (it) next.add(it.id);
    this.ids = next;
  }

  clear(): void {
    this.ids = new Set();
    this.anchor = -1;
    this.focus = -1;
  }

  /**
   * The result set changed in place (a live update): the anchor and focus
   * follow their items to their new places, and selected items that are
   * gone from the library (not just from a page not loaded) are dropped.
   */
  follow(before: readonly (Item | undefined)[], after: readonly (Item | undefined)[], gone: (id: number) => boolean): void {
    const where = (i: number): number => {
      const it = before[i];
      if (!it) return Math.min(i, after.length - 1);
      const j = after.findIndex((x) => x?.id === it.id);
      return j >= 0 ? j : Math.min(i, after.length - 1);
    };
    if (this.anchor >= 0) this.anchor = where(this.anchor);
    if (this.focus >= 0) this.focus = where(this.focus);
    const keep = [...this.ids].filter((id) => !gone(id));
    if (keep.length !== this.ids.size) this.ids = new Set(keep);
  }

  /** Keeps only ids still present (after the result set changes). */
  remove(ids: number[]): void {
    const next = new Set(this.ids);
    for (const id of ids) next.delete(id);
    this.ids = next;
  }
}
