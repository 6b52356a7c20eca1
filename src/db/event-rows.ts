import type { IndexedField, IndexedSensorReport } from '../epcis/event-index.js';
import type { EventFieldTable, EventSensorReportTable } from './schema.js';

/** Rows of the tables an event's index fills besides `postings`: the same at capture and in migrations that backfill. */

/** The rows of `event_fields` for the indexed fields of event `seq`. */
export function fieldRows(seq: number, fields: IndexedField[]): EventFieldTable[] {
  return fields.map((f) => ({ seq, scope: f.scope, name: f.name, text_value: f.text, num_value: f.num }));
}

/** The rows of `event_sensor_reports` for the indexed sensor reports of event `seq`. */
export function sensorReportRows(seq: number, reports: IndexedSensorReport[]): EventSensorReportTable[] {
  return reports.map((r, ordinal) => ({
    seq,
    ordinal,
    type: r.type,
    device_id: r.deviceId,
    time_ms: r.timeMs,
    start_time_ms: r.startTimeMs,
    end_time_ms: r.endTimeMs,
    uom: r.uom,
    value: r.value,
    min_value: r.minValue,
    max_value: r.maxValue,
    mean_value: r.meanValue,
    s_dev: r.sDev,
    perc_rank: r.percRank,
    perc_value: r.percValue,
    string_value: r.stringValue,
    boolean_value: r.booleanValue === null ? null : String(r.booleanValue),
    hex_binary_value: r.hexBinaryValue,
    uri_value: r.uriValue,
    data_processing_method: r.dataProcessingMethod,
    microorganism: r.microorganism,
    chemical_substance: r.chemicalSubstance,
    biz_rules: r.bizRules,
  }));
}
