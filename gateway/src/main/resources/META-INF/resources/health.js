// The #/health screen: the system's health from the gateway's /health (200 UP when every
// service is, 503 DOWN otherwise). Needs no token.
import { h } from './dom.js';

export function healthScreen(every) {
  const overall = h('p#overall', 'Checking…');
  async function refresh() {
    try {
      const response = await fetch('/health', { headers: { Accept: 'application/json' } });
      const body = await response.json();
      overall.textContent = body.status === 'UP' ? 'All services are up.' : 'Some services are down.';
      overall.className = body.status === 'UP' ? 'UP' : 'DOWN';
    } catch (error) {
      overall.textContent = `The gateway could not be asked: ${error.message}`;
      overall.className = 'UNKNOWN';
    }
  }
  refresh();
  every(10000, refresh);
  return h('section', h('h1', { tabindex: -1 }, 'System health'),
    h('p', 'Health of the whole system, as the gateway sees it (', h('a', { href: '/health' }, '/health'),
      "; each service's own health is on its management port, ", h('code', 'bin/stack status'), ').'),
    overall);
}
