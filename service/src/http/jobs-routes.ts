import type { Router } from '@koa/router';
import type { Config } from '../config';
import { ServiceError } from '../errors';
import { checkedFlipTask } from '../flip/flip-job';
import { jobNotFound, type JobQueue } from '../queue/job-queue';
import { flipOptions, readImageBody } from './flip-route';
import { jobView } from './job-view';

/**
 * The async API of queue mode: POST /jobs takes what POST /flip takes and answers 202 at once; the client polls
 * GET /jobs/:id and fetches GET /jobs/:id/result. Without queue mode (jobs undefined) every /jobs route says so.
 */
export function addJobsRoutes(router: Router, config: Config['flip'], jobs: JobQueue | undefined): void {
  const paths = ['/jobs', '/jobs/:id', '/jobs/:id/result'];
  if (jobs === undefined) {
    router.all(paths, () => {
      throw new ServiceError('queue_mode_required');
    });
    return;
  }
  router.post('/jobs', async (ctx) => {
    const options = flipOptions(ctx, config);
    const { body, declared } = await readImageBody(ctx, config);
    const { id } = await jobs.submit(checkedFlipTask(body, options, declared));
    ctx.status = 202;
    ctx.set('Location', `/jobs/${id}`);
    ctx.body = { id, status: 'waiting' };
  });
  router.get('/jobs/:id', async (ctx) => {
    const job = await jobs.record(ctx.params.id!);
    if (job === undefined) throw jobNotFound(ctx.params.id!);
    ctx.body = jobView(job);
  });
  router.get('/jobs/:id/result', async (ctx) => {
    const { mime, bytes } = await jobs.result(ctx.params.id!);
    ctx.type = mime;
    ctx.body = bytes;
  });
}
