/**
 * The EPCIS 2.0 events the console's forms record, built from what the user chose and scanned. The business steps and
 * dispositions are CBV 2.0 terms; places are GLNs written as GS1 Digital Links (AI 414), the form the event index
 * reads a GLN from.
 */

export const STEPS = ['receive', 'ship', 'transform', 'sell', 'inspect'] as const;
export type Step = (typeof STEPS)[number];

/** What a line of goods is: a thing named one by one (an item, a case) or a quantity of a lot or product. */
export interface GoodsLine {
  identifier: string;
  kind: 'instance' | 'quantity';
  quantity: number;
  uom: string;
}

export interface EventInput {
  step: Step;
  eventTime: Date;
  /** The subject's own place (its GLN): read point, and business location except when shipping. */
  place: string;
  /** The other end of a move: where a shipment goes, or where a receipt came from. */
  partner?: string;
  disposition?: 'conformant' | 'non_conformant';
  goods: GoodsLine[];
  /** The outputs of a transformation, and the lot and expiry they get (instance/lot master data). */
  outputs?: GoodsLine[];
  lot?: string;
  expiry?: string;
}

export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

export const glnLink = (gln: string): string => `https://id.gs1.org/414/${gln}`;

/** The business step and disposition of each form. */
export const STEP_TERMS: Record<Step, { bizStep: string; disposition: string }> = {
  receive: { bizStep: 'receiving', disposition: 'in_progress' },
  ship: { bizStep: 'shipping', disposition: 'in_transit' },
  transform: { bizStep: 'commissioning', disposition: 'active' },
  sell: { bizStep: 'retail_selling', disposition: 'retail_sold' },
  inspect: { bizStep: 'inspecting', disposition: 'conformant' },
};

/** The browser's offset from UTC as EPCIS writes it: `+08:00`. */
export function timeZoneOffset(at: Date): string {
  const minutes = -at.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const instances = (lines: GoodsLine[]) => lines.filter((l) => l.kind === 'instance').map((l) => l.identifier);
const quantities = (lines: GoodsLine[]) => lines.filter((l) => l.kind === 'quantity').map((l) => ({ epcClass: l.identifier, quantity: l.quantity, uom: l.uom }));
/** A list only when it has something: EPCIS leaves an empty list out. */
const listed = (name: string, list: unknown[]) => (list.length ? { [name]: list } : {});

export function buildEvent(input: EventInput): Record<string, unknown> {
  const { bizStep, disposition } = STEP_TERMS[input.step];
  const place = glnLink(input.place);
  const common = {
    eventTime: input.eventTime.toISOString(),
    eventTimeZoneOffset: timeZoneOffset(input.eventTime),
    bizStep,
    disposition: input.step === 'inspect' ? (input.disposition ?? 'conformant') : disposition,
    readPoint: { id: place },
    // After shipping the goods are in transit: their business location is unknown by definition (CBV).
    ...(input.step === 'ship' ? {} : { bizLocation: { id: place } }),
  };
  if (input.step === 'transform') {
    const outputs = input.outputs ?? [];
    const ilmd = { ...(input.lot ? { 'cbvmda:lotNumber': input.lot } : {}), ...(input.expiry ? { 'cbvmda:itemExpirationDate': input.expiry } : {}) };
    return {
      type: 'TransformationEvent',
      ...common,
      ...(Object.keys(ilmd).length ? { ilmd } : {}),
      ...listed('inputEPCList', instances(input.goods)),
      ...listed('inputQuantityList', quantities(input.goods)),
      ...listed('outputEPCList', instances(outputs)),
      ...listed('outputQuantityList', quantities(outputs)),
    };
  }
  const move =
    input.step === 'ship' && input.partner
      ? { sourceList: [{ type: 'location', source: place }], destinationList: [{ type: 'location', destination: glnLink(input.partner) }] }
      : input.step === 'receive' && input.partner
        ? { sourceList: [{ type: 'location', source: glnLink(input.partner) }], destinationList: [{ type: 'location', destination: place }] }
        : {};
  return {
    type: 'ObjectEvent',
    ...common,
    action: 'OBSERVE',
    epcList: instances(input.goods),
    ...listed('quantityList', quantities(input.goods)),
    ...move,
  };
}

export function captureDocument(event: Record<string, unknown>): Record<string, unknown> {
  return { '@context': [EPCIS_CONTEXT], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: new Date().toISOString(), epcisBody: { eventList: [event] } };
}

/** A GLN: 13 digits with a valid GS1 check digit. */
export function isGln(text: string): boolean {
  if (!/^\d{13}$/.test(text)) return false;
  const digits = [...text].map(Number);
  const sum = digits.slice(0, 12).reduce((total, d, i) => total + d * (i % 2 === 0 ? 1 : 3), 0);
  return (10 - (sum % 10)) % 10 === digits[12];
}

export interface ProfileElement {
  element: 'bizStep' | 'readPoint' | 'bizLocation' | 'quantityUom' | 'lot' | 'ilmd' | 'source' | 'destination' | 'expiry';
  present: boolean;
}

/**
 * The key data elements the evaluation's completeness measure holds an event to (docs/EVALUATION.md; the rules are
 * `DEFAULT_PROFILE` and `SECTOR_PROFILES` in src/evaluation/scoring.ts): the CBV basics for every class, and for
 * drugs the expiry from commissioning on. A transformation is recorded as commissioning its outputs. Only the
 * elements that apply to this event are listed.
 */
export function profileElements(event: Record<string, any>, productClass: string | null): { profile: string; elements: ProfileElement[] } {
  const bizStep = event.bizStep as string;
  const commissioning = bizStep === 'commissioning';
  const movement = bizStep === 'shipping' || bizStep === 'receiving';
  const quantityLines = ['quantityList', 'inputQuantityList', 'outputQuantityList'].flatMap((key) => (event[key] as { quantity?: unknown; uom?: unknown }[] | undefined) ?? []);
  const ilmd = (event.ilmd ?? {}) as Record<string, unknown>;
  // What was made or commissioned: a transformation's inputs were lots of their own before.
  const made = [...(event.epcList ?? []), ...(event.outputEPCList ?? []), ...[...(event.quantityList ?? []), ...(event.outputQuantityList ?? [])].map((q: { epcClass: string }) => q.epcClass)] as string[];
  const elements: (ProfileElement | false)[] = [
    { element: 'bizStep', present: Boolean(bizStep) },
    { element: 'readPoint', present: Boolean(event.readPoint?.id) },
    bizStep !== 'shipping' && { element: 'bizLocation', present: Boolean(event.bizLocation?.id) },
    quantityLines.length > 0 && { element: 'quantityUom', present: quantityLines.every((q) => typeof q.quantity === 'number' && Number.isFinite(q.quantity) && typeof q.uom === 'string' && q.uom !== '') },
    commissioning && { element: 'lot', present: 'cbvmda:lotNumber' in ilmd || made.some((code) => /\/10\/[^/]+/.test(code)) },
    commissioning && { element: 'ilmd', present: Object.keys(ilmd).length > 0 },
    movement && { element: 'source', present: Array.isArray(event.sourceList) && event.sourceList.length > 0 },
    movement && { element: 'destination', present: Array.isArray(event.destinationList) && event.destinationList.length > 0 },
    productClass === 'drug' && commissioning && { element: 'expiry', present: 'cbvmda:itemExpirationDate' in ilmd },
  ];
  return { profile: productClass === 'drug' ? 'drug' : 'default', elements: elements.filter((e): e is ProfileElement => e !== false) };
}
