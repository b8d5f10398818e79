// Text for times and durations.

// 83450 → "1:23.4"; with tenths off → "1:23"; an hour or more → "1:02:03".
export function formatDuration(ms, tenths = true) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–:––';
  const total = Math.max(0, Math.floor(ms / 100)); // in tenths
  const t = total % 10;
  const s = Math.floor(total / 10) % 60;
  const m = Math.floor(total / 600) % 60;
  const h = Math.floor(total / 36000);
  const ss = String(s).padStart(2, '0');
  const head = h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
  return tenths && h === 0 ? `${head}.${t}` : head;
}

// "2025-10-19T17:44:37.187Z" → a local date and time, short.
export function formatWhen(text) {
  const t = text ? new Date(text) : null;
  if (!t || Number.isNaN(t.getTime())) return '';
  const today = new Date();
  const sameDay = t.toDateString() === today.toDateString();
  const time = t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (sameDay) return `Today ${time}`;
  return `${t.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`;
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '';
}
