// nginx's stub_status page turned into Prometheus text, under the metric names nginx-prometheus-exporter uses
// (its Go module cannot be fetched here), so dashboards and rules written for that exporter read these too.
//
//   Active connections: 2
//   server accepts handled requests
//    10 10 31
//   Reading: 0 Writing: 1 Waiting: 1

const STUB_STATUS =
  /Active connections:\s*(\d+)\s+server accepts handled requests\s+(\d+)\s+(\d+)\s+(\d+)\s+Reading:\s*(\d+)\s+Writing:\s*(\d+)\s+Waiting:\s*(\d+)/;

const series = [
  ['nginx_connections_active', 'gauge', 'Active client connections'],
  ['nginx_connections_accepted', 'counter', 'Accepted client connections'],
  ['nginx_connections_handled', 'counter', 'Handled client connections'],
  ['nginx_http_requests_total', 'counter', 'Total http requests'],
  ['nginx_connections_reading', 'gauge', 'Connections where nginx is reading the request header'],
  ['nginx_connections_writing', 'gauge', 'Connections where nginx is writing the response back to the client'],
  ['nginx_connections_waiting', 'gauge', 'Idle client connections'],
] as const;

function line(name: string, type: string, help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
}

/** The exposition text for one stub_status page; undefined (nginx unreachable or not stub_status) gives nginx_up 0. */
export function stubStatusMetrics(page: string | undefined): string {
  const match = page === undefined ? null : STUB_STATUS.exec(page);
  const up = line('nginx_up', 'gauge', 'Status of the last metric scrape', match === null ? 0 : 1);
  if (match === null) return up;
  return up + series.map(([name, type, help], i) => line(name, type, help, Number(match[i + 1]))).join('');
}
