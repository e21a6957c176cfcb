/** The NUT protocol client: used by upsc/upsrw/upscmd/status, the monitor and relay drivers. */
export { NutClient, DEFAULT_HOST, DEFAULT_PORT, type NutClientOptions, type OkReply, type StartTlsOptions } from './client';
export {
  NutClientError,
  NutConnectionError,
  NutProtocolError,
  NutResponseError,
  NutTlsError,
  nutErrorText,
  upsdErrorText,
  errnoText,
  type ConnectionFailure,
} from './errors';
export { negotiateTls, loadCaFile, TRY_TLS, type TlsPolicy, type TlsOutcome } from './tls-policy';
