// A GraphQL client for tests: typed documents over real HTTP, and subscriptions over a real graphql-ws socket.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export async function graphql<Result, Variables>(
  baseUrl: string,
  document: TypedDocumentNode<Result, Variables>,
  variables?: Variables,
): Promise<FormattedExecutionResult<Result>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return (await response.json()) as FormattedExecutionResult<Result>;
}

export interface RawAnswer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

/** A query as text (one the typed documents cannot express: aliases, misspellings, sizes), over real HTTP. */
export async function postQuery(baseUrl: string, query: string, variables?: Record<string, unknown>): Promise<RawAnswer> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as RawAnswer['body'] };
}

/** Data of a successful query; throws with the errors otherwise. */
export async function query<Result, Variables>(
  baseUrl: string,
  document: TypedDocumentNode<Result, Variables>,
  variables?: Variables,
): Promise<Result> {
  const result = await graphql(baseUrl, document, variables);
  if (result.errors !== undefined || result.data == null) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}

export function subscriptionClient(baseUrl: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined, // a refused connection is what some tests expect; they see it through `collect`
  });
}

/** Collects a subscription's messages; `next(n)` waits until n have arrived. */
export function collect<Result, Variables>(
  client: Client,
  document: TypedDocumentNode<Result, Variables>,
  variables?: Variables,
) {
  const received: Result[] = [];
  const waiters: Array<() => void> = [];
  let failure: unknown = null;
  let started!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const unsubscribe = client.subscribe<Result>(
    { query: print(document), variables: variables as Record<string, unknown> | undefined },
    {
      next: (message) => {
        if (message.data != null) received.push(message.data as Result);
        waiters.forEach((wake) => wake());
      },
      error: (error) => {
        failure = error;
        waiters.forEach((wake) => wake());
      },
      complete: () => undefined,
    },
  );
  // graphql-ws acknowledges the connection before subscribe messages are sent; a round trip later the server listens.
  client.on('connected', () => started());
  return {
    received,
    ready,
    unsubscribe,
    async next(count: number): Promise<Result[]> {
      while (received.length < count) {
        if (failure !== null) throw failure;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return received.slice(0, count);
    },
  };
}

/** Waits until the service has `count` subscriptions open: a message published earlier would reach nobody. */
export async function waitForSubscribers(service: { subscriberCount(): number }, count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (service.subscriberCount() < count) {
    if (Date.now() > deadline) throw new Error(`only ${service.subscriberCount()} subscribers after 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits (at most 5 s) until the service has no more than `count` subscriptions open: unsubscribing is asynchronous. */
export async function waitForSubscribersDown(service: { subscriberCount(): number }, count: number): Promise<void> {
  for (let i = 0; i < 500 && service.subscriberCount() > count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** The promise's value, or a failure naming what did not happen within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The first answer to an operation over the WebSocket: its result, or the errors it was refused with. */
export function firstAnswer(client: Client, query: string, variables?: Record<string, unknown>): Promise<FormattedExecutionResult> {
  return new Promise((resolve, reject) => {
    const unsubscribe = client.subscribe(
      { query, variables },
      {
        next: (result) => {
          unsubscribe();
          resolve(result as FormattedExecutionResult);
        },
        error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
        complete: () => undefined,
      },
    );
  });
}
