// Forwarding's public surface: what the composition root, GraphQL and the CLI use.
export { openForwarding, type Forwarding, type ForwardingOptions } from './forwarding';
export {
  DestinationForwarder,
  ForwarderStoppedError,
  type DestinationState,
  type DestinationStatus,
  type ForwardingHandler,
} from './destinationForwarder';
export { CheckpointConflictError, type DeliveryOrigin, type DeliveryStatus } from './deliveryStore';
export type { AttemptLogEntry, DeliveryLog, DeliveryLogEntry, DeliveryLogFilter } from './deliveryLog';
export { loadForwardConfig, readForwardConfig, type DestinationConfig, type ForwardConfig, type ForwardConfigResult } from './forwardConfig';
export type { ForwardingLogger, ForwardingMetrics, DeliveryOutcome } from './forwardingMetrics';
export type { BreakerState } from './circuitBreaker';
export type { LogReader, ReplayRange } from './logReader';
