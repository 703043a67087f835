// Routes desktop file drops. The core's onFileDrop hands us only paths, not
// where they landed, so the search bar marks itself as the target while a drag
// hovers over it (HTML5 dragover still fires in the webview) and everything
// else counts as a drop on the main area (import).
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
    return onFileDrop((paths) => this.dispatch(paths));
  }

  dispatch(paths: string[]): void {
    const target = this.over;
    this.over = 'main';
    (this.#handlers[target] ?? this.#handlers.main)?.(paths);
  }
}
