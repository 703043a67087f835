// Where a media element's clock starts. Tagsight's times (a video's
// moments, a face's time, OCR's words) count from the start of the file,
// as ffmpeg reads it; Chromium counts an MP4 that starts late (a camera's
// or a cut's timestamp offset) from the container's own first timestamp,
// so currentTime is already 5 at load for a file that starts at 5 s, and
// seeking to a moment's 8 s would show the file's 3 s. The element's
// currentTime when its metadata arrives, before anything played, is that
// start.

const starts = new WeakMap<HTMLMediaElement, number>();

/** A Svelte action for a <video>/<audio>: remembers where its clock starts, each time a new source loads. */
export function mediaStart(el: HTMLMediaElement): { destroy(): void } {
  const note = () => starts.set(el, el.currentTime);
  el.addEventListener('loadedmetadata', note);
  if (el.readyState >= 1 && !starts.has(el)) note();
  return { destroy: () => el.removeEventListener('loadedmetadata', note) };
}

/** Seconds on el's clock of a time counted from the start of the file. */
export function fromFileStart(el: HTMLMediaElement, seconds: number): number {
  return (starts.get(el) ?? 0) + seconds;
}

/** Plays el from a time counted from the start of the file, once its metadata is there. */
export function playFromFileStart(el: HTMLMediaElement, seconds: number): void {
  const go = () => {
    el.currentTime = fromFileStart(el, seconds);
    void el.play().catch(() => {});
  };
  if (el.readyState >= 1) go();
  else el.addEventListener('loadedmetadata', go, { once: true });
}
