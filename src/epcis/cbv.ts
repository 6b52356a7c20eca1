/**
 * The GS1 Core Business Vocabulary (CBV 2.0) standard vocabularies, as data, plus helpers that bring the three
 * spellings a value may arrive in down to one canonical form.
 *
 * A CBV value can be written as
 *   - the bare word, as EPCIS 2.0 JSON/JSON-LD does (`shipping`); the EPCIS JSON-LD context maps it to the Web URI;
 *   - the URN of EPCIS 1.x / XML (`urn:epcglobal:cbv:bizstep:shipping`);
 *   - the GS1 Web URI (`https://ref.gs1.org/cbv/BizStep-shipping`) or its CURIE (`cbv:BizStep-shipping`).
 * The canonical form is the bare word. A value outside the CBV must be a URI (any scheme, CURIEs included), and is kept
 * exactly as written. A bare word that is not in the vocabulary is an error: in JSON-LD it would not expand to any
 * IRI, so its meaning would be lost.
 *
 * Values are the CBV 2.0 lists as published in the EPCIS 2.0 JSON-LD context (ref.gs1.org/standards/epcis/2.0.0/).
 * They are listed here only: the validator and the event hash (which expands bare terms to their Web URIs) both take
 * them, and the namespaces they live in, from `STANDARD_VOCABULARIES`.
 */

export const BIZ_STEPS = [
  'accepting',
  'arriving',
  'assembling',
  'collecting',
  'commissioning',
  'consigning',
  'creating_class_instance',
  'cycle_counting',
  'decommissioning',
  'departing',
  'destroying',
  'disassembling',
  'dispensing',
  'encoding',
  'entering_exiting',
  'holding',
  'inspecting',
  'installing',
  'killing',
  'loading',
  'other',
  'packing',
  'picking',
  'receiving',
  'removing',
  'repackaging',
  'repairing',
  'replacing',
  'reserving',
  'retail_selling',
  'sampling',
  'sensor_reporting',
  'shipping',
  'staging_outbound',
  'stock_taking',
  'stocking',
  'storing',
  'transporting',
  'unloading',
  'unpacking',
  'void_shipping',
] as const;
export type BizStep = (typeof BIZ_STEPS)[number];

