// Talks to /graphql: queries with fetch, subscriptions with graphql-ws, both with the API token when one is set.

const TOKEN_KEY = 'css-ledger.graphql-token';
/** The service closes a WebSocket whose connection_init has no valid token with this code. */
const FORBIDDEN = 4403;

/** A token in the address (`#token=...`) is moved to this tab's storage and out of the address bar and history. */
export function takeTokenFromAddress() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('token');
  if (token === null) return;
  if (token.trim() !== '') sessionStorage.setItem(TOKEN_KEY, token.trim());
  fragment.delete('token');
  const rest = fragment.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}${rest === '' ? '' : `#${rest}`}`);
}

export const storedToken = () => sessionStorage.getItem(TOKEN_KEY);

export function saveToken(token) {
  if (token.trim() === '') sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token.trim());
}

export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

/** The service turned the request away for want of a valid API token. */
export class RefusedError extends Error {}

const refusal = () =>
  new RefusedError(storedToken() === null ? 'This service requires an API token.' : 'The service refused the API token.');

/** Runs a query over HTTP; JSON content type, which Apollo's CSRF prevention asks for. */
export async function query(document, variables = {}) {
  const headers = { 'content-type': 'application/json' };
  const token = storedToken();
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query: document, variables }) });
  const result = await response.json().catch(() => null);
  const refused = response.status === 401 || result?.errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED');
  if (refused) throw refusal();
  if (result === null) throw new Error(`GraphQL answered HTTP ${response.status}`);
  if (result.errors?.length) throw new Error(result.errors.map((error) => error.message).join('; '));
  return result.data;
}

const isCloseEvent = (value) => typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a socket's end, or a subscription's error, means for the page: refused, or failed for another reason. */
function describeProblem(problem) {
  if (isCloseEvent(problem) && problem.code === FORBIDDEN) return ['refused', refusal().message];
  if (isCloseEvent(problem)) return ['failed', `connection closed (${problem.code}${problem.reason ? `: ${problem.reason}` : ''})`];
  if (Array.isArray(problem)) return ['failed', problem.map((error) => error.message).join('; ')];
  return ['failed', problem instanceof Error ? problem.message : String(problem)];
}

/**
 * Opens the subscription socket at once and keeps it open: retries forever with a capped backoff,
 * except when the token is refused. `onState` hears 'connecting', 'reconnecting', 'refused' and 'failed';
 * `onConnected` runs after every (re)connection, when the subscriptions are being set up again.
 */
export function openSubscriptions({ onState, onConnected }) {
  let connectedBefore = false;
  let disposed = false;
  const report = (...state) => {
    if (!disposed) onState(...state);
  };
  const client = globalThis.graphqlWs.createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    lazy: false,
    retryAttempts: Infinity,
    keepAlive: 20_000,
    connectionParams: () => {
      const token = storedToken();
      return token === null ? {} : { authorization: `Bearer ${token}` };
    },
    shouldRetry: (problem) => !(isCloseEvent(problem) && problem.code === FORBIDDEN),
    retryWait: (retries) => sleep(Math.min(1000 * 2 ** retries, 15_000) + Math.random() * 500),
    onNonLazyError: (problem) => report(...describeProblem(problem)),
    on: {
      connecting: () => report(connectedBefore ? 'reconnecting' : 'connecting'),
      connected: () => {
        connectedBefore = true;
        if (!disposed) onConnected();
      },
      closed: (event) => {
        if (isCloseEvent(event) && event.code === FORBIDDEN) report('refused', refusal().message);
        else if (connectedBefore) report('reconnecting');
      },
    },
  });
  return {
    /** Calls `onData` with each message's data; resubscribed by graphql-ws after a reconnection. */
    subscribe(document, onData, variables = {}) {
      return client.subscribe(
        { query: document, variables },
        {
          next: (message) => {
            if (message.data != null) onData(message.data);
          },
          error: (problem) => report(...describeProblem(problem)),
          complete: () => undefined,
        },
      );
    },
    dispose() {
      disposed = true;
      void client.dispose();
    },
  };
}
