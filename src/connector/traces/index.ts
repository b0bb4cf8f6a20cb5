// Runtime: Node (connector). ANS client traces (SC.MSS/CONF.17-18): CSV export and retention purge.
export { tracesToCsv } from './csv';
export { purgeOnce, startTracePurge, type TracePurgeOptions } from './purge';
