// Where each read model stands (serving or not, live, catching up or rebuilding) and the projections as a whole.
import path from 'node:path';
import type { ProcessorPhase, ProcessorStatus } from './processor';
import type { ProjectionDefinition } from './projectionDefinition';
import type { ProjectionFile } from './readModelFile';

export interface ReadModelStatus {
  name: string;
  version: number;
  /** live; catching-up (a first build, nothing to serve yet); rebuilding (an older file answers meanwhile); retrying; stopped. */
  phase: ProcessorPhase;
  /** Whether queries have something whole to read: a live file, or an older one while its replacement builds. */
  serving: boolean;
  /** The file queries read, by its name in the read model's folder. */
  file: string;
  /** The live file's checkpoint (a first build's while it builds); null while an older file answers. */
  position: bigint | null;
  /** The build under way, if any. */
  rebuild: { file: string; version: number; position: bigint } | null;
}

export interface ProjectionsStatus {
  /** The projections as one: stopped or retrying when the live processor is; catching-up while a read model has nothing to serve; rebuilding while one builds. */
  phase: ProcessorPhase;
  /** The lowest position of the read models that answer from their own current files. */
  position: bigint;
  eventsApplied: number;
  lagMs: number | null;
  lastError: string | null;
  processors: ProcessorStatus[];
  readModels: ReadModelStatus[];
}

/** What the status needs of a read model's slot in the host. */
export interface SlotView {
  definition: ProjectionDefinition;
  serving: string;
  older: string | null;
  building: ProjectionFile | null;
}

const halted = (phase: ProcessorPhase): boolean => phase === 'retrying' || phase === 'stopped';

/**
 * @param liveFile the file a read model serves from, when it has one
 * @param lanes the live processors' statuses, each read model's own by its name's lane (one status: it stands for all)
 */
export function readModelsStatus(
  slots: SlotView[],
  liveFile: (name: string) => Pick<ProjectionFile, 'checkpoint'> | undefined,
  lanes: ProcessorStatus[],
  builder: ProcessorStatus | null,
): ProjectionsStatus {
  const tracked: Array<Pick<ProjectionFile, 'checkpoint'>> = [];
  const laneStatus = (definition: SlotView['definition']) => lanes[definition.background === true ? lanes.length - 1 : 0]!;
  const readModels = slots.map((slot): ReadModelStatus => {
    const { name, version } = slot.definition;
    const liveStatus = laneStatus(slot.definition);
    const file = liveFile(name);
    const serving = file !== undefined || slot.older !== null;
    const own = file ?? (serving ? undefined : slot.building ?? undefined);
    if (own !== undefined) tracked.push(own);
    let phase: ProcessorPhase;
    if (slot.building !== null) phase = builder !== null && halted(builder.phase) ? builder.phase : serving ? 'rebuilding' : 'catching-up';
    else phase = halted(liveStatus.phase) || liveStatus.phase === 'catching-up' ? liveStatus.phase : 'live';
    const building = slot.building;
    return {
      name,
      version,
      phase,
      serving,
      file: path.basename(slot.serving),
      position: own?.checkpoint.position ?? null,
      rebuild: building === null ? null : { file: path.basename(building.file), version, position: building.checkpoint.position },
    };
  });
  // The lane furthest behind speaks for the projections: a halted one first.
  const slowest = lanes.reduce((a, b) => (halted(b.phase) && !halted(a.phase) ? b : !halted(a.phase) && b.position < a.position ? b : a));
  let phase: ProcessorPhase = slowest.phase;
  if (!halted(phase)) {
    if (readModels.some((r) => !r.serving)) phase = 'catching-up';
    else if (readModels.some((r) => r.rebuild !== null)) phase = 'rebuilding';
  }
  const positions = tracked.map((file) => file.checkpoint.position);
  return {
    phase,
    position: positions.length === 0 ? slowest.position : positions.reduce((a, b) => (b < a ? b : a)),
    eventsApplied: tracked.length === 0 ? slowest.eventsApplied : Math.min(...tracked.map((file) => file.checkpoint.eventsApplied)),
    lagMs: slowest.lagMs,
    lastError: lanes.find((lane) => lane.lastError !== null)?.lastError ?? builder?.lastError ?? null,
    // The slowest lane first: it is the projections' lag.
    processors: [slowest, ...lanes.filter((lane) => lane !== slowest), ...(builder === null ? [] : [builder])],
    readModels,
  };
}
