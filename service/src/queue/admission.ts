import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

// How long an admission's reservation holds its slot: far longer than storing the input and adding the job
// take, short enough that the slot of an api that died in between comes back soon.
const RESERVATION_MS = 10_000;

// Counts the waiting jobs (BullMQ's wait and paused lists, what Queue.getWaitingCount counts) plus the admissions
// under way on every api, and reserves a slot if one is free, in one step: Redis runs a script alone, so two
// replicas can never both take the last slot. A reservation whose job is already in Redis is not counted twice;
// expired ones (their api died) are dropped. Scored by Redis's own clock: apis on other hosts may disagree.
// Returns -1 when admitted, else the count that refused. Flagged (a shebang without allow-oom), Redis refuses
// the whole script while it is above maxmemory: a full Redis takes no new work, not even a reservation.
const admitScript = `#!lua
local wait, paused, reservations = KEYS[1], KEYS[2], KEYS[3]
local max, id, reservationMs, jobKeyPrefix = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), ARGV[4]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', reservations, '-inf', now)
local count = redis.call('LLEN', wait) + redis.call('LLEN', paused)
for _, reserved in ipairs(redis.call('ZRANGE', reservations, 0, -1)) do
  if redis.call('EXISTS', jobKeyPrefix .. reserved) == 0 then count = count + 1 end
end
if count >= max then return count end
redis.call('ZADD', reservations, now + reservationMs, id)
return -1
`;

interface AdmissionCommands {
  admitFlip(wait: string, paused: string, reservations: string, ...args: Array<string | number>): Promise<number>;
}

/** The deployment-wide bound on waiting jobs (JOB_QUEUE_MAX), kept atomically in Redis across api replicas. */
export class Admission {
  private readonly redis: Redis & AdmissionCommands;
  private readonly reservations: string;

  constructor(
    redis: Redis,
    private readonly queue: Queue,
    private readonly max: number,
  ) {
    redis.defineCommand('admitFlip', { numberOfKeys: 3, lua: admitScript });
    this.redis = redis as Redis & AdmissionCommands;
    this.reservations = queue.toKey('admissions');
  }

  /**
   * Runs add (which must put job `id` in the queue) if a slot is free and resolves undefined; otherwise resolves
   * the number of jobs (waiting or being admitted) that filled the bound, without running add.
   */
  async admit(id: string, add: () => Promise<void>): Promise<number | undefined> {
    const { wait, paused } = this.queue.keys;
    const refusedAt = await this.redis.admitFlip(
      wait!,
      paused!,
      this.reservations,
      this.max,
      id,
      RESERVATION_MS,
      this.queue.toKey(''),
    );
    if (refusedAt >= 0) return refusedAt;
    try {
      await add();
    } finally {
      // Once the job is in the queue it counts as waiting; a failed release only keeps the slot until it expires.
      await this.redis.zrem(this.reservations, id).catch(() => undefined);
    }
    return undefined;
  }
}
