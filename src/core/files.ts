import { readFileSync } from 'node:fs';
import { UpsAgentError, errorMessage } from './errors';

/**
 * A file the configuration names (a CA certificate...), read when a module
 * starts: one that cannot be read stops the start with the key and the
 * file, rather than failing later, e.g. at the first power cut.
 */
export function readConfiguredFile(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UpsAgentError('CONFIG', `${key}: cannot read ${file}: ${errorMessage(err)}`);
  }
}
