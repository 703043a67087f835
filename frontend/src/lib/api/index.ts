// The one seam between the UI and the Go core. Components import from here and
// never from wailsjs or fetch directly, so the same components run in the Wails
// window (IPC through window.go) and in a plain browser against `tagsight serve`
// (HTTP under /api/). Tests mock this module.
import * as App from '../../../wailsjs/go/main/App';
import * as runtime from '../../../wailsjs/runtime/runtime';

/** Called with the absolute paths of files or folders dropped on a drop target. */
export type FileDropHandler = (paths: string[]) => void;

/** The error shape that crosses from Go to the UI. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** True inside the Wails window, where the Go bindings are injected as window.go. */
export function isDesktop(): boolean {
  return typeof window !== 'undefined' && 'go' in window;
}

async function getJSON<T>(path: string): Promise<T> {
  const res = await fetch(`/api/${path}`, { headers: { Accept: 'application/json' } });
  if (!res.ok) {
    throw new ApiError(`${res.status} ${res.statusText}: GET /api/${path}`, res.status);
  }
  return (await res.json()) as T;
}

/** The application's version string, e.g. "v0.1.0" or "dev". HTTP: GET /api/version → {"version": "…"}. */
export async function version(): Promise<string> {
  if (isDesktop()) return App.Version();
  const body = await getJSON<{ version: string }>('version');
  return body.version;
}

/**
 * Listens for files dropped onto elements styled `--wails-drop-target: drop`
 * and returns a function that stops listening. Only the desktop window knows
 * real paths; in a browser this is a no-op (the browser face uploads File
 * objects instead). Registering this also stops WebKit from replacing the page
 * with a dropped image (wails #3686).
 */
export function onFileDrop(handler: FileDropHandler): () => void {
  if (!isDesktop()) return () => {};
  runtime.OnFileDrop((_x, _y, paths) => handler(paths), true);
  return () => runtime.OnFileDropOff();
}
