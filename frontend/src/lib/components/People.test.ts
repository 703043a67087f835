import { describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent, within } from '@testing-library/svelte';
import { tick } from 'svelte';

vi.mock('../api', async () => (await import('../../test/api.mock')).apiMock());

import * as api from '../api';
import type { Face, FacesState, Person } from '../api';
import { makeModel } from '../../test/api.mock';
import People from './People.svelte';
import { PeopleState } from '../state/people.svelte';
import { ToastState } from '../state/toasts.svelte';

function face(id: number, person = 0, name = '', extra: Partial<Face> = {}): Face {
  return { id, entry_id: id, box: [0.1, 0.1, 0.2, 0.2], landmarks: [], score: 0.97, quality: 1, person_id: person, name, crop: `/face/${id}`, thumb: null, ...extra };
}

function person(id: number, name = '', extra: Partial<Person> = {}): Person {
  return { id, name, tag_id: name ? 100 + id : 0, hidden: false, faces: 3, entries: 3, cover: face(id * 10, id, name), query: name ? `person:${name}` : '', ...extra };
}

const on: FacesState = { on: true, off: false, missing: false, error: '', faces: 9, people: 3 };

async function setup(opts: { faces?: FacesState; readOnly?: boolean } = {}) {
  const people = new PeopleState();
  const onquery = vi.fn();
  const onjob = vi.fn();
  const r = render(People, { people, faces: opts.faces ?? on, toasts: new ToastState(), readOnly: opts.readOnly ?? false, changes: 0, onquery, onjob, onsettings: vi.fn() });
  await vi.waitFor(() => expect(people.loaded).toBe(true));
  await tick();
  return { people, onquery, onjob, ...r };
}

