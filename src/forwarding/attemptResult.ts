// What one HTTP attempt came to, as the delivery rules see it: an answer (status, a little of its body) or no answer.
export type AttemptResult =
  | {
      kind: 'response';
      status: number;
      /** The Retry-After header as sent, or null. */
      retryAfter: string | null;
      /** The Location header of a redirect (never followed), or null. */
      location: string | null;
      /** The start of the response body (at most the read cap), kept as the error detail of a failure. */
      body: string;
      durationMs: number;
    }
  | { kind: 'timeout'; timeoutMs: number; durationMs: number }
  | { kind: 'network'; error: string; durationMs: number };

const isRedirect = (status: number) => status >= 300 && status < 400;

/** One line for the attempts log and the delivery's last error. */
export function describeAttempt(result: AttemptResult): string {
  switch (result.kind) {
    case 'timeout':
      return `no answer within ${result.timeoutMs} ms`;
    case 'network':
      return result.error;
    case 'response': {
      if (result.status >= 200 && result.status < 300) return `HTTP ${result.status}`;
      if (isRedirect(result.status)) return `HTTP ${result.status}: redirect to ${result.location ?? '(no location)'} not followed; fix the destination URL`;
      // An error page's line breaks and indentation would break the line.
      const body = result.body.replace(/\s+/g, ' ').trim();
      return body === '' ? `HTTP ${result.status}` : `HTTP ${result.status}: ${body}`;
    }
  }
}

/**
 * Whether the attempt says something about the destination as a whole (it is down, overloaded,
 * or sends us elsewhere): these count towards its circuit breaker. An answered 4xx is about one
 * delivery and shows the destination is up.
 */
export function isDestinationFailure(result: AttemptResult): boolean {
  if (result.kind !== 'response') return true;
  const { status } = result;
  return status === 408 || status === 429 || status >= 500 || isRedirect(status) || status < 200;
}
