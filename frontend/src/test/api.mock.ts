// Shared mock of the api module (cf. immich's sdk.mock): every call is a vi.fn
// with a harmless default; tests override what they exercise.
import { vi } from 'vitest';
import type { CatalogModel, EntryDetail, Item, LibraryInfo, SearchResult, Tag } from '../lib/api/types';

export function makeItem(id: number, extra: Partial<Item> = {}): Item {
  return {
    id,
    path: `photos/img_${id}.jpg`,
    name: `img_${id}.jpg`,
    media_type: 'image',
    format: 'jpeg',
    width: 4000,
    height: 3000,
    taken: '2024-05-01T10:00:00Z',
    size: 2_400_000,
    thumb: `/thumb/${id}`,
    ...extra,
  };
}

/** An EntryDetail of item with no metadata, tags, faces or preview; tests set what they exercise. */
export function makeDetail(item: Item, extra: Partial<EntryDetail> = {}): EntryDetail {
  return {
    ...item,
    fingerprint: 'abc',
    warnings: [],
    mime: '',
    orientation: 1,
    make: null,
    model: null,
    camera: null,
    lens: null,
    iso: null,
    fnumber: null,
    exposure: null,
    focal_length: null,
    lat: null,
    lon: null,
    tags: [],
    fields: [],
    file_url: `/file/${item.id}`,
    preview_url: null,
    faces: [],
    ...extra,
  };
}

export function makeTag(id: number, name: string, extra: Partial<Tag> = {}): Tag {
  return { id, name, shorthand: '', color: 'blue', is_category: false, is_hidden: false, aliases: [], parents: [], count: 0, ...extra };
}

/** A LibraryInfo with nothing indexed and no models; tests set what they exercise. */
export function makeInfo(extra: Partial<LibraryInfo> = {}): LibraryInfo {
  return {
    root: '/p',
    name: 'p',
    entries: 0,
    missing: 0,
    model: null,
    provider: null,
    model_error: '',
    watch: null,
    faces: { on: false, off: false, missing: true, error: '', faces: 0, people: 0 },
    ocr: { on: false, off: false, missing: true, error: '' },
    ...extra,
  };
}

/** A catalog row for a CLIP model. */
export function makeModel(name: string, extra: Partial<CatalogModel> = {}): CatalogModel {
  return { name, title: name, description: '', kind: 'clip', size_mb: 0, installed: false, default: false, in_use: false, ...extra };
}

/** A search() that serves `total` synthetic items page by page. */
export function pagedSearch(total: number, extra: Partial<SearchResult> = {}) {
  return vi.fn(async (req: { offset: number; limit: number }) => {
    const n = Math.max(0, Math.min(req.limit, total - req.offset));
    return {
      items: Array.from({ length: n }, (_, i) => makeItem(req.offset + i + 1)),
      total,
      cutoff: null,
      semantic: false,
      error: null,
      took_ms: 3,
      ...extra,
    } satisfies SearchResult;
  });
}

export function apiMock() {
  class ApiError extends Error {
    constructor(
      message: string,
      readonly code: string = 'internal',
      readonly status?: number,
    ) {
      super(message);
      this.name = 'ApiError';
    }
  }
  return {
    ApiError,
    Events: { JobProgress: 'job:progress', JobDone: 'job:done', LibraryChanged: 'library:changed' },
    isDesktop: vi.fn(() => false),
    takeToken: vi.fn(),
    mediaUrl: vi.fn((u: string | null | undefined) => u ?? undefined),
    playableUrl: vi.fn(async (u: string) => u),
    call: vi.fn(),
    version: vi.fn(async () => 'v0.0.0'),
    recentLibraries: vi.fn(async () => []),
    pickFolder: vi.fn(async () => null),
    openLibrary: vi.fn(),
    libraryInfo: vi.fn(async () => null),
    access: vi.fn(async () => ({ role: 'full', web: true, upload_limit: 200 << 20 })),
    search: vi.fn(async () => ({ items: [], total: 0, cutoff: null, semantic: false, error: null, took_ms: 1 })),
    similar: vi.fn(),
    similarFrame: vi.fn(),
    moments: vi.fn(async () => []),
    entry: vi.fn(),
    archiveEntries: vi.fn(async () => ({ members: [], total: 0, unpacked: 0 })),
    textMatches: vi.fn(async () => ({ items: [], more: false })),
    pageUrl: vi.fn((u: string, page: number) => (page <= 1 ? u : `${u}${u.includes('?') ? '&' : '?'}page=${page}`)),
    selectionTags: vi.fn(async () => ({ all: [], some: [] })),
    suggestions: vi.fn(async () => []),
    acceptSuggestion: vi.fn(async () => 1),
    dismissSuggestion: vi.fn(async () => undefined),
    batchSuggest: vi.fn(async () => []),
    tags: vi.fn(async () => []),
    createTag: vi.fn(),
    updateTag: vi.fn(),
    mergeTags: vi.fn(async () => undefined),
    deleteTag: vi.fn(async () => undefined),
    applyTag: vi.fn(async () => 1),
    removeTag: vi.fn(async () => 1),
    setField: vi.fn(async () => undefined),
    duplicates: vi.fn(async () => []),
    planImport: vi.fn(),
    importFiles: vi.fn(),
    startIndex: vi.fn(),
    cancelJob: vi.fn(async () => undefined),
    jobs: vi.fn(async () => []),
    trash: vi.fn(async () => 0),
    settings: vi.fn(async () => ({ model: 'ViT-B-32', provider: 'auto', thumb_size: 256, theme: 'system' })),
    saveSettings: vi.fn(async (s: unknown) => s),
    models: vi.fn(async () => []),
    writeXMP: vi.fn(async () => ({}) as never),
    importTagStudio: vi.fn(async () => ({}) as never),
    dismissTagStudio: vi.fn(async () => undefined),
    pullModel: vi.fn(),
    autocomplete: vi.fn(async () => []),
    people: vi.fn(async () => []),
    personFaces: vi.fn(async () => []),
    namePerson: vi.fn(),
    nameFace: vi.fn(),
    mergePeople: vi.fn(),
    splitFace: vi.fn(),
    rejectFace: vi.fn(async () => undefined),
    hidePerson: vi.fn(async () => undefined),
    startFaces: vi.fn(),
    recluster: vi.fn(),
    faceSettings: vi.fn(async () => ({ detect_size: 640, min_score: 0.6, min_size: 20, match: 0.363, min_faces: 3, suggest: 0.3 })),
    saveFaceSettings: vi.fn(async (t: unknown) => t),
    searchByImagePath: vi.fn(),
    searchByImageFile: vi.fn(),
    uploadFiles: vi.fn(),
    on: vi.fn(() => () => {}),
    onFileDrop: vi.fn(() => () => {}),
  };
}
