/** One thing an event names: an instance (EPC) or a class with the quantity the event gives for it. */
export interface ThingReference {
  code: string;
  quantity?: number;
  uom?: string;
}

/** The things an event names, by the part they play in it. */
export interface ThingReferences {
  /** epcList and quantityList. */
  epcs: ThingReference[];
  parent: string | undefined;
  /** childEPCs and childQuantityList. */
  children: ThingReference[];
  inputs: ThingReference[];
  outputs: ThingReference[];
  /** Every code above, parent last (a code named twice is listed twice). */
  all: string[];
}

/** The things an EPCIS event names (EPCs, classes, children, parent, inputs, outputs), in the form its body has them. */
export function thingReferences(body: Record<string, unknown>): ThingReferences {
  const list = (key: string): ThingReference[] => (Array.isArray(body[key]) ? (body[key] as unknown[]).filter((v): v is string => typeof v === 'string').map((code) => ({ code })) : []);
  const quantities = (key: string): ThingReference[] =>
    Array.isArray(body[key])
      ? (body[key] as Record<string, unknown>[])
          .filter((q) => q && typeof q.epcClass === 'string')
          .map((q) => ({ code: q.epcClass as string, ...(typeof q.quantity === 'number' ? { quantity: q.quantity } : {}), ...(typeof q.uom === 'string' ? { uom: q.uom } : {}) }))
      : [];
  const epcs = [...list('epcList'), ...quantities('quantityList')];
  const children = [...list('childEPCs'), ...quantities('childQuantityList')];
  const inputs = [...list('inputEPCList'), ...quantities('inputQuantityList')];
  const outputs = [...list('outputEPCList'), ...quantities('outputQuantityList')];
  const parent = typeof body.parentID === 'string' ? body.parentID : undefined;
  return { epcs, parent, children, inputs, outputs, all: [...epcs, ...children, ...inputs, ...outputs].map((q) => q.code).concat(parent ? [parent] : []) };
}

/** Every thing an event names, once each. */
export function thingsNamed(body: Record<string, unknown>): string[] {
  return [...new Set(thingReferences(body).all)];
}
