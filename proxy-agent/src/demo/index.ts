// What the demo offers besides its command: the dashboard build's staleness check and its server's V8 flags (the benches use them too).
export { DASHBOARD_NODE_ARGS, dashboardBuildIsCurrent } from './dashboard-process';
