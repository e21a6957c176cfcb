import pkg from '../../package.json';

/** The agent's version, from package.json (the bundler inlines it). */
export const VERSION: string = pkg.version;
