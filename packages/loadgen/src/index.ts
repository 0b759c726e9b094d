export { ArrivalSchedule } from './schedule.js';
export type { RateStage, ScheduleOptions } from './schedule.js';
export { runLoad } from './run.js';
export type { LoadOptions } from './run.js';
export type { LoadResult } from './types.js';
export type { LatencyBucket, LatencySummary } from './recorder.js';
export { loadValues, abortCanDecide, VALUE_NAMES } from './values.js';
export { AgentTransport, errorKind } from './transport.js';
export type { PreparedRequest, SendDone, Transport, TransportOptions } from './transport.js';
export { RawTransport, serialiseRequest } from './raw-transport.js';
export {
  inferRequests,
  predictRequests,
  bodyFileRequests,
  float32Text,
  MAX_DISTINCT_ROWS,
} from './payload.js';
export type { RowsSource } from './payload.js';
export { fetchModelMetadata, waitReady } from './oip.js';
export type { OipModelMetadata, OipTensorMetadata } from './oip.js';
export { Recorder, PERCENTILES } from './recorder.js';
