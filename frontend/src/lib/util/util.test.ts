import { describe, expect, it } from 'vitest';
import { formatBytes, formatCoord, formatEta, formatExposure, formatFNumber, formatFocal, formatRate } from './format';
import { splitAtError, tagQuery, wordAt } from './query';
import { tagColor } from './colors';

describe('format', () => {
  it.each([
    ['1/250', '1/250 s'],
    ['0.004', '1/250 s'],
    ['2', '2 s'],
  ])('exposure %s → %s', (a, b) => expect(formatExposure(a)).toBe(b));

  it('formats camera values and sizes', () => {
    expect(formatFNumber(2.8)).toBe('f/2.8');
    expect(formatFocal(50)).toBe('50 mm');
    expect(formatBytes(2_400_000)).toBe('2.4 MB');
    expect(formatCoord(-33.8688, 151.2093)).toBe('33.86880° S, 151.20930° E');
    expect(formatEta(3725)).toBe('1h 2m');
    expect(formatRate(2_000_000, 'B')).toBe('2.0 MB/s');
    expect(formatRate(3.25, 'files')).toBe('3.3 files/s');
  });
});

describe('query helpers', () => {
  it('finds the word under the cursor, keeping quoted tags whole', () => {
    expect(wordAt('sunset ta', 9)).toEqual([7, 9]);
    expect(wordAt('tag:"new yo', 11)).toEqual([0, 11]);
    expect(wordAt('(a or be) x', 8)).toEqual([6, 8]);
  });

  it('splits at a 1-based character column, counting astral characters once', () => {
    expect(splitAtError('📷 tagg:x', 3, 4)).toEqual(['📷 ', 'tagg', ':x']);
    expect(splitAtError('tag:"x', 7, 0)).toEqual(['tag:"x', '\u00a0', '']);
  });

  it('quotes tag names', () => {
    expect(tagQuery('Say "hi"')).toBe('tag:"Say \\"hi\\""');
  });

  it('maps palette names and hex to CSS colours', () => {
    expect(tagColor('red')).toBe('#e5484d');
    expect(tagColor('#abc')).toBe('#abc');
    expect(tagColor('nonsense')).toBe('var(--tag-default)');
  });
});
