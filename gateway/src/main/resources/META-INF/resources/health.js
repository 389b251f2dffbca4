// Lists each service's health from the gateway's /health (200 when all are UP, 503 otherwise).
async function refresh() {
  const overall = document.getElementById('overall');
  const rows = document.getElementById('services');
  try {
    const response = await fetch('/health', { headers: { Accept: 'application/json' } });
    const body = await response.json();
    overall.textContent = body.status === 'UP' ? 'All services are up.' : 'Some services are down.';
    overall.className = body.status;
    rows.replaceChildren(...Object.entries(body.services).map(([name, health]) => {
      const row = document.createElement('tr');
      const nameCell = document.createElement('td');
      nameCell.textContent = name;
      const statusCell = document.createElement('td');
      statusCell.textContent = health.status + (health.error ? ' (' + health.error + ')' : '');
      statusCell.className = health.status;
      row.append(nameCell, statusCell);
      return row;
    }));
  } catch (error) {
    overall.textContent = 'The gateway could not be asked: ' + error.message;
    overall.className = 'UNKNOWN';
  }
}
refresh();
setInterval(refresh, 10000);
