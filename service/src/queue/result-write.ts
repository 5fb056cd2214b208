import type { Redis } from 'ioredis';

// Replaces a job's input with its result in one step, allowed even when Redis is at maxmemory (allow-oom).
// The bound on memory is kept where work enters: admission and the input's SET refuse new jobs once Redis is
// full. A result only takes the place of its input, about its size, so refusing it would fail a job Redis
// already accepted while freeing nothing.
const replaceScript = `#!lua flags=allow-oom
redis.call('DEL', KEYS[1])
return redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
`;

interface ResultCommands {
  replaceInputWithResult(inputKey: string, resultKey: string, result: Buffer, ttlS: number): Promise<string>;
}

/** Stores `result` under resultKey for ttlS seconds and removes inputKey, atomically. */
export function replaceInputWithResult(
  redis: Redis,
  keys: { inputKey: string; resultKey: string },
  result: Buffer,
  ttlS: number,
): Promise<string> {
  if (!('replaceInputWithResult' in redis)) {
    redis.defineCommand('replaceInputWithResult', { numberOfKeys: 2, lua: replaceScript });
  }
  return (redis as Redis & ResultCommands).replaceInputWithResult(keys.inputKey, keys.resultKey, result, ttlS);
}
