/** The shared driver runtime: every driver polls, times out, reconnects and goes stale through it. */
export { DriverRuntime, DEFAULT_TIMEOUT_MS, DEFAULT_RETRY_MAX_MS, type DeviceContext, type DeviceHandler, type PollKind, type RuntimeDeps, type RuntimeOptions, type RuntimeStatus } from './runtime';
export { DeviceGoneError, DeviceReplyError, DeviceTimeoutError, classifyFailure, type FailureKind } from './errors';
export { withTimeout } from './timeout';
export { IoQueue } from './io-queue';
export { Backoff } from './backoff';
export { realTimers, type Timers } from './timers';
export { RUNTIME_OPTIONS, runtimeSettings, type RuntimeConfig } from './config';
