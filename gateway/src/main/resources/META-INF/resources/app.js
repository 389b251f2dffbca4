// The dashboard: hash routes, the token hand-over and the screens (docs/dashboard.md).
import { api, get, post, put, all, token, setToken, onUnauthorized, ApiError } from './api.js';
import { h, replace, bytes, time, badge, showFieldErrors } from './dom.js';
import { timeline } from './pitr.js';
import { pitrSlider } from './slider.js';
import { healthScreen } from './health.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let stopTimers = [];

/** Runs fn every `ms` until the screen changes (or fn returns false). */
function every(ms, fn) {
  let stopped = false;
  let timer = null;
  const tick = async () => {
    if (stopped) return;
    let again = true;
    try { again = (await fn()) !== false; } catch (e) { again = !(e instanceof ApiError && e.status === 401); }
    if (again && !stopped) timer = setTimeout(tick, ms);
  };
  stopTimers.push(() => { stopped = true; clearTimeout(timer); });
  timer = setTimeout(tick, ms);
}

function errorBox(error) {
  return h('p.error', { role: 'alert' }, error instanceof ApiError ? `${error.status}: ${error.message}` : String(error.message || error));
}

// --- the token: #/...?token=JWT once, then sessionStorage -----------------------------------
function takeTokenFromAddress() {
  const hash = location.hash || '#/';
  const q = hash.indexOf('?');
  if (q < 0) return;
  const params = new URLSearchParams(hash.slice(q + 1));
  const handed = params.get('token');
  if (!handed) return;
  setToken(handed);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}${hash.slice(0, q)}${rest ? `?${rest}` : ''}`);
}

function signIn(message) {
  nav.hidden = true;
  const area = h('textarea#token-input', { rows: 6, cols: 70, 'aria-label': 'Token (JWT)', spellcheck: 'false' });
  replace(main, h('section.signin',
    h('h1', 'Sign in'),
    message ? h('p.error', { role: 'alert' }, message) : null,
    h('p', 'Paste a token (a JWT for the API, e.g. from ', h('code', 'bin/stack token --permissions view:environments,manage:environments,manage:org_settings'),
      '). It is kept in this tab only (sessionStorage).'),
    h('form', { onsubmit: (e) => { e.preventDefault(); setToken(area.value); route(); } },
      area, h('div', h('button#sign-in', { type: 'submit' }, 'Sign in'))),
    h('p', h('a', { href: '#/health' }, 'System health'), ' needs no token.')));
}
onUnauthorized.push(() => signIn('The token was refused (missing, expired or not valid): paste a new one.'));

// --- routes -----------------------------------------------------------------------------------
const routes = [
  [/^\/?$/, home],
  [/^\/environments\/([^/]+)$/, environmentScreen],
  [/^\/backups\/([^/]+)\/restore$/, restoreDialog],
  [/^\/restores\/([^/]+)$/, restoreScreen],
  [/^\/destinations$/, destinationsScreen],
  [/^\/alerts$/, alertsScreen],
];

async function route() {
  stopTimers.forEach((f) => f());
  stopTimers = [];
  takeTokenFromAddress();
  const path = (location.hash.replace(/^#/, '').split('?')[0]) || '/';
  if (path === '/health') {
    nav.hidden = !token();
    replace(main, healthScreen(every));
    return;
  }
  if (!token()) { signIn(); return; }
  nav.hidden = false;
  for (const [pattern, screen] of routes) {
    const m = pattern.exec(path);
    if (m) {
      replace(main, h('p.muted', 'Loading…'));
      try {
        const el = await screen(...m.slice(1).map(decodeURIComponent));
        if (el) replace(main, el);
        performance.mark('ocore:screen');
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 401)) replace(main, errorBox(e));
      }
      document.querySelector('#main h1')?.focus({ preventScroll: true });
      return;
    }
  }
  replace(main, h('h1', 'Not found'), h('p', 'No screen at ', h('code', location.hash), '.'));
}

// --- home: the organisation's environments --------------------------------------------------
async function home() {
  const envs = await all('/api/environments');
  return h('section', h('h1', { tabindex: -1 }, 'Environments'),
    envs.length === 0 ? h('p', 'No environment is registered for this organisation.') :
      h('table', h('thead', h('tr', h('th', 'Name'), h('th', 'Type'), h('th', 'Project'), h('th', 'Id'))),
        h('tbody', envs.map((e) => h('tr',
          h('td', h('a', { href: `#/environments/${e.id}` }, e.name)), h('td', badge(e.environmentType)),
          h('td', h('code', e.projectId)), h('td', h('code', e.id)))))));
}

