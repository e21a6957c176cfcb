/** What readers see of a UPS as upsd shows it moved to core (src/core/served-view.ts): the HTTP API shows the same. */
export { findVar, isWaiting, listVars, shownValue } from '../core/served-view';
