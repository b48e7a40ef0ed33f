// What a destination is sent: the callback body as CSS sent it (raw), or a Standard Webhooks envelope signed with its secret.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { DestinationConfig } from './forwardConfig';
import { POSITION_HEADER } from '../http/ledgerDelivery';

/** The logged event a delivery carries, as kept with the delivery. */
export interface DeliveryContent {
  eventId: string;
  eventType: string;
  stream: string;
  position: bigint;
  /** When the ledger received the callback (ms). */
  receivedAt: number;
  /** The body exactly as CSS sent it. */
  raw: string;
  /** The event's normalized fields, as JSON text. */
  fieldsJson: string;
  /** The content type CSS declared, when the log kept it. */
  contentType: string | null;
}

export interface DeliveryRequest {
  headers: Record<string, string>;
  body: string;
}

export type DeliveryFormatter = (content: DeliveryContent, attemptAt: Date) => DeliveryRequest;

const USER_AGENT = 'css-callback-ledger';

/** Builds the formatter of one destination; the signing key is decoded once. */
export function deliveryFormatter(destination: Pick<DestinationConfig, 'format' | 'secret' | 'headers'>): DeliveryFormatter {
  const extra = destination.headers;
  if (destination.format === 'raw') {
    return (content) => ({
      headers: {
        ...extra,
        'user-agent': USER_AGENT,
        'content-type': content.contentType ?? 'application/json',
        'webhook-id': content.eventId,
        [POSITION_HEADER]: content.position.toString(),
      },
      body: content.raw,
    });
  }
  if (destination.secret === undefined) throw new Error('a standard-webhooks destination needs a secret');
  // A KeyObject, not the bytes: node prepares a key given as bytes anew for each HMAC, which costs several times the HMAC itself.
  const key = createSecretKey(Buffer.from(destination.secret.replace(/^whsec_/, ''), 'base64'));
  return (content, attemptAt) => {
    const body = standardWebhooksEnvelope(content);
    const timestamp = Math.floor(attemptAt.getTime() / 1000);
    return {
      headers: {
        ...extra,
        'user-agent': USER_AGENT,
        'content-type': 'application/json',
        'webhook-id': content.eventId,
        // The time of this attempt, not of the event: receivers reject signatures older than a few minutes.
        'webhook-timestamp': String(timestamp),
        'webhook-signature': standardWebhooksSignature(key, content.eventId, timestamp, body),
        [POSITION_HEADER]: content.position.toString(),
      },
      body,
    };
  };
}

/**
 * `{"type", "timestamp", "data": {...}}` as the Standard Webhooks specification shapes a payload;
 * the position travels as a decimal string (it may exceed what a JSON number holds exactly).
 */
export function standardWebhooksEnvelope(content: DeliveryContent): string {
  const receivedAt = new Date(content.receivedAt).toISOString();
  const data =
    `{"eventId":${JSON.stringify(content.eventId)},"stream":${JSON.stringify(content.stream)},` +
    `"position":"${content.position.toString()}","receivedAt":"${receivedAt}",` +
    `"raw":${JSON.stringify(content.raw)},"fields":${content.fieldsJson}}`;
  return `{"type":${JSON.stringify(content.eventType)},"timestamp":"${receivedAt}","data":${data}}`;
}

/**
 * `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`, as the specification signs: node's own HMAC, where the
 * reference library hashes in JavaScript (a few per cent of the forwarding thread at a thousand deliveries a second).
 */
export function standardWebhooksSignature(key: KeyObject, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