// --- one environment: backups, manual backup, schedule, WAL coverage, alerts ----------------
async function environmentScreen(envId) {
  const [env, destinations] = await Promise.all([get(`/api/environments/${envId}`), all('/api/backup-destinations').catch(() => [])]);
  const destName = (id) => (destinations.find((d) => d.id === id) || {}).name || id;
  const backupsBox = h('div#backups');
  const progressBox = h('p#backup-progress', { 'aria-live': 'polite' });

  async function loadBackups() {
    const [backups, snapshots] = await Promise.all([
      get(`/api/environments/${envId}/backups?limit=50`), get(`/api/environments/${envId}/snapshots?limit=20`).catch(() => ({ items: [] }))]);
    const rows = [...(backups.items || []), ...(snapshots.items || []).filter((s) => !(backups.items || []).some((b) => b.id === s.id))];
    replace(backupsBox, rows.length === 0 ? h('p', 'No backups yet.') : backupTable(rows, destName));
    const running = rows.filter((b) => b.status === 'pending' || b.status === 'in_progress');
    const detail = (p) => [p && p.phase, p && p.bytesDone != null ? bytes(p.bytesDone) : null].filter(Boolean).join(', ');
    replace(progressBox, running.map((b) => h('span.running', `${b.backupType} backup ${b.id.slice(0, 8)}: ${b.status}`,
      detail(b.progress) ? ` (${detail(b.progress)})` : '', ' ')));
    return running.length > 0;
  }

  let polling = false;
  function followBackups() {
    if (polling) return;
    polling = true;
    every(1000, async () => { const more = await loadBackups(); polling = more; return more; });
  }
  const backupError = h('p.error', { role: 'alert' });
  const start = (backupType) => async () => {
    backupError.textContent = '';
    try {
      await post(`/api/environments/${envId}/backups`, { backupType });
      await loadBackups();
      followBackups();
    } catch (e) {
      backupError.textContent = e.fields && Object.keys(e.fields).length
        ? Object.entries(e.fields).map(([f, m]) => `${f} ${m}`).join('; ') : e.message;
    }
  };

  // the sections load side by side: the first screen waits for the slowest, not for their sum
  const [running, schedule, wal, alerts] = await Promise.all([
    loadBackups(), scheduleSection(envId, destinations), walSection(envId), alertsSection({ environmentId: envId })]);
  if (running) followBackups();
  return h('section',
    h('h1', { tabindex: -1 }, env.name, ' ', badge(env.environmentType)),
    h('p.muted', 'Project ', h('code', env.projectId), ' · environment ', h('code', env.id)),
    h('h2', 'Backups'),
    h('div.actions', h('button#backup-db', { onclick: start('db') }, 'Back up database (db)'), ' ',
      h('button#backup-full', { onclick: start('full') }, 'Full backup (database, filestore, config)')),
    backupError, progressBox, backupsBox, schedule, wal, alerts);
}

