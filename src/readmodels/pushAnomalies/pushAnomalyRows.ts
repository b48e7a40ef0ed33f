// What a push anomaly report becomes (pure): one row per entry, with the meaning of its type.
import { describePushAnomaly } from '../../domain/pushAnomalyCatalogue';
import type { PushAnomaly, PushAnomalyReportFields } from '../../domain/pushAnomalyEvents';
import { smallest } from '../../domain/fieldValues';
import type { PushAnomalyRow } from './pushAnomalies.table';

/** The report as stored: its event id and log position, and when it was received (ms). */
export interface StoredReport {
  id: string;
  position: bigint;
  receivedAt: number;
  fields: PushAnomalyReportFields;
}

/** The catalogue's meaning; CSS's own words (`type_desc_en`) for a type it does not list. */
export function anomalyDescription(anomaly: Pick<PushAnomaly, 'type' | 'description'>): string {
  const described = describePushAnomaly(anomaly.type) ?? anomaly.description;
  if (described !== null && described !== '') return described;
  return anomaly.type === null ? 'anomaly of no given type' : `anomaly type ${anomaly.type}`;
}

export function pushAnomalyRows(report: StoredReport): PushAnomalyRow[] {
  const { id, position, receivedAt, fields } = report;
  return fields.anomalies.map((anomaly, entry) => ({
    eventId: id,
    entry,
    position,
    sequence: fields.sequence,
    type: anomaly.type ?? 0,
    description: anomalyDescription(anomaly),
    // The detail lists each occurrence: their number when CSS gave no count.
    count: anomaly.count ?? (anomaly.occurrences.length > 0 ? anomaly.occurrences.length : null),
    at: smallest(anomaly.occurrences.map((o) => o.at)) ?? fields.reportedAt ?? receivedAt,
  }));
}
