// Runtime: Node (connector). IHE XDM: pack (send) and inspect (receive, CLI).
export * from './pack-xdm';
export * from './inspect-xdm';
export { readCdaHeader, CdaError, type CdaHeader, type CdaId } from './cda';
