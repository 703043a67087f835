import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, access, call, isDesktop, mediaUrl, onFileDrop, search, takeToken, uploadFiles } from './index';

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

describe('the token in a browser', () => {
  afterEach(() => {
    sessionStorage.clear();
    history.replaceState(null, '', '/');
  });

  it('moves ?token= from the address bar into sessionStorage and sends it as a Bearer header', async () => {
    history.replaceState(null, '', '/?token=s3cret&q=cat#grid');
    takeToken();
    expect(sessionStorage.getItem('tagsight_token')).toBe('s3cret');
    expect(window.location.search).toBe('?q=cat');
    expect(window.location.hash).toBe('#grid');
    expect(window.location.href).not.toContain('s3cret');

    const fetchMock = vi.fn().mockImplementation(async () => new Response('"v1"'));
    vi.stubGlobal('fetch', fetchMock);
    await call('Version');
    await uploadFiles([new File(['x'], 'a.jpg')], '', 'keep-both').catch(() => {});
    for (const [, init] of fetchMock.mock.calls) {
      expect(new Headers(init.headers).get('Authorization')).toBe('Bearer s3cret');
      expect(init.credentials).toBeUndefined();
    }
    expect(document.cookie).toBe('');
  });

  it('keeps the token across a reload (a new page, the same tab)', async () => {
    history.replaceState(null, '', '/?token=s3cret');
    takeToken();
    history.replaceState(null, '', '/');
    takeToken(); // the reloaded page has no ?token=
    const fetchMock = vi.fn().mockResolvedValue(new Response('"v1"'));
    vi.stubGlobal('fetch', fetchMock);
    await call('Version');
    expect(new Headers(fetchMock.mock.calls[0][1].headers).get('Authorization')).toBe('Bearer s3cret');
  });

  it('sends no Authorization header without a token', async () => {
    const fetchMock = vi.fn().mockResolvedValue(new Response('"v1"'));
    vi.stubGlobal('fetch', fetchMock);
    await call('Version');
    expect(new Headers(fetchMock.mock.calls[0][1].headers).has('Authorization')).toBe(false);
  });

  it('signs media URLs with the signature access() got, and only in a browser', async () => {
    const exp = Math.floor(Date.now() / 1000) + 12 * 3600;
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(JSON.stringify({ role: 'read', web: true, upload_limit: 1, media: 'read.1.a+b', media_expires: exp }))));
    await access();
    expect(mediaUrl('/thumb/7')).toBe('/thumb/7?m=read.1.a%2Bb');
    expect(mediaUrl('/face/3?size=2')).toBe('/face/3?size=2&m=read.1.a%2Bb');
    expect(mediaUrl(null)).toBeUndefined();
    (window as WailsWindow).go = {};
    expect(mediaUrl('/thumb/7')).toBe('/thumb/7');
  });

  it('a server without tokens gives no signature: URLs stay as they are', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(JSON.stringify({ role: 'full', web: true, upload_limit: 1 }))));
    await access();
    expect(mediaUrl('/thumb/7')).toBe('/thumb/7');
  });

  it('opens the event stream with the signature', async () => {
    vi.resetModules();
    const fresh = await import('./index');
    const urls: string[] = [];
    vi.stubGlobal(
      'EventSource',
      class {
        static CLOSED = 2;
        readyState = 0;
        onerror: (() => void) | null = null;
        constructor(url: string) {
          urls.push(url);
        }
        addEventListener() {}
      },
    );
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(JSON.stringify({ role: 'full', web: true, upload_limit: 1, media: 'full.9.sig', media_expires: 9 }))));
    await fresh.access();
    fresh.on('job:done', () => {});
    expect(urls).toEqual(['/api/events?m=full.9.sig']);
  });
});

describe('playableUrl', () => {
  it('in the desktop window plays from the loopback media server, asking for its address once', async () => {
    vi.resetModules();
    const fresh = await import('./index');
    const mediaBase = vi.fn().mockResolvedValue('http://127.0.0.1:4711/s3cr3t');
    (window as WailsWindow).go = { api: { API: { MediaBase: mediaBase } } };
    expect(await fresh.playableUrl('/file/7')).toBe('http://127.0.0.1:4711/s3cr3t/file/7');
    expect(await fresh.playableUrl('/file/8')).toBe('http://127.0.0.1:4711/s3cr3t/file/8');
    expect(mediaBase).toHaveBeenCalledTimes(1);
  });

  it('in a browser is the signed same-origin URL', async () => {
    vi.resetModules();
    const fresh = await import('./index');
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(JSON.stringify({ role: 'read', web: true, upload_limit: 1, media: 'read.1.x', media_expires: 9 }))));
    await fresh.access();
    expect(await fresh.playableUrl('/file/7')).toBe('/file/7?m=read.1.x');
  });
});
