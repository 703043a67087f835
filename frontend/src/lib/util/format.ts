// Small formatters shared by the inspector, job panel and dialogs.
import type { Facts } from '../api/types';

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

/** Whether a tile is a picture of its own (a photo, a RAW): tiles of every other kind show their name and a type badge. */
export function isStill(mediaType: string): boolean {
  return isPicture(mediaType) || mediaType === 'raw';
}

/** Whether the inspector plays the file. */
export function isPlayable(mediaType: string): boolean {
  return mediaType === 'video' || mediaType === 'audio';
}

/** A tile's type badge: the file's extension, else its format or media type ("MP4", "PDF", "FLAC"). */
export function typeBadge(name: string, format: string, mediaType: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && dot < name.length - 1 ? name.slice(dot + 1) : '';
  return (ext || format || mediaType || 'file').toUpperCase().slice(0, 5);
}

/** Seconds as a clock: 83 → "1:23", 3723 → "1:02:03". */
export function formatDuration(sec: number | null | undefined): string | null {
  if (sec == null || !Number.isFinite(sec) || sec <= 0) return null;
  const s = Math.max(1, Math.round(sec));
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** A moment's time into a video, as a clock from 0:00: 8000 → "0:08". */
export function formatMoment(ms: number): string {
  return formatDuration(Math.max(ms, 0) / 1000) ?? '0:00';
}

/** Bits per second: 1 500 000 → "1.5 Mb/s". */
export function formatBitrate(bps: number | null | undefined): string | null {
  if (!bps || bps <= 0) return null;
  if (bps >= 1e6) return `${Number((bps / 1e6).toFixed(1))} Mb/s`;
  return `${Math.round(bps / 1e3)} kb/s`;
}

/** A file's facts as the inspector lists them, in this order, unknown ones left out. */
export function factRows(f: Facts | null | undefined): [string, string][] {
  if (!f) return [];
  const codec = [f.codec, f.audio_codec && f.audio_codec !== f.codec ? f.audio_codec : ''].filter(Boolean).join(' + ');
  const camera = f.model && f.make && !f.model.toLowerCase().startsWith(f.make.toLowerCase()) ? `${f.make} ${f.model}` : f.model || f.make;
  const rows: [string, string | null | undefined][] = [
    ['Title', f.title],
    ['Artist', f.artist],
    ['Album', f.album],
    ['Author', f.author],
    ['Genre', f.genre],
    ['Year', f.year ? String(f.year) : null],
    ['Track', f.track ? String(f.track) : null],
    ['Duration', formatDuration(f.duration)],
    ['Pages', f.pages ? String(f.pages) : null],
    ['Codec', codec],
    ['Resolution', f.width && f.height ? `${f.width} × ${f.height}` : null],
    ['Frame rate', f.fps ? `${Number(f.fps.toFixed(2))} fps` : null],
    ['Bitrate', formatBitrate(f.bitrate)],
    ['Rotation', f.rotation ? `${f.rotation}°` : null],
    ['Sample rate', f.sample_rate ? `${Number((f.sample_rate / 1000).toFixed(1))} kHz` : null],
    ['Channels', f.channels ? (f.channels === 1 ? 'mono' : f.channels === 2 ? 'stereo' : String(f.channels)) : null],
    ['Created', formatDate(f.created ?? null)],
    ['Camera', camera],
    ['Location', formatCoord(f.lat ?? null, f.lon ?? null)],
  ];
  return rows.filter((r): r is [string, string] => !!r[1]);
}

/** The inspector's heading over a kind's facts. */
export function factsHeading(mediaType: string): string {
  return ({ video: 'Video', audio: 'Audio', document: 'Document' } as Record<string, string>)[mediaType] ?? 'Details';
}
