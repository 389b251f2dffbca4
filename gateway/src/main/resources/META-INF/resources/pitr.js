// The PITR slider's logic, without the DOM: which moments a base backup can be recovered to,
// snapping, validation and keyboard steps. Times are milliseconds since the epoch (UTC).

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

const ms = (iso) => (iso == null ? null : Date.parse(iso));

/**
 * The timeline of one base: `pitrRange` is GET /api/backups/{id}/pitr-range, `coverage` GET
 * /api/environments/{envId}/wal-coverage, `baseTime` the backup's start (ISO). Covered are the
 * coverage ranges of the base's timeline clipped to the pitr-range (or the pitr-range itself when
 * coverage lists none); the timeline runs from the base's time to the end of the coverage.
 * Returns {start, end, covered: [{from, to}], gaps: [{from, to}]}, sorted, in ms.
 */
export function timeline(pitrRange, coverage, baseTime) {
  const from = ms(pitrRange.from);
  const to = ms(pitrRange.to);
  let covered = [];
  const ranges = (coverage && coverage.ranges) || [];
  for (const r of ranges) {
    if (r.from == null || r.to == null) continue;
    if (pitrRange.timeline != null && r.timeline != null && r.timeline !== pitrRange.timeline) continue;
    const a = Math.max(ms(r.from), from);
    const b = Math.min(ms(r.to), to);
    if (a <= b) covered.push({ from: a, to: b });
  }
  if (covered.length === 0 && from <= to) covered = [{ from, to }];
  covered = merge(covered);
  const ends = ranges.filter((r) => r.to != null && (r.timeline == null || pitrRange.timeline == null
    || r.timeline === pitrRange.timeline)).map((r) => ms(r.to));
  const start = Math.min(from, baseTime ? ms(baseTime) : from);
  const end = Math.max(to, ...ends);
  return { start, end, covered, gaps: gapsOf(start, end, covered) };
}

function merge(list) {
  const sorted = [...list].sort((x, y) => x.from - y.from);
  const out = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/** The parts of [start, end] outside `covered`. */
export function gapsOf(start, end, covered) {
  const gaps = [];
  let t = start;
  for (const r of covered) {
    if (r.from > t) gaps.push({ from: t, to: r.from });
    t = Math.max(t, r.to);
  }
  if (t < end) gaps.push({ from: t, to: end });
  return gaps;
}

export function isCovered(t, covered) {
  return covered.some((r) => t >= r.from && t <= r.to);
}

/** The covered moment nearest to t (t itself when covered; the earlier one on a tie). */
export function snap(t, covered) {
  let best = null;
  let bestDistance = Infinity;
  for (const r of covered) {
    if (t >= r.from && t <= r.to) return t;
    const candidate = t < r.from ? r.from : r.to;
    const distance = Math.abs(candidate - t);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Where a key moves the value: ArrowRight/ArrowUp +1 s, ArrowLeft/ArrowDown -1 s, with Shift
 * 1 min, PageUp/PageDown 1 h, Home/End the first/last covered moment. A step that lands in a gap
 * goes on to the next covered moment in its direction (or stays at the last one). null: not a key
 * of the slider.
 */
export function step(t, key, shift, covered) {
  if (covered.length === 0) return null;
  const first = covered[0].from;
  const last = covered[covered.length - 1].to;
  let delta;
  switch (key) {
    case 'ArrowRight': case 'ArrowUp': delta = shift ? MINUTE : SECOND; break;
    case 'ArrowLeft': case 'ArrowDown': delta = -(shift ? MINUTE : SECOND); break;
    case 'PageUp': delta = HOUR; break;
    case 'PageDown': delta = -HOUR; break;
    case 'Home': return first;
    case 'End': return last;
    default: return null;
  }
  const next = Math.min(last, Math.max(first, t + delta));
  if (isCovered(next, covered)) return next;
  if (delta > 0) return covered.find((r) => r.from > next).from;
  return [...covered].reverse().find((r) => r.to < next).to;
}

/** ISO 8601 UTC, without milliseconds when they are 0. */
export function iso(t) {
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

/** The browser's local time of t, with its zone. */
export function local(t) {
  return new Date(t).toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short',
  });
}

/**
 * Checks a typed moment: {ok: true, value} when covered, otherwise {ok: false, message,
 * nearest}. Only ISO 8601 with a zone is accepted, as the API does.
 */
export function validate(text, covered) {
  const trimmed = (text || '').trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(trimmed)) {
    return { ok: false, message: 'must be an ISO 8601 timestamp with a zone, such as 2026-03-15T14:30:00Z', nearest: null };
  }
  const t = Date.parse(trimmed);
  if (Number.isNaN(t)) return { ok: false, message: 'is not a valid date', nearest: null };
  if (isCovered(t, covered)) return { ok: true, value: t };
  const nearest = snap(t, covered);
  return {
    ok: false,
    nearest,
    message: `${iso(t)} is not covered by archived WAL for this backup`
      + (nearest == null ? '' : `; the nearest covered moment is ${iso(nearest)}`),
  };
}
