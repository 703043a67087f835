import { describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent, within } from '@testing-library/svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import { makeItem, makeTag } from '../../test/api.mock';
import TagManager from './TagManager.svelte';
import { TagsState } from '../state/tags.svelte';

function setup() {
  const tags = new TagsState();
  tags.list = [makeTag(1, 'Animals', { count: 3 }), makeTag(2, 'Dog', { parents: [1], count: 5 }), makeTag(3, 'Pets', { count: 1 })];
  render(TagManager, { tags, onclose: vi.fn() });
  return tags;
}

const pick = (name: string) => fireEvent.click(within(screen.getByRole('list', { name: 'All tags' })).getByRole('button', { name: new RegExp(name) }));

describe('TagManager', () => {
  it('creates a tag and selects it', async () => {
    vi.mocked(api.createTag).mockResolvedValue(makeTag(4, 'Cat'));
    const tags = setup();
    await fireEvent.input(screen.getByLabelText('New tag name'), { target: { value: 'Cat' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(api.createTag).toHaveBeenCalledWith('Cat');
    await vi.waitFor(() => expect(tags.list.map((t) => t.name)).toContain('Cat'));
    expect((screen.getByLabelText('Tag name') as HTMLInputElement).value).toBe('Cat');
  });

  it('merges a tag into a picked target after confirmation', async () => {
    vi.mocked(api.tags).mockResolvedValue([makeTag(1, 'Animals'), makeTag(2, 'Dog', { aliases: ['Pets'] })]);
    setup();
    await pick('Pets');
    const select = screen.getByLabelText('Merge into') as HTMLSelectElement;
    [...select.options].find((o) => o.textContent === 'Dog')!.selected = true;
    await fireEvent.change(select);
    expect((screen.getByRole('button', { name: 'Merge' }) as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(screen.getByRole('button', { name: 'Merge' }));
    const dlg = screen.getAllByRole('dialog').at(-1)!;
    expect(dlg.textContent).toContain('Merge “Pets” into “Dog”');
    await fireEvent.click(within(dlg).getByRole('button', { name: 'Merge' }));
    await vi.waitFor(() => expect(api.mergeTags).toHaveBeenCalledWith(3, 2));
  });

  it('shows a readable message when a parent would make a cycle', async () => {
    vi.mocked(api.updateTag).mockRejectedValue(new api.ApiError('“Animals” cannot be a child of “Dog”: Dog is already under Animals', 'cycle'));
    setup();
    await pick('Animals');
    const input = screen.getByRole('combobox', { name: 'Add parent' });
    await fireEvent.focus(input);
    await fireEvent.input(input, { target: { value: 'Dog' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    await vi.waitFor(() => expect(api.updateTag).toHaveBeenCalledWith(1, { add_parent: 2 }));
    expect((await screen.findByRole('alert')).textContent).toContain('cannot be a child of');
  });

  it('sets a palette colour and deletes with confirmation', async () => {
    vi.mocked(api.updateTag).mockResolvedValue(makeTag(3, 'Pets', { color: 'violet' }));
    const tags = setup();
    await pick('Pets');
    await fireEvent.click(screen.getByRole('button', { name: 'violet' }));
    expect(api.updateTag).toHaveBeenCalledWith(3, { color: 'violet' });
    await fireEvent.click(screen.getByRole('button', { name: 'Delete tag…' }));
    await fireEvent.click(within(screen.getAllByRole('dialog').at(-1)!).getByRole('button', { name: 'Delete' }));
    await vi.waitFor(() => expect(api.deleteTag).toHaveBeenCalledWith(3));
    expect(tags.list.some((t) => t.id === 3)).toBe(false);
  });

  it('finds more files like a tag and applies it to them', async () => {
    vi.mocked(api.batchSuggest).mockResolvedValue([makeItem(10), makeItem(11)]);
    setup();
    await pick('Dog');
    await fireEvent.click(screen.getByRole('button', { name: 'Find more like this tag' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Apply to 2 files' }));
    expect(api.applyTag).toHaveBeenCalledWith(2, [10, 11]);
  });
});
