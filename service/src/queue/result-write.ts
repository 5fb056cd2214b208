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

export type ResultWrite = (
  keys: { inputKey: string; resultKey: string },
  result: Buffer,
  ttlS: number,
) => Promise<string>;

/**
 * Defines the script on this connection (once, where the connection is set up) and returns what stores `result`
 * under resultKey for ttlS seconds and removes inputKey, atomically.
 */
export function resultWrite(redis: Redis): ResultWrite {
  redis.defineCommand('replaceInputWithResult', { numberOfKeys: 2, lua: replaceScript });
  const commands = redis as Redis & ResultCommands;
  return ({ inputKey, resultKey }, result, ttlS) => commands.replaceInputWithResult(inputKey, resultKey, result, ttlS);
}
