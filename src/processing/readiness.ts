// What /readyz says of the read models: each processor's and read model's position, lag and phase, and whether all can answer.
import type { FastifyInstance } from 'fastify';
import { statusOf } from '../errors/catalogue';
import type { EventStore } from '../eventstore/eventStore';
import { errorBody } from '../http/errorReply';
import type { ProcessorStatus } from './processor';
import type { ProjectionsStatus } from './projectionsStatus';
import type { ProjectionsView } from './projectionsView';

const processorReport = (p: ProcessorStatus, publicText: (text: string) => string) => ({
  name: p.name,
  phase: p.phase,
  position: String(p.position),
  headPosition: String(p.headPosition),
  lagEvents: p.lagEvents,
  lagSeconds: p.lagSeconds,
  eventsApplied: p.eventsApplied,
  lastError: p.lastError === null ? null : publicText(p.lastError),
});

/** The report, and why the read models are not ready (null when they are): stopped or retrying, or one with nothing to serve yet. */
export function projectionsReadiness(status: ProjectionsStatus, publicText: (text: string) => string) {
  const live = status.processors[0]!;
  const report = {
    projector: {
      phase: status.phase,
      position: String(status.position),
      eventsApplied: status.eventsApplied,
      lagMs: status.lagMs,
      lagEvents: live.lagEvents,
      lagSeconds: live.lagSeconds,
      lastError: status.lastError === null ? null : publicText(status.lastError),
    },
    processors: status.processors.map((p) => processorReport(p, publicText)),
    readModels: Object.fromEntries(
      status.readModels.map((r) => [
        r.name,
        {
          version: r.version,
          phase: r.phase,
          serving: r.serving,
          file: r.file,
          position: r.position === null ? null : String(r.position),
          rebuild: r.rebuild === null ? null : { ...r.rebuild, position: String(r.rebuild.position) },
        },
      ]),
    ),
  };
  let notReady: string | null = null;
  if (status.phase === 'retrying' || status.phase === 'stopped') notReady = `projector is ${status.phase}`;
  else {
    const waiting = status.readModels.find((r) => !r.serving);
    if (waiting !== undefined) {
      const head = status.processors.find((p) => p.name !== live.name)?.headPosition ?? live.headPosition;
      notReady = `read model ${waiting.name} is ${waiting.phase} (position ${waiting.position ?? 0} of ${head}): it has nothing to serve yet`;
    }
  }
  return { notReady, report };
}

export interface ReadinessRouteOptions {
  store: Pick<EventStore, 'checkHealth' | 'description'>;
  /** The read models' processors. */
  projections: Pick<ProjectionsView, 'status'>;
  /** What an error's message becomes before it reaches the client (file paths cut in production). */
  publicText: (text: string) => string;
}

/** GET /readyz: 200 when the store answers and every read model can; 503 saying why not, with the report either way. */
export async function readinessRoute(app: FastifyInstance, options: ReadinessRouteOptions): Promise<void> {
  const { store, projections, publicText } = options;
  app.get('/readyz', async (_request, reply) => {
    const { notReady, report } = projectionsReadiness(projections.status(), publicText);
    try {
      await store.checkHealth();
    } catch (error) {
      const detail = publicText(error instanceof Error ? error.message : String(error));
      // Out of reach (EventStoreDB), a commit that has not returned, a log moved away: the detail says which.
      return reply.code(statusOf('not_ready')).send({ ...errorBody('not_ready', `the event store cannot take callbacks: ${detail}`), ...report });
    }
    if (notReady !== null) return reply.code(statusOf('not_ready')).send({ ...errorBody('not_ready', notReady), ...report });
    return { status: 'ready', store: publicText(store.description), ...report };
  });
}