function backupTable(rows, destName) {
  return h('table.backups',
    h('thead', h('tr', ['Created', 'Type', 'Trigger', 'Status', 'Size', 'GFS tiers', 'Destinations', ''].map((t) => h('th', t)))),
    h('tbody', rows.map((b) => h('tr', { 'data-backup-id': b.id },
      h('td', time(b.createdAt)), h('td', b.backupType), h('td', b.trigger),
      h('td', badge(b.status), b.error ? h('div.error', b.error) : null),
      h('td', bytes(b.sizeBytes)), h('td', (b.gfsTiers || []).join(', ')),
      h('td', Object.entries(b.remotePaths || {}).map(([d, p]) => h('div', destName(d), ': ', h('code', p))),
        Object.keys(b.failedDestinations || {}).length || (Array.isArray(b.failedDestinations) && b.failedDestinations.length)
          ? h('div.error', 'failed: ', JSON.stringify(b.failedDestinations)) : null),
      h('td', b.checksums ? h('details', h('summary', 'checksums'),
        Object.entries(b.checksums).filter(([, v]) => v).map(([k, v]) => h('div', `${k}: `, h('code', v)))) : null,
      b.status === 'completed' ? h('a.restore-link', { href: `#/backups/${b.id}/restore` }, 'Restore…') : null)))));
}

async function scheduleSection(envId, destinations) {
  const section = h('section#schedule', h('h2', 'Schedule'));
  let schedule;
  try { schedule = await get(`/api/environments/${envId}/backup-schedule`); } catch (e) { section.append(errorBox(e)); return section; }
  const field = (name, label, control) => h('div.field', h('label', { for: `f-${name}` }, label), control,
    h('small.error', { 'data-error-for': name }));
  const select = (name, values) => h(`select#f-${name}`, { name }, values.map((v) => h('option', { value: v, selected: schedule[name] === v }, v)));
  const number = (name, min) => h(`input#f-${name}`, { type: 'number', name, min, step: 1, value: schedule[name] ?? '' });
  const check = (name) => h(`input#f-${name}`, { type: 'checkbox', name, checked: schedule[name] });
  const destBoxes = destinations.map((d) => h('label.inline', h('input', { type: 'checkbox', name: 'destinationIds', value: d.id,
    checked: (schedule.destinationIds || []).includes(d.id) }), ` ${d.name} (${d.destinationType})`));
  const status = h('p.muted#schedule-status', { 'aria-live': 'polite' });
  const unplaced = h('p.error', { role: 'alert' });
  const next = h('p#schedule-next');
  const showNext = (s) => replace(next, 'Next database backup: ', s.nextDbBackupAt ? time(s.nextDbBackupAt) : '—',
    ' · next full backup: ', s.nextFullBackupAt ? time(s.nextFullBackupAt) : '—');
  showNext(schedule);
  const form = h('form.schedule', { novalidate: true },
    field('enabled', 'Enabled', check('enabled')),
    field('dbFrequency', 'Database backups (dbFrequency)', select('dbFrequency', ['hourly', '6h', '12h', 'daily'])),
    field('fullFrequency', 'Full backups (fullFrequency)', select('fullFrequency', ['daily', 'weekly'])),
    field('retainHourly', 'Keep hourly (retainHourly)', number('retainHourly', 0)),
    field('retainDaily', 'Keep daily (retainDaily)', number('retainDaily', 0)),
    field('retainWeekly', 'Keep weekly (retainWeekly)', number('retainWeekly', 0)),
    field('retainMonthly', 'Keep monthly (retainMonthly)', number('retainMonthly', 0)),
    field('walEnabled', 'WAL archiving (walEnabled)', check('walEnabled')),
    field('walRetentionDays', 'Keep WAL, days (walRetentionDays)', number('walRetentionDays', 1)),
    h('div.field', h('span.label', 'Destinations (destinationIds)'), h('div', destBoxes.length ? destBoxes : 'no destinations'),
      h('small.error', { 'data-error-for': 'destinationIds' })),
    h('div', h('button#schedule-save', { type: 'submit' }, 'Save schedule')), status, unplaced);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const num = (n) => { const v = form.elements[n].value; return v === '' ? null : Number(v); };
    const body = {
      enabled: form.elements.enabled.checked, dbFrequency: form.elements.dbFrequency.value,
      fullFrequency: form.elements.fullFrequency.value, retainHourly: num('retainHourly'), retainDaily: num('retainDaily'),
      retainWeekly: num('retainWeekly'), retainMonthly: num('retainMonthly'), walEnabled: form.elements.walEnabled.checked,
      walRetentionDays: num('walRetentionDays'),
      destinationIds: [...form.querySelectorAll('input[name=destinationIds]:checked')].map((c) => c.value),
    };
    status.textContent = 'Saving…';
    unplaced.textContent = '';
    try {
      const saved = await put(`/api/environments/${envId}/backup-schedule`, body);
      showFieldErrors(form, null);
      status.textContent = 'Saved.';
      showNext(saved);
    } catch (err) {
      status.textContent = '';
      const rest = showFieldErrors(form, err);
      unplaced.textContent = rest.length ? rest.join('; ') : (Object.keys(err.fields).length ? '' : err.message);
    }
  });
  section.append(next, form);
  const preview = h('details#retention-preview', h('summary', 'Retention preview (what the next pruning keeps and deletes)'));
  preview.addEventListener('toggle', async () => {
    if (!preview.open || preview.dataset.loaded) return;
    preview.dataset.loaded = '1';
    try {
      const p = await get(`/api/environments/${envId}/backup-schedule/retention-preview`);
      preview.append(
        h('ul', (p.tiers || []).map((t) => h('li', `${t.tier}: keeps ${(t.backups || []).length} of ${t.retain}`))),
        h('p', `Kept: ${(p.kept || []).length} · never pruned: ${(p.neverPruned || []).length} · to delete: ${(p.toDelete || []).length}`),
        (p.toDelete || []).length ? h('ul', p.toDelete.map((d) => h('li', h('code', d.id), ` (${d.reason})`))) : null);
    } catch (err) { preview.append(errorBox(err)); }
  });
  section.append(preview);
  return section;
}