export const DISPOSITIONS = [
  'active',
  'available',
  'completeness_inferred',
  'completeness_verified',
  'conformant',
  'container_closed',
  'container_open',
  'damaged',
  'destroyed',
  'dispensed',
  'disposed',
  'encoded',
  'expired',
  'in_progress',
  'in_transit',
  'inactive',
  'mismatch_class',
  'mismatch_instance',
  'mismatch_quantity',
  'needs_replacement',
  'no_pedigree_match',
  'non_conformant',
  'non_sellable_other',
  'partially_dispensed',
  'recalled',
  'reserved',
  'retail_sold',
  'returned',
  'sellable_accessible',
  'sellable_not_accessible',
  'stolen',
  'unavailable',
  'unknown',
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export const BIZ_TRANSACTION_TYPES = [
  'bol',
  'cert',
  'desadv',
  'inv',
  'pedigree',
  'po',
  'poc',
  'prodorder',
  'recadv',
  'rma',
  'testprd',
  'testres',
  'upevt',
] as const;
export type BizTransactionType = (typeof BIZ_TRANSACTION_TYPES)[number];

export const SOURCE_DESTINATION_TYPES = ['owning_party', 'possessing_party', 'location'] as const;
export type SourceDestinationType = (typeof SOURCE_DESTINATION_TYPES)[number];

export const ERROR_REASONS = ['did_not_occur', 'incorrect_data'] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

/** Sensor measurement types (`sensorReport.type`); they live in the GS1 Web Vocabulary (`gs1:` prefix). */
export const SENSOR_MEASUREMENT_TYPES = [
  'AbsoluteHumidity',
  'AbsorbedDose',
  'AbsorbedDoseRate',
  'Acceleration',
  'Altitude',
  'AmountOfSubstance',
  'AmountOfSubstancePerUnitVolume',
  'Angle',
  'AngularAcceleration',
  'AngularMomentum',
  'AngularVelocity',
  'Area',
  'Capacitance',
  'Conductance',
  'Conductivity',
  'Count',
  'Density',
  'Dimensionless',
  'DoseEquivalent',
  'DoseEquivalentRate',
  'DynamicViscosity',
  'ElectricCharge',
  'ElectricCurrent',
  'ElectricCurrentDensity',
  'ElectricFieldStrength',
  'Energy',
  'Exposure',
  'Force',
  'Frequency',
  'Illuminance',
  'Inductance',
  'Irradiance',
  'KinematicViscosity',
  'Length',
  'LinearMomentum',
  'Luminance',
  'LuminousFlux',
  'LuminousIntensity',
  'MagneticFlux',
  'MagneticFluxDensity',
  'MagneticVectorPotential',
  'Mass',
  'MassConcentration',
  'MassFlowRate',
  'MassPerAreaTime',
  'MemoryCapacity',
  'MolalityOfSolute',
  'MolarEnergy',
  'MolarMass',
  'MolarVolume',
  'Power',
  'Pressure',
  'RadiantFlux',
  'RadiantIntensity',
  'Radioactivity',
  'RelativeHumidity',
  'Resistance',
  'Resistivity',
  'SolidAngle',
  'SpecificVolume',
  'Speed',
  'SurfaceDensity',
  'SurfaceTension',
  'Temperature',
  'Time',
  'Torque',
  'Voltage',
  'Volume',
  'VolumeFlowRate',
  'VolumeFraction',
  'VolumetricFlux',
  'Wavenumber',
] as const;
export type SensorMeasurementType = (typeof SENSOR_MEASUREMENT_TYPES)[number];

/**
 * `Activity` is how the EPCIS 2.0 drafts spelled the measurement type the ratified context calls `Radioactivity`.
 * Documents produced against the drafts still use it, so it is accepted and canonicalised.
 */
const MEASUREMENT_TYPE_ALIASES: ReadonlyMap<string, SensorMeasurementType> = new Map([['Activity', 'Radioactivity']]);

/** Sensor alert types (`sensorReport.exception`), also in the GS1 Web Vocabulary. */
export const SENSOR_ALERT_TYPES = ['ALARM_CONDITION', 'ERROR_CONDITION'] as const;
export type SensorAlertType = (typeof SENSOR_ALERT_TYPES)[number];

/** Sensor components (`sensorReport.component`). */
export const COMPONENTS = [
  'x',
  'y',
  'z',
  'axial_distance',
  'azimuth',
  'height',
  'spherical_radius',
  'polar_angle',
  'elevation_angle',
  'easting',
  'northing',
  'latitude',
  'longitude',
  'altitude',
] as const;
export type Component = (typeof COMPONENTS)[number];

export const CBV_WEB_NAMESPACE = 'https://ref.gs1.org/cbv/';

/** A CBV term as EPCIS 2.0 JSON writes it (`shipping`), whether given bare, prefixed (`cbv:BizStep-shipping`) or as a URI. */
export function bareTerm(value: string): string {
  return value.replace(/^.*[/:-]/, '');
}
export const GS1_WEB_VOCABULARY = 'https://gs1.org/voc/';

/**
 * Prefixes the EPCIS 2.0 JSON-LD context declares. Documents may use them without declaring them again, and CURIEs
 * written with them expand to these namespaces.
 */
export const EPCIS_CONTEXT_PREFIXES: Readonly<Record<string, string>> = Object.freeze({
  epcis: 'https://ref.gs1.org/epcis/',
  cbv: CBV_WEB_NAMESPACE,
  cbvmda: 'urn:epcglobal:cbv:mda:',
  gs1: GS1_WEB_VOCABULARY,
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcterms: 'http://purl.org/dc/terms/',
});

/** The CBV master-data attribute an ILMD records a lot number under, expanded as the field index keeps it. */
export const ILMD_LOT_NUMBER = `${EPCIS_CONTEXT_PREFIXES.cbvmda}lotNumber`;

/** The standard vocabularies, named after what they hold. */
export type StandardVocabulary =
  | 'bizStep'
  | 'disposition'
  | 'bizTransactionType'
  | 'sourceDestinationType'
  | 'errorReason'
  | 'sensorComponent'
  | 'measurementType'
  | 'sensorAlertType';

export interface StandardVocabularyDefinition {
  /** The terms, as EPCIS 2.0 JSON writes them bare. */
  readonly terms: readonly string[];
  /** What a bare term expands to through the EPCIS JSON-LD context, less the term: `https://ref.gs1.org/cbv/BizStep-`. */
  readonly uriPrefix: string;
  /** The CBV 1.x URN spelling less the term (`urn:epcglobal:cbv:bizstep:`), for the vocabularies that had one. */
  readonly urnPrefix?: string;
}

/** A CBV vocabulary from the parts of its URIs: `BizStep` of `https://ref.gs1.org/cbv/BizStep-shipping`, `bizstep` of the URN. */
function cbvDefinition(terms: readonly string[], webPart: string, urnPart?: string): StandardVocabularyDefinition {
  const uriPrefix = `${CBV_WEB_NAMESPACE}${webPart}-`;
  return urnPart === undefined ? { terms, uriPrefix } : { terms, uriPrefix, urnPrefix: `urn:epcglobal:cbv:${urnPart}:` };
}

/** Every standard vocabulary with the namespaces its terms live in. */
export const STANDARD_VOCABULARIES: Readonly<Record<StandardVocabulary, StandardVocabularyDefinition>> = {
  bizStep: cbvDefinition(BIZ_STEPS, 'BizStep', 'bizstep'),
  disposition: cbvDefinition(DISPOSITIONS, 'Disp', 'disp'),
  bizTransactionType: cbvDefinition(BIZ_TRANSACTION_TYPES, 'BTT', 'btt'),
  sourceDestinationType: cbvDefinition(SOURCE_DESTINATION_TYPES, 'SDT', 'sdt'),
  errorReason: cbvDefinition(ERROR_REASONS, 'ER', 'er'),
  // CBV 1.x had no sensor components, so they have no URN spelling.
  sensorComponent: cbvDefinition(COMPONENTS, 'Comp'),
  measurementType: { terms: SENSOR_MEASUREMENT_TYPES, uriPrefix: GS1_WEB_VOCABULARY },
  sensorAlertType: { terms: SENSOR_ALERT_TYPES, uriPrefix: GS1_WEB_VOCABULARY },
};

export type VocabularyResult =
  | { ok: true; canonical: string; isCbv: boolean }
  | { ok: false; error: string };

interface Vocabulary {
  /** Used in messages, e.g. `bizStep`. */
  readonly label: string;
  /** Whose list it is, for messages: `CBV` or `GS1`. */
  readonly standard: 'CBV' | 'GS1';
  /** One shared result per standard value: the bare word is by far the most common input on the capture path. */
  readonly results: ReadonlyMap<string, VocabularyResult>;
  readonly aliases?: ReadonlyMap<string, string>;
  /** What precedes a standard value in a URI: `urn:epcglobal:cbv:bizstep:`, `https://ref.gs1.org/cbv/BizStep-`… */
  readonly prefixes: readonly string[];
}

/** Terms of the GS1 Web Vocabulary are written `gs1:Temperature` or `https://gs1.org/voc/Temperature`. */
const GS1_VOC_PREFIXES = ['gs1:', GS1_WEB_VOCABULARY, 'https://ref.gs1.org/voc/'];

function vocabulary(label: string, name: StandardVocabulary, aliases?: ReadonlyMap<string, string>): Vocabulary {
  const { terms, uriPrefix, urnPrefix } = STANDARD_VOCABULARIES[name];
  const standard = uriPrefix.startsWith(CBV_WEB_NAMESPACE) ? 'CBV' : 'GS1';
  // A CBV term is also written as the CURIE `cbv:BizStep-shipping` and, for the CBV 1.x lists, as a URN.
  const prefixes =
    standard === 'CBV'
      ? [uriPrefix, `cbv:${uriPrefix.slice(CBV_WEB_NAMESPACE.length)}`, ...(urnPrefix === undefined ? [] : [urnPrefix])]
      : GS1_VOC_PREFIXES;
  const results = new Map<string, VocabularyResult>(
    terms.map((value) => [value, Object.freeze({ ok: true, canonical: value, isCbv: true })]),
  );
  const vocab = { label, standard, results, prefixes } as const;
  return aliases ? { ...vocab, aliases } : vocab;
}

const BIZ_STEP_VOCAB = vocabulary('bizStep', 'bizStep');
const DISPOSITION_VOCAB = vocabulary('disposition', 'disposition');
const BTT_VOCAB = vocabulary('bizTransaction type', 'bizTransactionType');
const SDT_VOCAB = vocabulary('source/destination type', 'sourceDestinationType');
const ER_VOCAB = vocabulary('error reason', 'errorReason');
const COMPONENT_VOCAB = vocabulary('sensor component', 'sensorComponent');
const MEASUREMENT_VOCAB = vocabulary('sensor measurement type', 'measurementType', MEASUREMENT_TYPE_ALIASES);
const ALERT_VOCAB = vocabulary('sensor alert type', 'sensorAlertType');

/** A URI here is anything with a scheme (`scheme:rest`), which includes CURIEs such as `ext1:myStep`. */
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:./;

function isCbvNamespace(prefix: string): boolean {
  return prefix.startsWith('urn:epcglobal:cbv:') || prefix.startsWith(CBV_WEB_NAMESPACE) || prefix.startsWith('cbv:');
}

function normalise(vocab: Vocabulary, value: unknown): VocabularyResult {
  if (typeof value !== 'string' || value.length === 0) {
    return { ok: false, error: `${vocab.label} must be a non-empty string` };
  }
  const known = vocab.results.get(value);
  if (known !== undefined) return known;
  const alias = vocab.aliases?.get(value);
  if (alias !== undefined) return vocab.results.get(alias)!;
  if (!URI_SCHEME.test(value)) {
    const std = vocab.standard;
    return {
      ok: false,
      error: `'${value}' is not a ${std} ${vocab.label}; a non-${std} ${vocab.label} must be a URI`,
    };
  }
  for (const prefix of vocab.prefixes) {
    if (value.startsWith(prefix)) {
      const word = value.slice(prefix.length);
      const result = vocab.results.get(word) ?? vocab.results.get(vocab.aliases?.get(word) ?? '');
      if (result !== undefined) return result;
      // The CBV namespace is closed: a value invented inside it would pass itself off as standard. The GS1 Web
      // Vocabulary grows faster than the CBV, so an unknown `gs1:` term is kept as a non-CBV URI instead.
      if (isCbvNamespace(prefix)) return { ok: false, error: `'${value}' is not a CBV 2.0 ${vocab.label}` };
      return { ok: true, canonical: value, isCbv: false };
    }
  }
  return { ok: true, canonical: value, isCbv: false };
}

export const normaliseBizStep = (value: unknown): VocabularyResult => normalise(BIZ_STEP_VOCAB, value);
export const normaliseDisposition = (value: unknown): VocabularyResult => normalise(DISPOSITION_VOCAB, value);
export const normaliseBizTransactionType = (value: unknown): VocabularyResult => normalise(BTT_VOCAB, value);
export const normaliseSourceDestinationType = (value: unknown): VocabularyResult => normalise(SDT_VOCAB, value);
export const normaliseErrorReason = (value: unknown): VocabularyResult => normalise(ER_VOCAB, value);
export const normaliseComponent = (value: unknown): VocabularyResult => normalise(COMPONENT_VOCAB, value);
export const normaliseSensorMeasurementType = (value: unknown): VocabularyResult =>
  normalise(MEASUREMENT_VOCAB, value);
export const normaliseSensorAlertType = (value: unknown): VocabularyResult => normalise(ALERT_VOCAB, value);
