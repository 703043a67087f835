import { describe, expect, it } from 'vitest';
import { fromFileStart, mediaStart, playFromFileStart } from './media';

/** A <video> whose clock starts at start once its metadata "loads". */
function fakeVideo(start: number) {
  const el = document.createElement('video');
  let t = 0;
  let ready = 0;
  Object.defineProperty(el, 'currentTime', { get: () => t, set: (v: number) => (t = v) });
  Object.defineProperty(el, 'readyState', { get: () => ready });
  el.play = () => Promise.resolve();
  const load = () => {
    t = start;
    ready = 1;
    el.dispatchEvent(new Event('loadedmetadata'));
  };
  return { el, load };
}

describe('media clock', () => {
  it('plays a moment counted from the start of the file on a clock that starts at 5 s', () => {
    const { el, load } = fakeVideo(5);
    mediaStart(el);
    playFromFileStart(el, 8); // before the metadata: waits for it
    expect(el.currentTime).toBe(0);
    load();
    expect(el.currentTime).toBe(13);
    expect(fromFileStart(el, 2)).toBe(7);
  });

  it('leaves a file whose clock starts at 0 as it is', () => {
    const { el, load } = fakeVideo(0);
    mediaStart(el);
    load();
    playFromFileStart(el, 8);
    expect(el.currentTime).toBe(8);
  });
});
