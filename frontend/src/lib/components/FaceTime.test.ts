import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import type { Face } from '../api';
import FaceTime from './FaceTime.svelte';

const face = (at_ms?: number): Face =>
  ({ id: 4, entry_id: 9, box: [0, 0, 1, 1], landmarks: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], score: 1, quality: 1, person_id: 0, name: '', crop: '/face/4', thumb: null, at_ms }) as Face;

describe('FaceTime', () => {
  it("shows a video face's time and plays from it when clicked", async () => {
    const onplay = vi.fn();
    render(FaceTime, { face: face(63000), onplay });
    const b = screen.getByTestId('face-time');
    expect(b.textContent?.trim()).toBe('▶ 1:03');
    await fireEvent.click(b);
    expect(onplay).toHaveBeenCalledWith(expect.objectContaining({ id: 4, entry_id: 9, at_ms: 63000 }));
  });

  it('shows a face at the very start as 0:00', () => {
    render(FaceTime, { face: face(0), onplay: vi.fn() });
    expect(screen.getByTestId('face-time').textContent?.trim()).toBe('▶ 0:00');
  });

  it("shows nothing for a photo's face", () => {
    render(FaceTime, { face: face(undefined), onplay: vi.fn() });
    expect(screen.queryByTestId('face-time')).toBeNull();
  });
});
