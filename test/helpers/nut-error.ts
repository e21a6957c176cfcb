import { NutProtocolError } from '../../src/client/errors';

/** The NUT error word a client call ends with ('OK' when it succeeds); other failures are rethrown. */
export async function errCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof NutProtocolError) return err.code;
    throw err;
  }
  return 'OK';
}
