// Shows the system's health from the gateway's /health (200 UP when every service is, 503 DOWN otherwise).
async function refresh() {
  const overall = document.getElementById('overall');
  try {
    const response = await fetch('/health', { headers: { Accept: 'application/json' } });
    const body = await response.json();
    overall.textContent = body.status === 'UP' ? 'All services are up.' : 'Some services are down.';
    overall.className = body.status;
  } catch (error) {
    overall.textContent = 'The gateway could not be asked: ' + error.message;
    overall.className = 'UNKNOWN';
  }
}
refresh();
setInterval(refresh, 10000);
