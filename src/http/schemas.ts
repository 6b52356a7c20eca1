import { Type, type TSchema } from '@sinclair/typebox';

/** Building blocks shared by route schemas; a resource's own schemas live next to its routes. */

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

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