async function walSection(envId) {
  const section = h('section#wal', h('h2', 'WAL coverage'));
  try {
    const c = await get(`/api/environments/${envId}/wal-coverage`);
    if (!c.walEnabled) { section.append(h('p', 'WAL archiving is off for this environment.')); return section; }
    section.append(h('p', `${c.segmentCount} segments archived, latest at `, c.latestArchivedAt ? time(c.latestArchivedAt) : '—',
      `, kept ${c.walRetentionDays ?? '?'} days.`),
    h('table', h('thead', h('tr', ['', 'From', 'To', 'Timeline', 'Segments'].map((t) => h('th', t)))),
      h('tbody',
        (c.ranges || []).map((r) => h('tr', h('td', badge('covered')), h('td', r.from ? time(r.from) : 'no commit'), h('td', r.to ? time(r.to) : ''),
          h('td', r.timeline), h('td', h('code', `${r.startSegment}…${r.endSegment}`)))),
        (c.gaps || []).map((g) => h('tr', h('td', badge('gap')), h('td', g.from ? time(g.from) : ''), h('td', g.to ? time(g.to) : ''),
          h('td', ''), h('td', h('code', `after ${g.afterSegment}, before ${g.beforeSegment}`)))))));
  } catch (e) {
    section.append(e instanceof ApiError && e.status === 404 ? h('p', 'WAL archiving is off for this environment.') : errorBox(e));
  }
  return section;
}

