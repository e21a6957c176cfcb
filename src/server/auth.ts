/** The user table moved to core (src/core/users.ts): the HTTP API grants the same rights. */
export { UserTable, type UserAction } from '../core/users';
