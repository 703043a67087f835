import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, isDesktop, onFileDrop, version } from './index';

type WailsWindow = Window & { go?: unknown; runtime?: unknown };

afterEach(() => {
  delete (window as WailsWindow).go;
  delete (window as WailsWindow).runtime;
  vi.unstubAllGlobals();
});

describe('api in a browser (no window.go)', () => {
  it('fetches the version over HTTP', async () => {
    const fetchMock = vi.fn().mockResolvedValue(new Response(JSON.stringify({ version: 'v1.2.3' })));
    vi.stubGlobal('fetch', fetchMock);

    expect(isDesktop()).toBe(false);
    await expect(version()).resolves.toBe('v1.2.3');
    expect(fetchMock).toHaveBeenCalledWith('/api/version', expect.anything());
  });

  it('turns HTTP errors into ApiError with the status', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('nope', { status: 503 })));

    const err = await version().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
  });

  it('ignores file drops', () => {
    expect(onFileDrop(() => {})).toBeTypeOf('function');
  });
});

describe('api in the Wails window', () => {
  it('calls the bound Go method instead of fetch', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    (window as WailsWindow).go = { main: { App: { Version: vi.fn().mockResolvedValue('dev') } } };

    expect(isDesktop()).toBe(true);
    await expect(version()).resolves.toBe('dev');
    expect(fetchMock).not.toHaveBeenCalled();
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
    expect(handler).toHaveBeenCalledWith(['/a.jpg']);
    stop();
    expect(off).toHaveBeenCalledOnce();
  });
});
