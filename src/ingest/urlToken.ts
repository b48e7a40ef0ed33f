// `?token=` as the callback URL wrote it: a token pasted into CSS's template without percent-encoding still matches.

/**
 * The token's text as written in the URL, besides the decoded value the router gives: its raw value, and the raw query
 * from it on up to each further `&`. A configured token with `+`, `%` or `&` pasted into the callback URL as it is
 * arrives changed by decoding (`+` read as a space, `%41` as `A`, `&` ending the parameter), and every relay callback
 * would be refused `bad_token` for a token that is right; compared as written, it is the token configured. Each is
 * still compared whole, in constant time, against the configured token: nothing short of it passes.
 */
export function tokenAsWritten(url: string): string[] {
  const start = url.indexOf('?');
  if (start < 0) return [];
  const query = url.slice(start + 1);
  const parameter = query.startsWith('token=') ? 0 : query.indexOf('&token=');
  if (parameter < 0) return [];
  const rest = query.slice(query.indexOf('token=', parameter) + 'token='.length);
  // Up to each `&` from it on, and to the end: which of them is the token, the configured one says.
  const texts: string[] = [];
  for (let end = rest.indexOf('&'); end >= 0 && texts.length < MAX_PARTS - 1; end = rest.indexOf('&', end + 1)) texts.push(rest.slice(0, end));
  texts.push(rest);
  return texts;
}

/** A bound on the texts compared: a URL of a thousand `&` costs no more than a few. */
const MAX_PARTS = 8;
