import { describe, expect, it } from 'vitest';
import { makeItem } from '../../test/api.mock';
import { SelectionState } from './selection.svelte';

const items = Array.from({ length: 10 }, (_, i) => makeItem(i + 1));

describe('SelectionState', () => {
  it('extends a range backwards from the anchor and adds ranges with Ctrl+Shift', () => {
    const s = new SelectionState();
    s.click(5, items);
    s.click(2, items, { shift: true });
    expect(s.list.sort()).toEqual([3, 4, 5, 6]);
    s.click(8, items, { toggle: true });
    s.click(9, items, { shift: true, toggle: true });
    expect(s.list.sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 9, 10]);
  });

  it('moves with the keyboard and clamps at the ends', () => {
    const s = new SelectionState();
    s.move(1, items);
    expect(s.list).toEqual([1]);
    s.move(-5, items);
    expect(s.list).toEqual([1]);
    s.move(3, items, true);
    expect(s.list.sort()).toEqual([1, 2, 3, 4]);
  });

  it('follows its items when the result set changes in place', () => {
    const sel = new SelectionState();
    const before = [1, 2, 3, 4].map((id) => makeItem(id));
    sel.click(2, before); // item 3
    sel.click(3, before, { toggle: true }); // and 4
    const after = [1, 9, 2, 3].map((id) => makeItem(id)); // 9 came in, 4 went
    sel.follow(before, after, (id) => id === 4);
    expect(sel.focus).toBe(3); // 4 is gone: the focus stays put (clamped)
    expect(sel.anchor).toBe(3); // item 3 moved from 2 to 3
    expect(sel.list).toEqual([3]);
  });
});
