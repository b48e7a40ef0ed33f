// Mounts GraphiQL on this service's GraphQL endpoint (queries over HTTP, subscriptions over its WebSocket), asking for the API token when one is required.
import { forgetToken, query, RefusedError, saveToken, storedToken, takeTokenFromAddress } from '/dashboard/graphqlConnection.js';

/** The page is served at the GraphQL endpoint itself. */
const ENDPOINT = location.pathname;
const SOCKET = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${ENDPOINT}`;
const DEFAULT_QUERY = `# The ledger's read models. Ctrl-Enter runs the query; Docs (top left) lists every field.
{
  sessions(first: 10) {
    totalCount
    nodes { sequence streamId status pushedAt reason }
  }
}
`;

const $ = (id) => document.getElementById(id);
let root = null;

// GraphiQL's dialogs add a <style> element (react-remove-scroll) carrying this nonce, which the page's policy allows.
globalThis.__webpack_nonce__ = document.querySelector('meta[name="style-nonce"]')?.content;

function showTokenPanel(open, problem) {
  $('token-panel').hidden = !open;
  $('token-toggle').setAttribute('aria-expanded', String(open));
  $('refused').hidden = problem === undefined;
  $('refused').textContent = problem ?? '';
  if (open) $('token-input').focus();
}

function showStatus(text) {
  $('status').textContent = text;
  $('token-toggle').textContent = storedToken() === null ? 'API token' : 'API token (set)';
}

const refusalText = () => (storedToken() === null ? 'This service requires an API token.' : 'The service refused the API token.');

/** fetch, noticing when the service turns the token away (it may be revoked while the page is open). */
async function fetchNoticingRefusal(url, init) {
  const response = await fetch(url, init);
  if (response.status === 401) showTokenPanel(true, refusalText());
  return response;
}

/** The operation's document, or undefined while it does not parse. */
function parsed(document) {
  try {
    return GraphiQL.GraphQL.parse(document);
  } catch {
    return undefined;
  }
}

function mountGraphiql() {
  const token = storedToken();
  const authorization = token === null ? {} : { authorization: `Bearer ${token}` };
  const send = GraphiQL.createFetcher({
    url: ENDPOINT,
    subscriptionUrl: SOCKET,
    headers: authorization,
    wsConnectionParams: authorization,
    fetch: fetchNoticingRefusal,
  });
  // GraphiQL hands over the document as parsed up to 100 ms before (it waits for typing to pause), by which the
  // fetcher picks HTTP or the WebSocket: a subscription run right after it was typed would go over HTTP.
  const fetcher = (params, options) => send(params, { ...options, documentAST: parsed(params.query) ?? options?.documentAST });
  root ??= ReactDOM.createRoot($('graphiql'));
  // A new key per token: GraphiQL starts afresh with the new fetcher and loads the schema again.
  root.render(React.createElement(GraphiQL, { key: token ?? '', fetcher, defaultQuery: DEFAULT_QUERY }));
}

/** Asks once whether the service takes this tab's token (or none), then shows GraphiQL, or the token form. */
async function connect() {
  showStatus('Connecting…');
  try {
    await query('{ __typename }');
  } catch (error) {
    if (error instanceof RefusedError) {
      showStatus('API token needed');
      showTokenPanel(true, error.message);
      return;
    }
    // GraphiQL shows what goes wrong with each request in its own pane.
    showStatus(`GraphQL did not answer: ${error.message}`);
    mountGraphiql();
    return;
  }
  showStatus('');
  showTokenPanel(false);
  mountGraphiql();
}

$('token-toggle').addEventListener('click', () => showTokenPanel($('token-panel').hidden));
$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  saveToken($('token-input').value);
  $('token-input').value = '';
  void connect();
});
$('token-forget').addEventListener('click', () => {
  forgetToken();
  $('token-input').value = '';
  void connect();
});

takeTokenFromAddress();
void connect();