describe('People', () => {
  it('names a person in place and moves on to the next unnamed one', async () => {
    let named = false;
    vi.mocked(api.people).mockImplementation(async () =>
      named ? [person(1, 'Alice'), person(2), person(3)] : [person(1), person(2), person(3)],
    );
    vi.mocked(api.namePerson).mockImplementation(async (id, name) => {
      named = true;
      return person(id, name);
    });
    await setup();
    const cards = screen.getAllByTestId('person-card');
    expect(cards).toHaveLength(3);
    const input = within(cards[0]).getByPlaceholderText('Add a name');
    input.focus();
    await fireEvent.input(input, { target: { value: 'Alice' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    await vi.waitFor(() => expect(api.namePerson).toHaveBeenCalledWith(1, 'Alice'));
    await vi.waitFor(() => expect(screen.getAllByTestId('person-card')[0].textContent).toContain('Alice'));
    // Focus is in the name field of person 2, ready for the next name.
    await vi.waitFor(() => expect((document.activeElement as HTMLElement).closest('[data-person]')?.getAttribute('data-person')).toBe('2'));
    expect(document.activeElement?.tagName).toBe('INPUT');
    expect(api.namePerson).toHaveBeenCalledTimes(1); // the blur that follows does not name again
  });

  it('opens a named person as a search and an unnamed one as their faces', async () => {
    vi.mocked(api.people).mockResolvedValue([person(1, 'Bob Smith', { query: 'person:"Bob Smith"' }), person(2)]);
    vi.mocked(api.personFaces).mockImplementation(async (id) => (id === 2 ? [face(21, 2), face(22, 2)] : []));
    const { onquery } = await setup();
    const [bob, other] = screen.getAllByTestId('person-card');
    await fireEvent.keyDown(bob, { key: 'Enter' });
    expect(onquery).toHaveBeenCalledWith('person:"Bob Smith"');
    await fireEvent.keyDown(other, { key: 'Enter' });
    await vi.waitFor(() => expect(screen.getAllByTestId('person-face')).toHaveLength(2));
    vi.mocked(api.rejectFace).mockClear();
    await fireEvent.click(within(screen.getAllByTestId('person-face')[1]).getByText('Not this person'));
    expect(api.rejectFace).toHaveBeenCalledWith(22);
    await fireEvent.click(within(screen.getAllByTestId('person-face')[0]).getByText('Split off'));
    expect(api.splitFace).toHaveBeenCalledWith(21);
  });

  it('merges by dragging one person onto another, after asking', async () => {
    vi.mocked(api.people).mockResolvedValue([person(1, 'Alice'), person(2)]);
    vi.mocked(api.mergePeople).mockResolvedValue(person(1, 'Alice', { faces: 6 }));
    await setup();
    const [alice, other] = screen.getAllByTestId('person-card');
    await fireEvent.dragStart(other);
    await fireEvent.dragOver(alice);
    await fireEvent.drop(alice);
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('into Alice');
    expect(api.mergePeople).not.toHaveBeenCalled();
    await fireEvent.click(within(dialog).getByText('Merge'));
    expect(api.mergePeople).toHaveBeenCalledWith(1, 2);
  });

  it('offers the names a face in nobody may be, and a field to type one', async () => {
    vi.mocked(api.people).mockResolvedValue([person(1, 'Alice')]);
    vi.mocked(api.personFaces).mockImplementation(async (id) =>
      id === 0 ? [face(7, 0, '', { suggestions: [{ person_id: 1, name: 'Alice', score: 0.62 }] }), face(8)] : [],
    );
    vi.mocked(api.nameFace).mockResolvedValue(person(1, 'Alice'));
    await setup();
    const faces = screen.getAllByTestId('unassigned-face');
    expect(faces).toHaveLength(2);
    await fireEvent.click(within(faces[0]).getByTestId('face-suggestion'));
    expect(api.nameFace).toHaveBeenCalledWith(7, 'Alice');
    const field = within(faces[1]).getByPlaceholderText('Who is this?');
    await fireEvent.input(field, { target: { value: ' Carol ' } });
    await fireEvent.keyDown(field, { key: 'Enter' });
    expect(api.nameFace).toHaveBeenLastCalledWith(8, 'Carol');
  });

  it('offers the face models from the catalog when they are missing', async () => {
    vi.mocked(api.people).mockResolvedValue([]);
    vi.mocked(api.models).mockResolvedValue([
      makeModel('ViT-B-32'),
      makeModel('faces', { kind: 'faces', title: 'Faces: YuNet + SFace', description: 'MIT and Apache-2.0.', size_mb: 37 }),
    ]);
    vi.mocked(api.pullModel).mockResolvedValue({ id: 'j1' } as never);
    const { onjob } = await setup({ faces: { ...on, on: false, missing: true, faces: 0, people: 0 } });
    const offer = screen.getByTestId('faces-offer');
    await vi.waitFor(() => expect(offer.textContent).toContain('MIT and Apache-2.0. 37 MB'));
    await fireEvent.click(within(offer).getByText('Download face models'));
    expect(api.pullModel).toHaveBeenCalledWith('faces');
    await vi.waitFor(() => expect(onjob).toHaveBeenCalled());
  });

  it('lets a read-only client look but not edit', async () => {
    vi.mocked(api.people).mockResolvedValue([person(1, 'Alice'), person(2)]);
    vi.mocked(api.personFaces).mockImplementation(async (id) => (id === 0 ? [face(7)] : []));
    await setup({ readOnly: true });
    expect(screen.getAllByTestId('person-card')).toHaveLength(2);
    expect(screen.queryAllByRole('textbox')).toHaveLength(0);
    expect(screen.queryByText('Find faces')).toBeNull();
    expect(screen.queryByText('Hide')).toBeNull();
  });

  it('hides a person with Delete and lists hidden ones on request', async () => {
    vi.mocked(api.people).mockImplementation(async (hidden) => (hidden ? [person(1, 'Alice'), person(2, '', { hidden: true })] : [person(1, 'Alice'), person(2)]));
    const { people } = await setup();
    await fireEvent.keyDown(screen.getAllByTestId('person-card')[1], { key: 'Delete' });
    expect(api.hidePerson).toHaveBeenCalledWith(2, true);
    await fireEvent.click(screen.getByLabelText('Show hidden'));
    await vi.waitFor(() => expect(api.people).toHaveBeenLastCalledWith(true));
    expect(people.showHidden).toBe(true);
  });
});
