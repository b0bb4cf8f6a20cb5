// Runtime: Node (connector). Administration pages and routes: the ANS traces, the connector's status (effective
// configuration, health, last receipts) and the configuration reload.
export { adminTracesRoutes, type AdminTracesOptions } from './traces-routes';
export { adminStatusRoutes, collectStatus, settingsView, isMaskedSetting, MASKED_SETTINGS, type AdminStatus, type AdminStatusOptions, type SettingView } from './status-routes';
export { createOperatorProbe, probeOperator, type OperatorProbe, type OperatorProbeOptions, type OperatorStatus } from './operator-probe';
export { ADMIN_STATUS_PAGE, renderStatusHtml } from './status-page';
