// Errors as plain data between threads, known by their catalogue slug: class instances lose their prototype when posted.
import { isErrorSlug, type ErrorSlug } from '../../errors/catalogue';
import { StoreUnavailableError, WrongExpectedRevisionError, type ExpectedRevision } from '../eventStore';
import { CorruptEventLogError } from './corruptEventLog';
import { SchemaTooNewError } from './sqliteEventLog';

export interface SentError {
  slug: ErrorSlug;
  message: string;
  /** wrong_expected_revision: what the append expected and found. */
  stream?: string;
  expected?: ExpectedRevision;
  actual?: bigint | 'no_stream';
  /** corrupt_event_log: the file. */
  file?: string;
}

const slugOf = (error: unknown): ErrorSlug => {
  const slug = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code).toLowerCase() : '';
  if (isErrorSlug(slug)) return slug;
  return error instanceof TypeError || error instanceof RangeError ? 'invalid_argument' : 'internal_error';
};

export function sendableError(error: unknown): SentError {
  const message = error instanceof Error ? error.message : String(error);
  const slug = slugOf(error);
  if (error instanceof WrongExpectedRevisionError) return { slug, message, stream: error.stream, expected: error.expected, actual: error.actual };
  if (error instanceof CorruptEventLogError) return { slug, message, file: error.file };
  return { slug, message };
}

/** The error the caller would have seen had the store run on its own thread. */
export function receivedError(sent: SentError): Error {
  switch (sent.slug) {
    case 'wrong_expected_revision':
      return new WrongExpectedRevisionError(sent.stream!, sent.expected!, sent.actual!);
    case 'store_unavailable':
      return new StoreUnavailableError(sent.message);
    case 'invalid_argument':
      return new RangeError(sent.message);
    case 'corrupt_event_log':
      return Object.assign(new CorruptEventLogError(sent.file!, ''), { message: sent.message });
    case 'schema_too_new':
      return new SchemaTooNewError(sent.message);
    default:
      return new Error(sent.message);
  }
}
