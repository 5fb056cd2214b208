import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { FlipTask } from '../flip/flip-task';
import { flipWithJimp } from './jimp-flip';

/** Piscina's entry in each flip thread: the output travels back transferred, not copied. */
export default async function flipInThread(task: FlipTask) {
  const outcome = await flipWithJimp(task);
  if (!outcome.ok) return outcome;
  return move({
    get [transferableSymbol]() {
      return [outcome.output.buffer];
    },
    get [valueSymbol]() {
      return outcome;
    },
  });
}
