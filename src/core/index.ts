// Runtime: any (pure core). Public surface of the core; the add-in and the connector import from here only.
export * from './types';
export * from './address';
export * from './ins';
export * from './trust-space';
export * from './classify';
export * from './detect';
export * from './policy';
export * from './messages-fr';
export * from './directory';
export * from './mss-message';
export * from './xdm-metadata';
export * from './send-contract';
