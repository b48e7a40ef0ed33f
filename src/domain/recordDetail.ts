// Decodes `record_detail` of a recording status callback: JSON in a string (sometimes encoded twice), or `key:value` pairs.
import type { JsonValue } from './callbackJson';
import { decimal, embedded, givenInteger, integer } from './fieldValues';
import type { RecordDetail } from './recordingEvents';

const FILE_FORMATS: Readonly<Record<number, string>> = { 1: 'FLV', 2: 'HLS', 3: 'MP4', 4: 'AAC', 5: 'MP3' };
const STARTED_BY: Readonly<Record<number, RecordDetail['startedBy']>> = { 1: 'template', 5: 'api' };
const CONTENTS: Readonly<Record<number, RecordDetail['content']>> = { 1: 'original', 2: 'watermarked', 3: 'transcoded' };
const SOURCES: Readonly<Record<number, RecordDetail['source']>> = { 1: 'live', 2: 'relay' };

const PAIR = /^([A-Za-z_][\w.]*)\s*[:=]\s*(.*)$/;

/** `file_format:2,record_bps:0` (or `;`, `&`, spaces between pairs), numbers read as numbers. */
function pairs(text: string): { [key: string]: JsonValue } | null {
  const values: { [key: string]: JsonValue } = {};
  for (const part of text.split(/[,;&\s]+/)) {
    const match = PAIR.exec(part.trim());
    if (match === null) continue;
    const [, key, value] = match as unknown as [string, string, string];
    // defineProperty keeps a `__proto__` key as data.
    Object.defineProperty(values, key, { value: decimal(value) ?? value, enumerable: true, writable: true, configurable: true });
  }
  return Object.keys(values).length > 0 ? values : null;
}

function detailValues(value: JsonValue | undefined): { [key: string]: JsonValue } | null {
  let decoded = embedded(value);
  if (typeof decoded === 'string') decoded = embedded(decoded) ?? decoded; // JSON encoded twice
  if (decoded !== undefined && decoded !== null && typeof decoded === 'object' && !Array.isArray(decoded)) return decoded;
  return typeof value === 'string' ? pairs(value) : null;
}

const coded = <T>(table: Readonly<Record<number, T>>, value: JsonValue | undefined): T | null => {
  const code = integer(value);
  return code !== null && Object.hasOwn(table, code) ? table[code]! : null;
};

/** The codes the documents define, named; null when `record_detail` is missing or holds nothing readable. */
export function recordDetail(value: JsonValue | undefined): RecordDetail | null {
  const values = detailValues(value);
  if (values === null) return null;
  return {
    fileFormat: coded(FILE_FORMATS, values.file_format),
    recordBps: givenInteger(values.record_bps),
    startedBy: coded(STARTED_BY, values.start_model),
    content: coded(CONTENTS, values.record_content),
    source: coded(SOURCES, values.source_type),
    transcodeTemplateId: givenInteger(values.codec_temp_id),
    values,
  };
}
