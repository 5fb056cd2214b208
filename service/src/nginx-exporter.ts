import { createServer } from 'node:http';
import { loadConfigOrExit } from './config';
import { createLogger } from './observability/logger';
import { stubStatusMetrics } from './observability/stub-status';

// The compose `monitoring` profile's nginx exporter: GET /metrics reads nginx's stub_status (an unpublished
// port on the compose network) and answers it as Prometheus text. Runs from the service image.
const STATUS_TIMEOUT_MS = 2000;

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);

async function statusPage(): Promise<string | undefined> {
  try {
    const response = await fetch(config.nginxStatusUrl, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

const server = createServer((req, res) => {
  if (req.url !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  void statusPage().then((page) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(stubStatusMetrics(page));
  });
});
server.listen(config.port, config.host, () =>
  logger.info({ status: config.nginxStatusUrl }, 'nginx exporter listening'),
);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