// --- alerts -----------------------------------------------------------------------------------
async function alertsSection(filter) {
  const section = h('section#alerts', h('h2', 'Alerts'));
  const list = h('div');
  const query = new URLSearchParams({ ...filter, limit: 100 }).toString();
  async function load() {
    const page = await get(`/api/backup-alerts?${query}`);
    const items = page.items || [];
    replace(list, items.length === 0 ? h('p', 'No alerts.') : h('table.alerts',
      h('thead', h('tr', ['When', 'Severity', 'Type', 'Message', 'Read'].map((t) => h('th', t)))),
      h('tbody', items.map((a) => h(`tr.${a.isRead ? 'read' : 'unread'}`, { 'data-alert-id': a.id },
        h('td', time(a.createdAt)), h('td', badge(a.severity)), h('td', a.alertType), h('td', a.message),
        h('td', a.isRead ? 'read' : h('button.mark-read', { onclick: async () => { await post(`/api/backup-alerts/${a.id}/read`); await load(); } }, 'Mark read')))))));
  }
  await load();
  if (!filter.environmentId) {
    section.append(h('button#read-all', { onclick: async () => { await post('/api/backup-alerts/read-all'); await load(); } }, 'Mark all read'));
  }
  section.append(list);
  return section;
}

async function alertsScreen() {
  const s = await alertsSection({});
  s.querySelector('h2').replaceWith(h('h1', { tabindex: -1 }, 'Alerts'));
  return s;
}

// --- destinations -------------------------------------------------------------------------------
const DESTINATION_FIELDS = {
  s3: [['bucket'], ['region'], ['accessKeyId'], ['secretAccessKey', 'secret'], ['endpoint', 'optional'], ['pathPrefix', 'optional']],
  s3_compatible: [['bucket'], ['region'], ['endpoint'], ['accessKeyId'], ['secretAccessKey', 'secret'], ['pathPrefix', 'optional']],
  sftp: [['host'], ['port', 'number'], ['username'], ['password', 'secret'], ['privateKey', 'secret-text'], ['passphrase', 'secret'],
    ['path'], ['hostKeyFingerprint', 'optional']],
  local: [['path']],
  onedrive: [['clientId'], ['clientSecret', 'secret'], ['refreshToken', 'secret'], ['tenant', 'optional'], ['driveId', 'optional'], ['folderPath', 'optional']],
  gdrive: [['clientId'], ['clientSecret', 'secret'], ['refreshToken', 'secret'], ['folderId', 'optional']],
};

async function destinationsScreen() {
  const list = h('div#destination-list');
  async function load() {
    const items = await all('/api/backup-destinations');
    replace(list, items.length === 0 ? h('p', 'No destinations yet.') : h('table.destinations',
      h('thead', h('tr', ['Name', 'Type', 'Verified', 'Last tested', 'Test'].map((t) => h('th', t)))),
      h('tbody', items.map((d) => {
        const result = h('span.test-result', { 'aria-live': 'polite' });
        const verified = h('td.verified');
        const tested = h('td.tested');
        const show = (x) => {
          replace(verified, x.isVerified ? badge('verified') : badge('unverified'));
          replace(tested, x.lastTestedAt ? time(x.lastTestedAt) : 'never');
        };
        show(d);
        return h('tr', { 'data-destination-id': d.id },
          h('td', d.name), h('td', d.destinationType), verified, tested,
          h('td', h('button.test', { onclick: async (e) => {
            e.target.disabled = true;
            result.textContent = ' testing…';
            try {
              const r = await post(`/api/backup-destinations/${d.id}/test`);
              result.textContent = r.ok ? ` ok (${r.latencyMs} ms)` : ` failed: ${r.error}`;
              show(await get(`/api/backup-destinations/${d.id}`));
            } catch (err) { result.textContent = ` ${err.message}`; }
            e.target.disabled = false;
          } }, 'Test Connection'), result));
      }))));
  }
  await load();

  const type = h('select#dest-type', { name: 'destinationType' }, Object.keys(DESTINATION_FIELDS).map((t) => h('option', { value: t }, t)));
  const fields = h('div');
  const showFields = () => replace(fields, DESTINATION_FIELDS[type.value].map(([name, kind]) => h('div.field',
    h('label', { for: `d-${name}` }, name, kind === 'optional' ? ' (optional)' : ''),
    kind === 'secret-text' ? h(`textarea#d-${name}`, { name, rows: 3, autocomplete: 'off' })
      : h(`input#d-${name}`, { name, type: kind === 'number' ? 'number' : kind === 'secret' ? 'password' : 'text', autocomplete: 'off',
        value: name === 'port' ? 22 : undefined }),
    h('small.error', { 'data-error-for': `config.${name}` }))));
  type.addEventListener('change', showFields);
  showFields();
  const status = h('p', { 'aria-live': 'polite' });
  const form = h('form.destination', { novalidate: true },
    h('div.field', h('label', { for: 'd-name' }, 'Name'), h('input#d-name', { name: 'name', type: 'text' }), h('small.error', { 'data-error-for': 'name' })),
    h('div.field', h('label', { for: 'dest-type' }, 'Type'), type, h('small.error', { 'data-error-for': 'destinationType' })),
    fields, h('button#dest-save', { type: 'submit' }, 'Save destination'), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const config = {};
    for (const [name, kind] of DESTINATION_FIELDS[type.value]) {
      const v = form.elements[name].value;
      if (v === '') continue;
      config[name] = kind === 'number' ? Number(v) : v;
    }
    try {
      await post('/api/backup-destinations', { name: form.elements.name.value, destinationType: type.value, config });
      showFieldErrors(form, null);
      status.textContent = 'Saved. Test it with Test Connection.';
      form.reset();
      showFields();
      await load();
    } catch (err) {
      const rest = showFieldErrors(form, err);
      status.textContent = rest.length ? rest.join('; ') : (Object.keys(err.fields).length ? '' : err.message);
    }
  });
  return h('section', h('h1', { tabindex: -1 }, 'Destinations'), list, h('h2', 'Add a destination'), form);
}

