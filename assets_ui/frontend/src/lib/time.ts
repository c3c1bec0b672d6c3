// Time formatting helpers (pure; `now` injectable for tests).

export function parseTime(value: string | number | Date | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value === 'number') return Number.isFinite(value) ? (value < 1e11 ? value * 1000 : value) : null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** "just now", "45 s ago", "3 min ago", "2 h ago", "yesterday", "5 d ago", "3 mo ago", "2 y ago", "in 5 min". */
export function formatRelative(value: string | number | Date | null | undefined, now: number = Date.now()): string {
  const ms = parseTime(value);
  if (ms === null) return '—';
  const diff = now - ms;
  const future = diff < 0;
  const s = Math.abs(diff) / 1000;
  let text: string;
  if (s < 5) return 'just now';
  if (s < 60) text = `${Math.floor(s)} s`;
  else if (s < 3600) text = `${Math.floor(s / 60)} min`;
  else if (s < 86400) text = `${Math.floor(s / 3600)} h`;
  else if (s < 2 * 86400 && !future) return 'yesterday';
  else if (s < 30 * 86400) text = `${Math.floor(s / 86400)} d`;
  else if (s < 365 * 86400) text = `${Math.floor(s / (30 * 86400))} mo`;
  else text = `${Math.floor(s / (365 * 86400))} y`;
  return future ? `in ${text}` : `${text} ago`;
}

/** Durations: "850 ms", "12.3 s", "4 m 05 s", "1 h 02 m". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
  const total = Math.round(seconds);
  if (total < 3600) {
    const m = Math.floor(total / 60);
    const s = total % 60;
    return `${m} m ${String(s).padStart(2, '0')} s`;
  }
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return `${h} h ${String(m).padStart(2, '0')} m`;
}

export function durationBetween(
  start: string | null | undefined,
  end: string | null | undefined,
  now: number = Date.now(),
): number | null {
  const a = parseTime(start);
  if (a === null) return null;
  const b = parseTime(end) ?? now;
  return Math.max(0, (b - a) / 1000);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Local "2024-03-01 13:05:09". */
export function formatTimestamp(value: string | number | Date | null | undefined): string {
  const ms = parseTime(value);
  if (ms === null) return '—';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local "13:05:09.123" for log lines. */
export function formatClock(value: string | number | Date | null | undefined): string {
  const ms = parseTime(value);
  if (ms === null) return '—';
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
