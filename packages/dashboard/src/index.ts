/**
 * `@textport/dashboard`: a web dashboard for a textport gateway, prebuilt into this package
 * (no CDN, no network at run time), served by a framework-free handler:
 *
 * ```ts
 * app.use('/sms', createRouter(gateway));
 * app.use('/sms/admin', requireStaff, dashboard({ apiBase: '/sms' }));
 * ```
 *
 * The app talks to textport only through the HTTP API (docs/dashboard.md).
 */
export {
  type DashboardHandler,
  type DashboardOptions,
  type DashboardRequest,
  dashboard,
  dashboardCsp,
  defaultAppDir,
} from './handler.js';
