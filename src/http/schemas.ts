import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** Building blocks shared by route schemas; a resource's own schemas live next to its routes. */

/**
 * A value or null, written as a type list (`type: ['string', 'null']`, JSON Schema 2020-12 and OpenAPI 3.1) where the
 * schema has one type: the response serializer checks a type list inline, but picks an `anyOf` branch by running the
 * validator on the value, which for a trace of hundreds of nodes cost more than writing the JSON.
 */
export const Nullable = <T extends TSchema>(schema: T): TUnsafe<Static<T> | null> => {
  const { type, enum: values } = schema as { type?: unknown; enum?: unknown[] };
  if (typeof type !== 'string') return Type.Unsafe<Static<T> | null>(Type.Union([schema, Type.Null()]));
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'], ...(values ? { enum: [...values, null] } : {}) });
};

export const StringEnum = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

/** A strict object: unknown fields are rejected rather than ignored, so typos never pass silently. */
export const StrictObject: typeof Type.Object = ((properties: Parameters<typeof Type.Object>[0], options = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options })) as typeof Type.Object;

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'stable URN naming the problem: urn:zhuisu:problem:<code>' }),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'stable machine-readable code' }),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({ pointer: Type.Optional(Type.String()), message: Type.String() }, { additionalProperties: true }),
      ),
    ),
  },
  { $id: 'Problem', title: 'Problem (RFC 9457)' },
);

export const IdParams = StrictObject({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 64, description: 'nextCursor of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
};

export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const RegionCode = Type.String({ pattern: '^\\d{6}$', description: 'GB/T 2260 行政区划代码 (6 digits)' });
export const Timestamp = Type.String({ format: 'date-time' });
