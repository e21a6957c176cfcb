/**
 * The `run:` section: which account the agent becomes once it has opened its
 * ports and devices (NUT's RUN_AS_USER of upsmon.conf and upsd.conf, the -u
 * option of its daemons).
 */
import { obj, optional, str, type Infer } from '../core/schema';

/** The role account `upsagent install` creates; the default target of the drop when it exists. */
export const ROLE_ACCOUNT = 'upsagent';

const account = str({ minLength: 1, maxLength: 32, pattern: /^[a-z_][a-z0-9_.-]*\$?$/i, patternText: 'an account name (letters, digits, _ . -)' });

export const runSectionSchema = optional(
  obj({
    /**
     * The account to run as. Default: `upsagent` when started as root and
     * that account exists, else no change. `root` keeps everything as root
     * (one process, as `upsmon -p`).
     */
    user: optional(account),
    /** The group; default: the user's own (primary) group. */
    group: optional(account),
  }),
);

export type RunConfig = NonNullable<Infer<typeof runSectionSchema>>;
