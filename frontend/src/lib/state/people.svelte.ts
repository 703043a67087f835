// The People view's data: the people the faces analyzer grouped, the faces
// in nobody, and the edits (name, merge, split, "not this person", hide).
// Every edit goes to the core and then reloads, so what is shown is what the
// library holds (a name another person has merges the two there, not here).
import * as api from '../api';
import type { Face, Person } from '../api';

function normFace(f: Face): Face {
  return { ...f, box: f.box ?? [0, 0, 0, 0], landmarks: f.landmarks ?? [], suggestions: f.suggestions ?? [] };
}

function normPerson(p: Person): Person {
  return { ...p, cover: p.cover ? normFace(p.cover) : null };
}

/** How many faces in nobody are listed (each gets a name-suggestion search). */
export const UNASSIGNED_LIMIT = 100;

export class PeopleState {
  list = $state<Person[]>([]);
  /** faces in nobody, each with the names it may be */
  unassigned = $state<Face[]>([]);
  /** the person whose faces are open (an unnamed one: named people open as a search) */
  open = $state<Person | null>(null);
  openFaces = $state<Face[]>([]);
  showHidden = $state(false);
  loaded = $state(false);
  #gen = 0;

  /** Loads the people and the unassigned faces (and the open person's faces). */
  async load(): Promise<void> {
    const gen = ++this.#gen;
    const [ps, un] = await Promise.all([api.people(this.showHidden), api.personFaces(0, UNASSIGNED_LIMIT)]);
    if (gen !== this.#gen) return;
    this.list = (ps ?? []).map(normPerson);
    this.unassigned = (un ?? []).map(normFace);
    this.loaded = true;
    if (this.open) {
      const still = this.list.find((p) => p.id === this.open!.id);
      if (!still) {
        this.open = null;
        this.openFaces = [];
      } else {
        this.open = still;
        await this.#loadOpen(still.id, gen);
      }
    }
  }

  async #loadOpen(id: number, gen: number): Promise<void> {
    const fs = await api.personFaces(id, 500);
    if (gen !== this.#gen) return;
    this.openFaces = (fs ?? []).map(normFace);
  }

  /** Opens a person's faces (to split wrong ones off or say "not this person"). */
  async show(p: Person | null): Promise<void> {
    this.open = p;
    this.openFaces = [];
    if (p) await this.#loadOpen(p.id, this.#gen);
  }

  async toggleHidden(): Promise<void> {
    this.showHidden = !this.showHidden;
    await this.load();
  }

  /** Names a person; returns the person the name ended up on (another one when it merged). */
  async name(id: number, name: string): Promise<Person> {
    const p = await api.namePerson(id, name);
    await this.load();
    return p;
  }

  /** Puts one face in the person of that name. */
  async nameFace(faceId: number, name: string): Promise<Person> {
    const p = await api.nameFace(faceId, name);
    await this.load();
    return p;
  }

  async merge(into: number, from: number): Promise<Person> {
    const p = await api.mergePeople(into, from);
    if (this.open?.id === from) this.open = null;
    await this.load();
    return p;
  }

  async split(faceId: number): Promise<Person> {
    const p = await api.splitFace(faceId);
    await this.load();
    return p;
  }

  async reject(faceId: number): Promise<void> {
    await api.rejectFace(faceId);
    await this.load();
  }

  async hide(id: number, hidden: boolean): Promise<void> {
    await api.hidePerson(id, hidden);
    await this.load();
  }

  /** The first unnamed person after index i (wrapping), for "name the next one". */
  nextUnnamed(afterId: number): Person | undefined {
    const i = this.list.findIndex((p) => p.id === afterId);
    const n = this.list.length;
    for (let k = 1; k <= n; k++) {
      const p = this.list[(Math.max(i, 0) + k) % n];
      if (p && !p.name && !p.hidden) return p;
    }
    return undefined;
  }
}