// --- the restore dialog ---------------------------------------------------------------------------
async function restoreDialog(backupId) {
  const backup = await get(`/api/backups/${backupId}`);
  const source = await get(`/api/environments/${backup.environmentId}`);
  const [projectEnvs, backups, snapshots] = await Promise.all([
    all(`/api/environments?projectId=${encodeURIComponent(source.projectId)}`),
    get(`/api/environments/${source.id}/backups?status=completed&limit=50`).then((p) => p.items || []),
    get(`/api/environments/${source.id}/snapshots?limit=20`).then((p) => (p.items || []).filter((s) => s.status === 'completed')).catch(() => [])]);
  const others = projectEnvs.filter((e) => e.id !== source.id);

  const base = h('select#restore-base', { 'aria-label': 'Backup or snapshot to restore',
    onchange: (e) => { location.hash = `#/backups/${e.target.value}/restore`; } },
  [...backups, ...snapshots.filter((s) => !backups.some((b) => b.id === s.id))].map((b) => h('option', { value: b.id, selected: b.id === backupId },
    `${b.trigger === 'pre_restore' ? 'snapshot' : `${b.backupType} backup`} ${(b.completedAt || b.createdAt || '').replace(/\.\d+Z$/, 'Z')} (${b.id.slice(0, 8)})`)));
  if (!backups.some((b) => b.id === backupId) && !snapshots.some((b) => b.id === backupId)) {
    base.prepend(h('option', { value: backupId, selected: true }, `${backup.backupType} backup ${backup.id.slice(0, 8)}`));
  }

  const radio = (value, label) => h('label.inline', h('input', { type: 'radio', name: 'targetType', value, checked: value === 'same', id: `target-${value}` }), ` ${label}`);
  const otherSelect = h('select#target-env', { name: 'targetEnvironmentId', 'aria-label': 'Target environment' },
    others.length ? others.map((e) => h('option', { value: e.id }, `${e.name} (${e.environmentType})`)) : h('option', { value: '' }, 'no other environment in this project'));
  const newName = h('input#new-name', { type: 'text', name: 'newEnvironmentName', 'aria-label': 'Name of the new environment' });
  const neutralize = h('input#neutralize', { type: 'checkbox', name: 'neutralize' });
  const confirmInput = h('input#confirm', { type: 'text', name: 'confirm', autocomplete: 'off' });
  const confirmLabel = h('label', { for: 'confirm' });
  const confirmBox = h('div#confirm-box.warning', confirmLabel, confirmInput, h('small.error', { 'data-error-for': 'confirm' }));
  const overwrite = h('p#overwrite-warning.warning', { role: 'alert' });
  const submit = h('button#restore-submit', { type: 'submit' }, 'Restore');
  const status = h('p.error', { role: 'alert' });
  const pitrBox = h('div#pitr-box');
  const usePitr = h('input#use-pitr', { type: 'checkbox', name: 'usePitr' });
  let slider = null;

  const target = () => {
    const t = form.elements.targetType.value;
    if (t === 'same') return { type: t, env: source };
    if (t === 'other') return { type: t, env: others.find((e) => e.id === otherSelect.value) || null };
    return { type: t, env: null };
  };
  let lastTargetKey = null;
  function refresh() {
    const t = target();
    otherSelect.disabled = t.type !== 'other';
    newName.disabled = t.type !== 'new';
    const production = t.env && t.env.environmentType === 'production';
    const key = `${t.type}:${t.env ? t.env.id : ''}`;
    if (key !== lastTargetKey) { neutralize.checked = !production; lastTargetKey = key; }
    overwrite.textContent = t.type === 'new' ? ''
      : `Restoring to ${t.env ? `${t.env.name} (${t.env.environmentType})` : 'the chosen environment'} overwrites its database and filestore. `
        + 'A pre-restore snapshot of it is taken first.';
    confirmBox.hidden = !production;
    confirmInput.disabled = !production;
    confirmLabel.textContent = production ? `${t.env.name} is a production environment: type its name to confirm ` : '';
    const pitrBad = usePitr.checked && slider && !slider.valid();
    submit.disabled = (production && confirmInput.value !== t.env.name) || (t.type === 'other' && !t.env) || pitrBad;
    if (slider) slider.element.hidden = !usePitr.checked;
  }
  confirmInput.addEventListener('input', refresh);

  const form = h('form#restore-form.restore', { novalidate: true },
    h('div.field', h('span.label', 'Backup'), base),
    h('p', 'Source: ', h('strong', source.name), ' ', badge(source.environmentType), ` · ${backup.backupType} backup, completed `,
      time(backup.completedAt)),
    h('fieldset', h('legend', 'Target'),
      h('div', radio('same', `same: ${source.name} (${source.environmentType})`)),
      h('div', radio('other', 'other environment of the project:'), ' ', otherSelect, h('small.error', { 'data-error-for': 'targetEnvironmentId' })),
      h('div', radio('new', 'new environment, named'), ' ', newName, h('small.error', { 'data-error-for': 'newEnvironmentName' })),
      h('small.error', { 'data-error-for': 'targetType' })),
    overwrite,
    h('div.field', h('label.inline', neutralize, ' Neutralize after the restore (outgoing mail, scheduled actions, payment providers off)'),
      h('small.error', { 'data-error-for': 'neutralize' })),
    h('fieldset', h('legend', 'Point in time'), pitrBox),
    confirmBox, h('div', submit), status);
  form.addEventListener('change', refresh);

  // the PITR slider, when the backup is a PITR base
  try {
    const [range, coverage] = await Promise.all([get(`/api/backups/${backupId}/pitr-range`), get(`/api/environments/${source.id}/wal-coverage`)]);
    const line = timeline(range, coverage, backup.startedAt || backup.createdAt);
    if (line.covered.length) {
      slider = pitrSlider(line, refresh);
      replace(pitrBox, h('label.inline', usePitr, ' Restore to a moment after the backup (needs archived WAL)'), slider.element);
    } else {
      replace(pitrBox, h('p', 'No moment after this backup is covered by archived WAL yet.'));
    }
  } catch (e) {
    replace(pitrBox, h('p.muted#pitr-none', e instanceof ApiError && e.status === 404
      ? 'This backup has no point-in-time base (WAL archiving was off when it was taken): it restores as it is.'
      : `Point in time not available: ${e.message}`));
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const t = target();
    const body = { targetType: t.type, neutralize: neutralize.checked };
    if (t.type === 'other') body.targetEnvironmentId = otherSelect.value;
    if (t.type === 'new') body.newEnvironmentName = newName.value;
    if (t.env && t.env.environmentType === 'production') body.confirm = confirmInput.value;
    if (usePitr.checked && slider) {
      if (!slider.valid()) return;
      body.pitrTimestamp = new Date(slider.value()).toISOString();
    }
    status.textContent = '';
    submit.disabled = true;
    try {
      const r = await post(`/api/backups/${backupId}/restore`, body);
      location.hash = `#/restores/${r.restoreId || r.id}`;
    } catch (err) {
      const rest = showFieldErrors(form, err);
      status.textContent = rest.length ? rest.join('; ') : (Object.keys(err.fields).length ? '' : err.message);
      refresh();
    }
  });
  refresh();
  return h('section', { role: 'dialog', 'aria-labelledby': 'restore-title' },
    h('h1#restore-title', { tabindex: -1 }, 'Restore'), form,
    h('p', h('a', { href: `#/environments/${source.id}` }, `Back to ${source.name}`)));
}

