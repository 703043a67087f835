import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import TextHit from './TextHit.svelte';

const O = '\ue000';
const C = '\ue001';

describe('TextHit', () => {
  it('marks the matched words and says the page', () => {
    render(TextHit, { hit: { snippet: `The ${O}quarterly invoice${C} is ${O}due${C}`, source: 'pdf', page: 3, line: 0, at_ms: 0 } });
    const marks = screen.getByTestId('text-hit').querySelectorAll('mark');
    expect([...marks].map((m) => m.textContent)).toEqual(['quarterly invoice', 'due']);
    expect(screen.getByTestId('text-hit').textContent).toContain('The quarterly invoice is due');
    expect(screen.getByTestId('text-hit-place').textContent).toBe('p. 3');
  });

  it('shows markup in a file as text, never as elements', () => {
    const evil = `<img src=x onerror=alert(1)> ${O}<b>invoice</b>${C}`;
    render(TextHit, { hit: { snippet: evil, source: 'body', page: 0, line: 12, at_ms: 0 } });
    const el = screen.getByTestId('text-hit');
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('b')).toBeNull();
    expect(el.querySelector('mark')!.textContent).toBe('<b>invoice</b>');
    expect(el.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(screen.getByTestId('text-hit-place').textContent).toBe('line 12');
  });

  it('says where words read off a picture are: the picture, a scanned page, a video moment', () => {
    const cases: [Partial<{ page: number; line: number; at_ms: number }>, string][] = [
      [{ line: 1 }, 'in the picture'],
      [{ page: 2, line: 3 }, 'p. 2'],
      [{ at_ms: 63000, line: 1 }, '▶ 1:03'],
    ];
    for (const [where, want] of cases) {
      const { unmount } = render(TextHit, { hit: { snippet: `${O}Zanzibar${C}`, source: 'ocr', page: 0, line: 0, at_ms: 0, ...where } });
      expect(screen.getByTestId('text-hit-place').textContent).toBe(want);
      unmount();
    }
  });
});
