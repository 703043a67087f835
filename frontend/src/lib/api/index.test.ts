import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, call, isDesktop, onFileDrop, search } from './index';

type WailsWindow = Window & { go?: unknown; runtime?: unknown };

afterEach(() => {
  delete (window as WailsWindow).go;
  delete (window as WailsWindow).runtime;
  vi.unstubAllGlobals();
});

describe('call() in a browser (no window.go)', () => {
  it('POSTs the JSON argument array to /api/<Method>', async () => {
    const fetchMock = vi.fn().mockResolvedValue(new Response(JSON.stringify({ ok: 1 })));
    vi.stubGlobal('fetch', fetchMock);

    expect(isDesktop()).toBe(false);
    await expect(call('OpenLibrary', '/photos', true)).resolves.toEqual({ ok: 1 });
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/OpenLibrary');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body)).toEqual(['/photos', true]);
  });

  it('wraps typed helpers the same way', async () => {
    const fetchMock = vi.fn().mockResolvedValue(new Response(JSON.stringify({ items: [], total: 0 })));
    vi.stubGlobal('fetch', fetchMock);
    await search({ query: 'cat', limit: 500, offset: 0 });
    expect(fetchMock.mock.calls[0][0]).toBe('/api/Search');
    expect(JSON.parse(fetchMock.mock.calls[0][1].body)).toEqual([{ query: 'cat', limit: 500, offset: 0 }]);
  });

  it('turns an {error:{code,message}} body into ApiError with code and status', async () => {
    const body = JSON.stringify({ error: { code: 'not_found', message: 'no such tag' } });
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(body, { status: 404 })));

    const err = await call('DeleteTag', 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('no such tag');
    expect((err as ApiError).code).toBe('not_found');
    expect((err as ApiError).status).toBe(404);
  });

  it('reports a non-JSON failure with its status', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('nope', { status: 503 })));
    const err = await call('Tags').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
  });

  it('reports an unreachable server as a network error', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const err = await call('Tags').catch((e: unknown) => e);
    expect((err as ApiError).code).toBe('network');
  });

  it('ignores native file drops', () => {
    expect(onFileDrop(() => {})).toBeTypeOf('function');
  });
});

describe('call() in the Wails window', () => {
  it('calls window.go.api.API[Method] with the arguments instead of fetch', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    const openLibrary = vi.fn().mockResolvedValue({ root: '/p' });
    (window as WailsWindow).go = { api: { API: { OpenLibrary: openLibrary } } };

    expect(isDesktop()).toBe(true);
    await expect(call('OpenLibrary', '/p', false)).resolves.toEqual({ root: '/p' });
    expect(openLibrary).toHaveBeenCalledWith('/p', false);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('turns a JSON-string rejection into ApiError', async () => {
    const rej = vi.fn().mockRejectedValue(JSON.stringify({ code: 'cycle', message: 'a tag cannot be its own parent' }));
    (window as WailsWindow).go = { api: { API: { UpdateTag: rej } } };

    const err = await call('UpdateTag', 1, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('cycle');
    expect((err as ApiError).message).toBe('a tag cannot be its own parent');
  });

  it('keeps a plain-string rejection as the message', async () => {
    (window as WailsWindow).go = { api: { API: { Tags: vi.fn().mockRejectedValue('boom') } } };
    const err = await call('Tags').catch((e: unknown) => e);
    expect((err as ApiError).message).toBe('boom');
    expect((err as ApiError).code).toBe('internal');
  });

  it('passes dropped paths through and unregisters', () => {
    const on = vi.fn();
    const off = vi.fn();
    (window as WailsWindow).go = {};
    (window as WailsWindow).runtime = { OnFileDrop: on, OnFileDropOff: off };
    const handler = vi.fn();

    const stop = onFileDrop(handler);
    expect(on).toHaveBeenCalledWith(expect.any(Function), true);
    on.mock.calls[0][0](10, 20, ['/a.jpg']);
    expect(handler).toHaveBeenCalledWith(['/a.jpg'], 10, 20);
    stop();
    expect(off).toHaveBeenCalledOnce();
  });
});
