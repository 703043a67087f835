// Small formatters shared by the inspector, job panel and dialogs.

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * A setting's number as a person writes it: at most 6 significant digits,
 * no trailing zeros, so what a number field's spinner leaves
 * (0.6000000000000001) shows whole in a narrow field as 0.6.
 */
export function formatNumber(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : '';
}

/** EXIF exposure: "0.004" or "1/250" → "1/250 s"; long exposures stay decimal. */
export function formatExposure(s: string | null): string | null {
  if (!s) return null;
  if (s.includes('/')) return `${s} s`;
  const v = Number(s);
  if (!Number.isFinite(v) || v <= 0) return `${s} s`;
  if (v >= 0.5) return `${Number(v.toFixed(1))} s`;
  return `1/${Math.round(1 / v)} s`;
}

export function formatFNumber(f: number | null): string | null {
  return f == null ? null : `f/${Number(f.toFixed(1))}`;
}

export function formatFocal(mm: number | null): string | null {
  return mm == null ? null : `${Number(mm.toFixed(1))} mm`;
}

export function formatCoord(lat: number | null, lon: number | null): string | null {
  if (lat == null || lon == null) return null;
  const ns = lat >= 0 ? 'N' : 'S';
  const ew = lon >= 0 ? 'E' : 'W';
  return `${Math.abs(lat).toFixed(5)}° ${ns}, ${Math.abs(lon).toFixed(5)}° ${ew}`;
}

export function formatDate(s: string | null): string | null {
  if (!s) return null;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Seconds → "2h 5m", "3m 20s", "12s". */
export function formatEta(sec: number): string {
  if (!Number.isFinite(sec) || sec <= 0) return '';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

export function formatRate(rate: number, unit: string): string {
  if (!Number.isFinite(rate) || rate <= 0) return '';
  if (unit === 'B' || unit === 'bytes') return `${formatBytes(rate)}/s`;
  return `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} ${unit}/s`;
}

/** Files that the grid can show as a picture; everything else gets a type icon. */
export function isPicture(mediaType: string): boolean {
  return mediaType === 'image' || mediaType.startsWith('image/');
}
