/**
 * The CBV 2.0 standard vocabulary terms that EPCIS 2.0 JSON-LD writes as bare strings (`"shipping"`), and the Web
 * URI each expands to through the EPCIS JSON-LD context. The event hash works on the expanded form, which is also
 * what the XML binding carries, so both bindings hash alike. Only the terms the context defines expand: any other
 * bare string is not a standard value and is hashed as written.
 */

const CBV = 'https://ref.gs1.org/cbv/';
const GS1_VOC = 'https://gs1.org/voc/';

const BIZ_STEPS = [
  'accepting', 'arriving', 'assembling', 'collecting', 'commissioning', 'consigning', 'creating_class_instance',
  'cycle_counting', 'decommissioning', 'departing', 'destroying', 'disassembling', 'dispensing', 'encoding',
  'entering_exiting', 'holding', 'inspecting', 'installing', 'killing', 'loading', 'other', 'packing', 'picking',
  'receiving', 'removing', 'repackaging', 'repairing', 'replacing', 'reserving', 'retail_selling', 'sampling',
  'sensor_reporting', 'shipping', 'staging_outbound', 'stock_taking', 'stocking', 'storing', 'transporting',
  'unloading', 'unpacking', 'void_shipping',
];

const DISPOSITIONS = [
  'active', 'available', 'completeness_verified', 'completeness_inferred', 'conformant', 'container_closed',
  'container_open', 'damaged', 'destroyed', 'dispensed', 'disposed', 'encoded', 'expired', 'in_progress',
  'in_transit', 'inactive', 'mismatch_instance', 'mismatch_class', 'mismatch_quantity', 'needs_replacement',
  'no_pedigree_match', 'non_conformant', 'non_sellable_other', 'partially_dispensed', 'recalled', 'reserved',
  'retail_sold', 'returned', 'sellable_accessible', 'sellable_not_accessible', 'stolen', 'unavailable', 'unknown',
];

const BIZ_TRANSACTION_TYPES = [
  'bol', 'cert', 'desadv', 'inv', 'pedigree', 'po', 'poc', 'prodorder', 'recadv', 'rma', 'testprd', 'testres', 'upevt',
];

const SOURCE_DESTINATION_TYPES = ['owning_party', 'possessing_party', 'location'];

const ERROR_REASONS = ['did_not_occur', 'incorrect_data'];

const SENSOR_COMPONENTS = [
  'x', 'y', 'z', 'axial_distance', 'azimuth', 'height', 'spherical_radius', 'polar_angle', 'elevation_angle',
  'easting', 'northing', 'latitude', 'longitude', 'altitude',
];

const MEASUREMENT_TYPES = [
  'AbsoluteHumidity', 'AbsorbedDose', 'AbsorbedDoseRate', 'Acceleration', 'Radioactivity', 'Altitude',
  'AmountOfSubstance', 'AmountOfSubstancePerUnitVolume', 'Angle', 'AngularAcceleration', 'AngularMomentum',
  'AngularVelocity', 'Area', 'Capacitance', 'Conductance', 'Conductivity', 'Count', 'Density', 'Dimensionless',
  'DoseEquivalent', 'DoseEquivalentRate', 'DynamicViscosity', 'ElectricCharge', 'ElectricCurrent',
  'ElectricCurrentDensity', 'ElectricFieldStrength', 'Energy', 'Exposure', 'Force', 'Frequency', 'Illuminance',
  'Inductance', 'Irradiance', 'KinematicViscosity', 'Length', 'LinearMomentum', 'Luminance', 'LuminousFlux',
  'LuminousIntensity', 'MagneticFlux', 'MagneticFluxDensity', 'MagneticVectorPotential', 'Mass', 'MassConcentration',
  'MassFlowRate', 'MassPerAreaTime', 'MemoryCapacity', 'MolalityOfSolute', 'MolarEnergy', 'MolarMass', 'MolarVolume',
  'Power', 'Pressure', 'RadiantFlux', 'RadiantIntensity', 'RelativeHumidity', 'Resistance', 'Resistivity',
  'SolidAngle', 'SpecificVolume', 'Speed', 'SurfaceDensity', 'SurfaceTension', 'Temperature', 'Time', 'Torque',
  'Voltage', 'Volume', 'VolumeFlowRate', 'VolumeFraction', 'VolumetricFlux', 'Wavenumber',
];

const SENSOR_ALERT_TYPES = ['ALARM_CONDITION', 'ERROR_CONDITION'];

function vocabulary(base: string, terms: readonly string[]): ReadonlyMap<string, string> {
  return new Map(terms.map((term) => [term, base + term]));
}

/** Which vocabulary a standard field's bare value belongs to. */
export type VocabularyField =
  | 'bizStep'
  | 'disposition'
  | 'bizTransactionType'
  | 'sourceDestinationType'
  | 'errorReason'
  | 'sensorComponent'
  | 'measurementType'
  | 'sensorAlertType';

export const BARE_TERMS: Readonly<Record<VocabularyField, ReadonlyMap<string, string>>> = {
  bizStep: vocabulary(`${CBV}BizStep-`, BIZ_STEPS),
  disposition: vocabulary(`${CBV}Disp-`, DISPOSITIONS),
  bizTransactionType: vocabulary(`${CBV}BTT-`, BIZ_TRANSACTION_TYPES),
  sourceDestinationType: vocabulary(`${CBV}SDT-`, SOURCE_DESTINATION_TYPES),
  errorReason: vocabulary(`${CBV}ER-`, ERROR_REASONS),
  sensorComponent: vocabulary(`${CBV}Comp-`, SENSOR_COMPONENTS),
  measurementType: vocabulary(GS1_VOC, MEASUREMENT_TYPES),
  sensorAlertType: vocabulary(GS1_VOC, SENSOR_ALERT_TYPES),
};

/** CBV 1.x URN forms of standard values and the CBV 2.0 Web URI prefix replacing each. */
export const CBV_URN_PREFIXES: readonly (readonly [string, string])[] = [
  ['urn:epcglobal:cbv:bizstep:', `${CBV}BizStep-`],
  ['urn:epcglobal:cbv:disp:', `${CBV}Disp-`],
  ['urn:epcglobal:cbv:btt:', `${CBV}BTT-`],
  ['urn:epcglobal:cbv:sdt:', `${CBV}SDT-`],
  ['urn:epcglobal:cbv:er:', `${CBV}ER-`],
];

/**
 * Prefixes the EPCIS 2.0 JSON-LD context declares, so CURIEs using them expand even when a document does not
 * repeat them. `gs1` is the GS1 Web Vocabulary namespace, which the sensor measurement types live in.
 */
export const EPCIS_CONTEXT_PREFIXES: Readonly<Record<string, string>> = {
  epcis: 'https://ref.gs1.org/epcis/',
  cbv: CBV,
  cbvmda: 'urn:epcglobal:cbv:mda:',
  gs1: GS1_VOC,
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcterms: 'http://purl.org/dc/terms/',
};
