// The PITR slider: a track from the base backup's time to the end of WAL coverage, covered
// ranges and gaps drawn on it, a thumb that only rests on covered moments (role=slider), and a
// field that takes a typed ISO 8601 moment and refuses an uncovered one.
import { h } from './dom.js';
import { snap, step, iso, local, validate } from './pitr.js';

/** pitrSlider(line, onChange) -> {element, value(), valid()}; line from pitr.timeline(). */
export function pitrSlider(line, onChange) {
  const span = Math.max(1, line.end - line.start);
  const pct = (t) => `${((t - line.start) / span) * 100}%`;
  let value = line.covered[line.covered.length - 1].to;
  let valid = true;

  const thumb = h('div.pitr-thumb', {
    role: 'slider', tabindex: 0, id: 'pitr-thumb',
    'aria-label': 'Recovery point (point in time)',
    'aria-valuemin': line.covered[0].from, 'aria-valuemax': line.covered[line.covered.length - 1].to,
    'aria-describedby': 'pitr-help',
  });
  const track = h('div.pitr-track', { id: 'pitr-track' },
    line.covered.map((r) => h('div.pitr-covered', { style: `left:${pct(r.from)};width:${pct(line.start + (r.to - r.from))}`,
      title: `covered ${iso(r.from)} – ${iso(r.to)}` })),
    line.gaps.map((g) => h('div.pitr-gap', { style: `left:${pct(g.from)};width:${pct(line.start + (g.to - g.from))}`,
      title: `not covered ${iso(g.from)} – ${iso(g.to)}` })),
    thumb);
  const isoOut = h('output#pitr-iso', { 'aria-live': 'polite' });
  const localOut = h('span#pitr-local.muted');
  const input = h('input#pitr-input', { type: 'text', 'aria-label': 'Recovery point, ISO 8601', size: 26, spellcheck: 'false' });
  const message = h('small#pitr-message.error', { 'data-error-for': 'pitrTimestamp', role: 'alert' });

  function set(t, fromInput) {
    value = t;
    valid = true;
    thumb.style.left = pct(t);
    thumb.setAttribute('aria-valuenow', t);
    thumb.setAttribute('aria-valuetext', `${iso(t)} (${local(t)})`);
    isoOut.textContent = iso(t);
    localOut.textContent = local(t);
    if (!fromInput) input.value = iso(t);
    message.textContent = '';
    onChange && onChange();
  }

  function fromPointer(event) {
    const box = track.getBoundingClientRect();
    const ratio = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    const t = Math.round(line.start + ratio * span);
    set(snap(t, line.covered));
  }
  track.addEventListener('pointerdown', (event) => {
    fromPointer(event);
    thumb.focus();
    track.setPointerCapture(event.pointerId);
    const move = (e) => fromPointer(e);
    const up = () => { track.removeEventListener('pointermove', move); track.removeEventListener('pointerup', up); };
    track.addEventListener('pointermove', move);
    track.addEventListener('pointerup', up);
  });
  thumb.addEventListener('keydown', (event) => {
    const next = step(value, event.key, event.shiftKey, line.covered);
    if (next == null) return;
    event.preventDefault();
    set(next);
  });
  input.addEventListener('change', () => {
    const result = validate(input.value, line.covered);
    if (result.ok) {
      set(result.value, true);
    } else {
      valid = false;
      message.textContent = `pitrTimestamp ${result.message}`;
      onChange && onChange();
    }
  });

  const element = h('div.pitr',
    h('div.pitr-scale', h('span', iso(line.start)), h('span', iso(line.end))),
    track,
    h('div.pitr-legend', h('span.swatch.covered'), ' covered by archived WAL ', h('span.swatch.gap'), ' not recoverable from this backup'),
    h('p', 'Recovery point: ', isoOut, ' · ', localOut),
    h('label', 'Or type a moment (ISO 8601): ', input), ' ', message,
    h('p#pitr-help.muted', 'Keys on the slider: ←/→ one second, Shift+←/→ one minute, PageUp/PageDown one hour, ',
      'Home/End the first/last covered moment. A moment in a gap snaps to the nearest covered one.'));
  set(value);
  return { element, value: () => value, valid: () => valid };
}
