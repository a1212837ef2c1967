// What the demo offers besides its command: the dashboard build's staleness check (the benches use it too).
export { dashboardBuildIsCurrent } from './dashboard-process';
