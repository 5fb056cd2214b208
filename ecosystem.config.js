// PM2 cluster mode for the compiled service: `pm2-runtime ecosystem.config.js` in the image, `make pm2` on a host.
// Run `npm run build` first: PM2 cluster mode runs JavaScript only, and this file reuses the service's own
// configuration check and CPU/memory probes from service/dist.
const path = require('node:path');
const { loadConfigOrExit } = require('./service/dist/config');
const { availableCpus } = require('./service/dist/process/available-cpus');
const { availableMemory } = require('./service/dist/process/available-memory');

const MiB = 1024 * 1024;
const KILL_AFTER_SHUTDOWN_MS = 5_000;

// One instance per CPU this process may use (cgroup quota and affinity mask), never the host's core count inside a
// CPU-limited container; WEB_CONCURRENCY overrides, validated by the service's config schema.
const config = loadConfigOrExit();
const instances = config.webConcurrency ?? availableCpus();

// Each instance's share of the container's memory limit (the host's memory outside a container), keeping a tenth
// for the PM2 daemon. PM2 checks every 30 s and restarts an instance above it with a graceful reload.
const memoryPerInstanceMiB = Math.floor((0.9 * availableMemory()) / instances / MiB);

// pm2-runtime streams every instance's stdout/stderr to its own, which is where a container's logs belong; log
// files would only fill the container's filesystem. `pm2 start` on a host keeps PM2's files under PM2_HOME.
const underPm2Runtime = /pm2-(runtime|docker)$/.test(process.argv[1] ?? '');
const logFiles = underPm2Runtime ? { out_file: '/dev/null', error_file: '/dev/null' } : {};

// SERVICE_ROLE picks the program: the HTTP api (server.js) or, in queue mode, a worker (worker.js); both run one
// instance per available CPU.
const role =
  config.role === 'worker'
    ? { name: 'flipstack-worker', script: 'worker.js' }
    : { name: 'flipstack', script: 'server.js' };

module.exports = {
  apps: [
    {
      name: role.name,
      script: path.join(__dirname, 'service', 'dist', role.script),
      cwd: __dirname,
      exec_mode: 'cluster',
      instances,
      // The service calls process.send('ready') once it listens; a reload replaces an instance only after that.
      // Booting takes about a second on an idle core and was seen at 8 s on a saturated 2-core machine; an instance
      // silent for longer than listen_timeout is taken as ready anyway.
      wait_ready: true,
      listen_timeout: 30_000,
      // Graceful stop, innermost first: the service finishes its flips within SHUTDOWN_TIMEOUT_MS, PM2 SIGKILLs an
      // instance 5 s after that, and the container's own grace period (compose, Swarm, Kubernetes) is longer
      // still (docs/pm2.md has the whole chain).
      kill_timeout: config.shutdownTimeoutMs + KILL_AFTER_SHUTDOWN_MS,
      // Ask for the graceful stop by IPC message; the service handles it exactly like SIGINT/SIGTERM.
      shutdown_with_message: true,
      max_memory_restart: `${memoryPerInstanceMiB}M`,
      // An instance that keeps crashing is restarted after 100 ms, then 150, 225 ... up to 15 s; the delay resets
      // once it has stayed up for 30 s. Under the crash switch (CRASH_AFTER_MS_MAX) instances die on purpose, at
      // random, every few seconds: backoff would read that as a crash loop and keep them down for up to 15 s,
      // and the experiment would measure PM2's backoff instead of recovery. There every restart is immediate.
      ...(config.crashAfterMsMax > 0 ? { restart_delay: 100 } : { exp_backoff_restart_delay: 100 }),
      ...logFiles,
      env: {
        NODE_ENV: 'development',
      },
      env_production: {
        NODE_ENV: 'production',
      },
    },
  ],
};
