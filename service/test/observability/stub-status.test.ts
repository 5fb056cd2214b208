import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sample } from '../../../testkit/metrics-text';
import { stubStatusMetrics } from '../../src/observability/stub-status';

// nginx 1.22's stub_status page, byte for byte (trailing spaces included).
const page = 'Active connections: 3 \nserver accepts handled requests\n 17 16 42 \nReading: 0 Writing: 1 Waiting: 2 \n';

test('stub_status becomes the nginx-prometheus-exporter series', () => {
  const text = stubStatusMetrics(page);
  const expected = {
    nginx_up: 1,
    nginx_connections_active: 3,
    nginx_connections_accepted: 17,
    nginx_connections_handled: 16,
    nginx_http_requests_total: 42,
    nginx_connections_reading: 0,
    nginx_connections_writing: 1,
    nginx_connections_waiting: 2,
  };
  for (const [name, value] of Object.entries(expected)) assert.equal(sample(text, name), value, name);
  assert.match(text, /^# TYPE nginx_http_requests_total counter$/m);
});

test('nginx unreachable or answering something else: nginx_up 0 and nothing more', () => {
  for (const unreadable of [undefined, '<html>502 Bad Gateway</html>']) {
    assert.equal(
      stubStatusMetrics(unreadable),
      '# HELP nginx_up Status of the last metric scrape\n# TYPE nginx_up gauge\nnginx_up 0\n',
    );
  }
});
