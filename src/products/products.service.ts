import { uuidv7 } from 'uuidv7';
import { canReadProduct, canWriteMasterData, ensure, readScope } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import { recordAudit } from '../audit/audit.service.js';
import { isValidGtin, toGtin14 } from '../codes/gs1/check-digit.js';
import type { Database } from '../db/index.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import type { Page, Product, ProductClass } from '../domain/master-data.js';
import type { SubjectsService } from '../subjects/subjects.service.js';
import { ProductsRepository } from './products.repository.js';

export interface ProductInput {
  gtin?: string | null;
  localCode?: string | null;
  name: string;
  spec?: string | null;
  productClass: ProductClass;
  category?: string | null;
}

export type ProductPatch = Partial<Pick<ProductInput, 'name' | 'spec' | 'productClass' | 'category'>> & {
  status?: Product['status'];
};

export class ProductsService {
  constructor(
    private readonly database: Database,
    private readonly subjects: SubjectsService,
  ) {}

  async create(actor: Principal, ownerIdOrCode: string, input: ProductInput): Promise<Product> {
    const owner = await this.subjects.get(actor, ownerIdOrCode);
    ensure(canWriteMasterData(actor, owner.id), 'not-permitted', 'only the subject admin or a platform admin adds products');
    const gtin = input.gtin ? normaliseGtin(input.gtin) : null;
    const localCode = input.localCode?.trim() || null;
    if (!gtin && !localCode) throw invalid('product-code-required', 'a product needs a GTIN or a local product code', [{ pointer: '/gtin', message: 'gtin or localCode is required' }]);
    return this.database.transaction(async (trx) => {
      const repo = new ProductsRepository(trx);
      if (gtin && (await repo.findByGtin(gtin))) throw conflict('product-exists', `GTIN ${gtin} is already registered`);
      if (localCode && (await repo.findByLocalCode(owner.id, localCode))) throw conflict('product-exists', `local code ${localCode} is already used by this subject`);
      const now = new Date().toISOString();
      const id = uuidv7();
      await repo.insert({
        id,
        owner_subject_id: owner.id,
        gtin,
        local_code: localCode,
        name: input.name.trim(),
        spec: input.spec ?? null,
        product_class: input.productClass,
        category: input.category ?? null,
        status: 'active',
        created_at: now,
        updated_at: now,
      });
      await recordAudit(trx, actor, { action: 'product.create', targetType: 'product', targetId: id, subjectId: owner.id, changes: { ...input, gtin } });
      return stripOwnerRegion((await repo.findById(id))!);
    });
  }

  async get(actor: Principal, id: string): Promise<Product> {
    const product = await new ProductsRepository(this.database.db).findById(id);
    if (!product) throw notFound('product-not-found', `no product ${id}`);
    ensure(canReadProduct(actor, { subjectId: product.ownerSubjectId, regionCode: product.ownerRegionCode, productClass: product.productClass }));
    return stripOwnerRegion(product);
  }

  async list(
    actor: Principal,
    filter: { ownerSubjectId?: string; productClass?: ProductClass; gtin?: string; cursor?: string; limit?: number },
  ): Promise<Page<Product>> {
    const limit = filter.limit ?? 50;
    const gtin = filter.gtin ? normaliseGtin(filter.gtin) : undefined;
    const items = await new ProductsRepository(this.database.db).list({
      ...filter,
      ...(gtin ? { gtin } : {}),
      scope: readScope(actor),
      limit,
    });
    return { items, nextCursor: items.length === limit ? items[items.length - 1]!.id : null };
  }

  async update(actor: Principal, id: string, patch: ProductPatch): Promise<Product> {
    return this.database.transaction(async (trx) => {
      const repo = new ProductsRepository(trx);
      const product = await repo.findById(id);
      if (!product) throw notFound('product-not-found', `no product ${id}`);
      ensure(canReadProduct(actor, { subjectId: product.ownerSubjectId, regionCode: product.ownerRegionCode, productClass: product.productClass }));
      ensure(canWriteMasterData(actor, product.ownerSubjectId), 'not-permitted', 'only the subject admin or a platform admin changes products');
      await repo.update(id, {
        ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
        ...(patch.spec !== undefined ? { spec: patch.spec } : {}),
        ...(patch.productClass !== undefined ? { product_class: patch.productClass } : {}),
        ...(patch.category !== undefined ? { category: patch.category } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        updated_at: new Date().toISOString(),
      });
      await recordAudit(trx, actor, { action: 'product.update', targetType: 'product', targetId: id, subjectId: product.ownerSubjectId, changes: { ...patch } });
      return stripOwnerRegion((await repo.findById(id))!);
    });
  }
}

/** GTINs are stored as GTIN-14 so that the same trade item printed as EAN-13 or GTIN-14 is found either way. */
function normaliseGtin(input: string): string {
  const digits = input.trim();
  if (!isValidGtin(digits)) {
    throw invalid('invalid-gtin', `${input} is not a valid GTIN (8, 12, 13 or 14 digits with a GS1 check digit)`, [{ pointer: '/gtin', message: 'invalid GTIN' }]);
  }
  return toGtin14(digits);
}

function stripOwnerRegion(product: Product & { ownerRegionCode?: string }): Product {
  const { ownerRegionCode: _omit, ...rest } = product;
  return rest;
}
