// What the rest of the service sees of the read models' processors, on this thread or on the projector thread.
import type { ReadModelChange } from './projectionDefinition';
import type { ServingChange } from './projectionHost';
import type { ProjectionsStatus } from './projectionsStatus';

export interface ProjectionsView {
  status(): ProjectionsStatus;
  /** The file each read model answers from now. */
  servingFiles(): Record<string, string>;
  /** Every committed batch's row changes; returns the function that stops listening. */
  onChanges(listener: (changes: ReadModelChange[]) => void): () => void;
  /** A read model answers from another file now. */
  onServing(listener: (change: ServingChange) => void): () => void;
  /** Resolves once every read model that answers from its own current file includes this position. */
  waitForPosition(position: bigint): Promise<void>;
}
