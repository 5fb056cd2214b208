import type { JobRecord, JobState } from '../queue/job-queue';

/** GET /jobs/:id's answer. */
export interface JobView {
  id: string;
  status: JobState;
  /** 1 = the next job a worker takes; null unless waiting. */
  position: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  ms: number | null;
  /** hostname/pid of the worker that completed it. */
  worker: string | null;
  error: { code: string; message: string } | null;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function jobView(job: JobRecord): JobView {
  const { startedAt, finishedAt, failure } = job;
  return {
    id: job.id,
    status: job.state,
    position: job.position ?? null,
    createdAt: iso(job.createdAt)!,
    startedAt: iso(startedAt),
    finishedAt: iso(finishedAt),
    ms: startedAt !== undefined && finishedAt !== undefined ? finishedAt - startedAt : null,
    worker: job.worker ?? null,
    error: failure ? { code: failure.code, message: failure.message } : null,
  };
}
