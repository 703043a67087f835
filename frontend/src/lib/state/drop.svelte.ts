// Routes desktop file drops. The core's onFileDrop hands us the paths and the
// point where they landed: a drop on the search bar searches by the image,
// anything else imports. While a drag hovers, HTML5 dragover still fires in
// the webview, which is the fallback when the point is unknown.
import { onFileDrop } from '../api';

export type DropTarget = 'search' | 'main';

export class DropRouter {
  over = $state<DropTarget>('main');
  #handlers: Partial<Record<DropTarget, (paths: string[]) => void>> = {};

  handle(target: DropTarget, h: (paths: string[]) => void): () => void {
    this.#handlers[target] = h;
    return () => {
      if (this.#handlers[target] === h) delete this.#handlers[target];
    };
  }

  /** Starts listening for desktop drops; returns the stop function. */
  attach(): () => void {
    return onFileDrop((paths, x, y) => this.dispatch(paths, x, y));
  }

  dispatch(paths: string[], x?: number, y?: number): void {
    let target = this.over;
    if (x !== undefined && y !== undefined && typeof document !== 'undefined' && document.elementFromPoint) {
      const el = document.elementFromPoint(x, y);
      if (el) target = el.closest('[role="search"]') ? 'search' : 'main';
    }
    this.over = 'main';
    (this.#handlers[target] ?? this.#handlers.main)?.(paths);
  }
}
