import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import OcrHighlight from './OcrHighlight.svelte';
import type { TextHit } from '../api';

const hit = (box: TextHit['box'], over: Partial<TextHit> = {}): TextHit => ({ snippet: 'x', source: 'ocr', page: 0, line: 0, at_ms: 0, box, ...over });

function rectOf(el: HTMLElement): number[] {
  return [el.style.left, el.style.top, el.style.width, el.style.height].map((v) => parseFloat(v));
}

describe('OcrHighlight', () => {
  it('puts a box on a wide picture letterboxed in a taller frame', () => {
    // A 1280×720 picture in a 400×300 frame: scale 400/1280 = 0.3125, drawn
    // 400×225, 37.5 px bars above and below. The box x .1 y .2 w .5 h .05 is
    // 40 px in, 37.5 + 45 = 82.5 down, 200 × 11.25.
    render(OcrHighlight, { hits: [hit({ x: 0.1, y: 0.2, w: 0.5, h: 0.05 })], frameWidth: 400, frameHeight: 300, naturalWidth: 1280, naturalHeight: 720 });
    expect(rectOf(screen.getByTestId('ocr-box'))).toEqual([40, 82.5, 200, 11.25]);
  });

  it('puts a box on a tall picture pillarboxed in a wide frame', () => {
    // A 600×800 picture in a 400×300 frame: scale 300/800 = 0.375, drawn
    // 225×300, 87.5 px bars left and right. The box x .5 y .25 w .2 h .1 is
    // 87.5 + 112.5 = 200 in, 75 down, 45 × 30.
    render(OcrHighlight, { hits: [hit({ x: 0.5, y: 0.25, w: 0.2, h: 0.1 })], frameWidth: 400, frameHeight: 300, naturalWidth: 600, naturalHeight: 800 });
    expect(rectOf(screen.getByTestId('ocr-box'))).toEqual([200, 75, 45, 30]);
  });

  it('draws only the words read on the picture itself', () => {
    const b = { x: 0, y: 0, w: 1, h: 1 };
    render(OcrHighlight, {
      hits: [hit(b), hit(undefined), hit(b, { source: 'pdf', page: 3 }), hit(b, { at_ms: 8000 }), hit(b, { page: 2 })],
      frameWidth: 100,
      frameHeight: 100,
      naturalWidth: 10,
      naturalHeight: 10,
    });
    expect(screen.getAllByTestId('ocr-box')).toHaveLength(1);
  });

  it('draws nothing before the picture has a size', () => {
    render(OcrHighlight, { hits: [hit({ x: 0, y: 0, w: 1, h: 1 })], frameWidth: 400, frameHeight: 300, naturalWidth: 0, naturalHeight: 0 });
    expect(screen.queryByTestId('ocr-box')).toBeNull();
  });
});
