import { Type } from '@sinclair/typebox';
import { PRODUCT_CLASSES } from '../domain/master-data.js';
import { principalOf, type App } from '../http/app.js';
import { IdParams, Nullable, PageQuery, StrictObject, StringEnum, Timestamp, pageOf } from '../http/schemas.js';
import type { Platform } from '../platform.js';

export const ProductSchema = Type.Object(
  {
    id: Type.String(),
    ownerSubjectId: Type.String(),
    gtin: Nullable(Type.String({ description: 'GTIN-14' })),
    localCode: Nullable(Type.String()),
    name: Type.String(),
    spec: Nullable(Type.String()),
    productClass: StringEnum(PRODUCT_CLASSES),
    category: Nullable(Type.String()),
    status: StringEnum(['active', 'discontinued'] as const),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Product' },
);

const ProductCreateBody = StrictObject({
  gtin: Type.Optional(Nullable(Type.String({ pattern: '^(\\d{8}|\\d{12,14})$', description: 'GTIN-8/12/13/14; stored as GTIN-14' }))),
  localCode: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'product code within the owner, when no GTIN' }))),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  spec: Type.Optional(Nullable(Type.String({ maxLength: 200, description: '规格, e.g. 500g/袋' }))),
  productClass: StringEnum(PRODUCT_CLASSES),
  category: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'catalogue classification code' }))),
});

const ProductPatchBody = StrictObject(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    spec: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    productClass: Type.Optional(StringEnum(PRODUCT_CLASSES)),
    category: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    status: Type.Optional(StringEnum(['active', 'discontinued'] as const)),
  },
  { minProperties: 1 },
);

const ProductListQuery = StrictObject({
  owner: Type.Optional(Type.String({ maxLength: 64, description: 'owner subject id' })),
  productClass: Type.Optional(StringEnum(PRODUCT_CLASSES)),
  gtin: Type.Optional(Type.String({ pattern: '^(\\d{8}|\\d{12,14})$' })),
  ...PageQuery,
});

export function productRoutes(app: App, platform: Platform): void {
  const { products } = platform.services;
  app.addSchema(ProductSchema);
  const tags = ['products'];
  const ProductRef = Type.Ref(ProductSchema);

  app.post('/api/v1/subjects/:id/products', { schema: { summary: 'Register a product of the subject', tags, params: IdParams, body: ProductCreateBody, response: { 201: ProductRef } } }, async (request, reply) => {
    const product = await products.create(principalOf(request), request.params.id, request.body);
    return reply.code(201).header('Location', `/api/v1/products/${product.id}`).send(product);
  });

  app.get('/api/v1/products', { schema: { summary: 'List the products this key may read', tags, querystring: ProductListQuery, response: { 200: pageOf(ProductRef) } } }, async (request) => {
    const { owner, ...rest } = request.query;
    return products.list(principalOf(request), { ...rest, ...(owner ? { ownerSubjectId: owner } : {}) });
  });

  app.get('/api/v1/products/:id', { schema: { summary: 'A product', tags, params: IdParams, response: { 200: ProductRef } } }, async (request) =>
    products.get(principalOf(request), request.params.id),
  );

  app.patch('/api/v1/products/:id', { schema: { summary: 'Change a product', tags, params: IdParams, body: ProductPatchBody, response: { 200: ProductRef } } }, async (request) =>
    products.update(principalOf(request), request.params.id, request.body),
  );
}
