import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';
import { tick } from 'svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import SearchBar from './SearchBar.svelte';
import { SearchState } from '../state/search.svelte';
import { DropRouter } from '../state/drop.svelte';

afterEach(() => {
  vi.useRealTimers();
  localStorage.clear();
});

describe('SearchBar', () => {
  it('debounces typing into one search call', async () => {
    vi.useFakeTimers();
    const search = new SearchState(undefined, 250);
    render(SearchBar, { search, suggestDelay: 0 });
    const input = screen.getByRole('combobox');

    await fireEvent.input(input, { target: { value: 'be' } });
    await fireEvent.input(input, { target: { value: 'beach' } });
    await vi.advanceTimersByTimeAsync(100);
    expect(api.search).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(200);
    expect(api.search).toHaveBeenCalledTimes(1);
    expect(api.search).toHaveBeenCalledWith(expect.objectContaining({ query: 'beach', offset: 0, limit: 500 }));
  });

  it('underlines the error span at its column and shows the message', async () => {
    vi.mocked(api.search).mockResolvedValueOnce({
      items: [],
      total: 0,
      cutoff: null,
      semantic: false,
      error: { message: 'unknown field "tagg"', column: 7, length: 4 },
      took_ms: 1,
    });
    const search = new SearchState(undefined, 0);
    render(SearchBar, { search, suggestDelay: 0 });
    await search.run('beach tagg:x');
    await tick();

    const err = screen.getByTestId('query-error');
    expect(err.textContent).toBe('tagg');
    expect(err.previousElementSibling?.textContent).toBe('beach ');
    expect(err.nextElementSibling?.textContent).toBe(':x');
    expect(screen.getByRole('alert').textContent).toContain('unknown field "tagg"');
  });

  it('accepts an autocomplete item with arrow + Enter, replacing the word being typed', async () => {
    vi.mocked(api.autocomplete).mockResolvedValue([
      { kind: 'tag', text: 'tag:"Family"', label: 'Family', color: 'red' },
      { kind: 'prefix', text: 'taken:', label: 'taken:' },
    ]);
    const search = new SearchState(undefined, 10_000);
    render(SearchBar, { search, suggestDelay: 0 });
    const input = screen.getByRole('combobox') as HTMLInputElement;
    await fireEvent.focus(input);
    input.value = 'sunset ta';
    input.setSelectionRange(9, 9);
    await fireEvent.input(input);
    const options = await screen.findAllByRole('option');
    expect(options).toHaveLength(2);
    expect(api.autocomplete).toHaveBeenCalledWith('sunset ta', 9);

    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(search.query).toBe('sunset tag:"Family" ');
    expect(screen.queryAllByRole('option')).toHaveLength(0);
  });

  it('runs at once on Enter and keeps history shown when focused and empty', async () => {
    const search = new SearchState(undefined, 10_000);
    render(SearchBar, { search, suggestDelay: 0 });
    const input = screen.getByRole('combobox');
    await fireEvent.input(input, { target: { value: 'dogs' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(api.search).toHaveBeenCalledWith(expect.objectContaining({ query: 'dogs' }));
    expect(JSON.parse(localStorage.getItem('tagsight.history')!)).toEqual(['dogs']);

    await fireEvent.input(input, { target: { value: '' } });
    await fireEvent.focus(input);
    expect(screen.getByRole('option').textContent).toContain('dogs');
  });

  it('searches by a dropped image: file in the browser, path on the desktop', async () => {
    const search = new SearchState(undefined, 0);
    vi.mocked(api.searchByImageFile).mockResolvedValue({ items: [], total: 0, cutoff: null, semantic: true, error: null, took_ms: 1 });
    vi.mocked(api.searchByImagePath).mockResolvedValue({ items: [], total: 0, cutoff: null, semantic: true, error: null, took_ms: 1 });
    const drop = new DropRouter();
    render(SearchBar, { search, drop, suggestDelay: 0 });
    const file = new File(['x'], 'cat.png', { type: 'image/png' });
    await fireEvent.drop(screen.getByRole('search'), { dataTransfer: { files: [file] } });
    expect(api.searchByImageFile).toHaveBeenCalledWith(file, expect.any(Number));

    await fireEvent.dragOver(screen.getByRole('search'));
    drop.dispatch(['/home/me/cat.jpg']);
    expect(api.searchByImagePath).toHaveBeenCalledWith('/home/me/cat.jpg', expect.any(Number));
  });
});