// --- a restore's progress and step logs ------------------------------------------------------------
async function restoreScreen(restoreId) {
  const head = h('div#restore-status', { 'aria-live': 'polite' });
  const logs = h('div#restore-logs');
  async function load() {
    const [r, steps] = await Promise.all([get(`/api/restores/${restoreId}`), get(`/api/restores/${restoreId}/logs`).catch(() => [])]);
    const p = r.progress || {};
    const done = r.status === 'completed' || r.status === 'failed';
    replace(head,
      h('p', 'Status: ', badge(r.status), ` · target ${r.targetType}`, r.targetEnvironmentId ? [' ', h('a', { href: `#/environments/${r.targetEnvironmentId}` }, 'environment')] : null,
        r.preRestoreSnapshotId ? [' · pre-restore snapshot ', h('code', r.preRestoreSnapshotId)] : null),
      done ? null : h('p', h('progress', { max: 100, value: p.percent ?? 0, 'aria-label': 'Restore progress' }),
        ` ${p.step || ''} ${p.percent != null ? `${p.percent} %` : ''} ${p.bytesTotal ? `${bytes(p.bytesDone)} of ${bytes(p.bytesTotal)}` : ''}`),
      r.error ? h('p.error', r.error) : null,
      h('p.muted', 'Started ', time(r.startedAt), r.completedAt ? [' · finished ', time(r.completedAt)] : null));
    const list = Array.isArray(steps) ? steps : (steps.items || []);
    replace(logs, list.length === 0 ? h('p.muted', 'No steps yet.') : h('table.steps',
      h('thead', h('tr', ['Step', 'Status', 'Started', 'Duration', 'Message'].map((t) => h('th', t)))),
      h('tbody', list.map((s) => h('tr', h('td', s.step), h('td', badge(s.status)), h('td', time(s.startedAt)),
        h('td', s.durationMs != null ? `${(s.durationMs / 1000).toFixed(1)} s` : ''), h('td', s.message || ''))))));
    return !done;
  }
  if (await load()) every(1000, load);
  return h('section', h('h1', { tabindex: -1 }, 'Restore ', h('code', restoreId.slice(0, 8))), head, h('h2', 'Steps'), logs);
}

document.getElementById('sign-out').addEventListener('click', () => { setToken(null); signIn('Signed out.'); });
window.addEventListener('hashchange', route);
route();
export { api };
