// Prints docker-compose.yml in the form `docker stack deploy` reads, so the stack is deployed from the compose
// file itself plus deploy/swarm/stack.yml (what only a swarm needs), with no second copy of the settings.
//
// `docker stack deploy` validates against the Compose 3.x schema, which rejects a few keys the compose file
// uses for a single engine; each is moved to its 3.x equivalent or left out, and nothing else changes.
// Variables such as ${SERVICE_CPUS:-1} stay as they are: `docker stack deploy` interpolates them, as Compose does.
//   cpus, mem_limit  -> deploy.resources.limits.cpus / .memory (the same cgroup limits, per task)
//   depends_on       -> left out: a swarm starts services independently (nginx's upstream-watch waits for
//                       ready replicas anyway), and 3.x knows no conditions
//   profiles         -> a service of a profile not named on the command line is left out, as `docker compose
//                       up` leaves it out; the others lose the key
//   tmpfs            -> the same paths as `volumes` of type tmpfs: `docker stack deploy` ignores the tmpfs key.
//                       Their options (uid, mode) cannot be given there, and swarm's tmpfs mounts are
//                       world-writable (1777), which lets the service's non-root user write as well
//   build, restart,  -> left out: a swarm runs images from a registry, restarts tasks by
//   expose              deploy.restart_policy (stack.yml), and opens every port on the stack's network
//
// usage: node --import tsx deploy/swarm/stack-file.ts COMPOSE_FILE [PROFILE ...] > stack-compose.yml
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

interface Service {
  cpus?: number | string;
  mem_limit?: number | string;
  profiles?: string[];
  tmpfs?: string[];
  volumes?: unknown[];
  depends_on?: unknown;
  build?: unknown;
  deploy?: { resources?: { limits?: Record<string, unknown> } & Record<string, unknown> } & Record<string, unknown>;
  [key: string]: unknown;
}

export function stackFile(composeYaml: string, activeProfiles: string[]): string {
  // merge: Compose files share settings between services with YAML merge keys (<<: *anchor).
  const compose = parse(composeYaml, { merge: true }) as { services: Record<string, Service> };
  const services: Record<string, Service> = {};
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.profiles && !service.profiles.some((profile) => activeProfiles.includes(profile))) continue;
    const converted: Service = { ...service };
    for (const key of ['cpus', 'mem_limit', 'profiles', 'depends_on', 'build', 'restart', 'expose', 'tmpfs']) {
      delete converted[key];
    }
    if (service.tmpfs) {
      const mounts = service.tmpfs.map((entry) => ({ type: 'tmpfs', target: entry.split(':')[0] }));
      converted.volumes = [...(service.volumes ?? []), ...mounts];
    }
    const limits = {
      ...(service.cpus === undefined ? {} : { cpus: String(service.cpus) }),
      ...(service.mem_limit === undefined ? {} : { memory: String(service.mem_limit) }),
      ...service.deploy?.resources?.limits,
    };
    if (Object.keys(limits).length > 0) {
      converted.deploy = { ...service.deploy, resources: { ...service.deploy?.resources, limits } };
    }
    services[name] = converted;
  }
  return stringify({ ...compose, services });
}

if (require.main === module) {
  const [file, ...profiles] = process.argv.slice(2);
  if (!file) throw new Error('usage: stack-file.ts COMPOSE_FILE [PROFILE ...]');
  process.stdout.write(stackFile(readFileSync(file, 'utf8'), profiles));
}
