// Runtime: Node (connector). Public surface of the durable outbound queue.
export { createOutboundWorker, RECONCILING, type OutboundWorker, type OutboundWorkerOptions, type ReconcileOptions } from './worker';
export { createSmtpRelay, type OutboundRelay, type RelayRequest, type SmtpRelayOptions } from './relay';
export { decodePayload, encodePayload, type BuildMime, type MessagePayload } from './payload';
export { backoffMs, isTransient, maskReply, toOutboundError, type RetryOptions } from './retry';
export { createConnectorWorker } from './connector-worker';
