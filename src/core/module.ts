/**
 * Every long-lived part of the agent (driver, server, monitor...) is a Module:
 * its constructor only stores what it is given, start() acquires resources,
 * stop() releases them and removes its bus listeners. This keeps each module
 * testable alone, with fakes passed in.
 */
export interface Module {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
