import type { ReadScope } from '../access/policy.js';
import type { Executor, ProductTable } from '../db/index.js';
import type { Product, ProductClass } from '../domain/master-data.js';

export interface ProductListFilter {
  scope: ReadScope;
  ownerSubjectId?: string;
  productClass?: ProductClass;
  gtin?: string;
  cursor?: string;
  limit: number;
}

export class ProductsRepository {
  constructor(private readonly db: Executor) {}

  async insert(row: ProductTable): Promise<void> {
    await this.db.insertInto('products').values(row).execute();
  }

  async update(id: string, changes: Partial<ProductTable>): Promise<void> {
    await this.db.updateTable('products').set(changes).where('id', '=', id).execute();
  }

  async findById(id: string): Promise<(Product & { ownerRegionCode: string }) | undefined> {
    const row = await this.withOwnerRegion().where('products.id', '=', id).executeTakeFirst();
    return row ? { ...toProduct(row), ownerRegionCode: row.owner_region_code } : undefined;
  }

  async findByGtin(gtin: string): Promise<Product | undefined> {
    const row = await this.db.selectFrom('products').selectAll().where('gtin', '=', gtin).executeTakeFirst();
    return row ? toProduct(row) : undefined;
  }

  /** The product class of each registered GTIN-14 among `gtins`. */
  async classesByGtin(gtins: string[]): Promise<Map<string, ProductClass>> {
    if (gtins.length === 0) return new Map();
    const rows = await this.db.selectFrom('products').select(['gtin', 'product_class']).where('gtin', 'in', gtins).execute();
    return new Map(rows.map((r) => [r.gtin!, r.product_class as ProductClass]));
  }

  async findByLocalCode(ownerSubjectId: string, localCode: string): Promise<Product | undefined> {
    const row = await this.db
      .selectFrom('products')
      .selectAll()
      .where('owner_subject_id', '=', ownerSubjectId)
      .where('local_code', '=', localCode)
      .executeTakeFirst();
    return row ? toProduct(row) : undefined;
  }

  async list(filter: ProductListFilter): Promise<Product[]> {
    let query = this.withOwnerRegion();
    const { scope } = filter;
    if (scope.kind === 'subject') query = query.where('products.owner_subject_id', '=', scope.subjectId);
    if (scope.kind === 'region') {
      query = query.where('subjects.region_code', 'like', `${scope.regionPrefix}%`);
      query = scope.productClasses.length
        ? query.where('products.product_class', 'in', scope.productClasses)
        : query.where('products.id', '=', ''); // a regulator with no classes supervises nothing
    }
    if (filter.ownerSubjectId) query = query.where('products.owner_subject_id', '=', filter.ownerSubjectId);
    if (filter.productClass) query = query.where('products.product_class', '=', filter.productClass);
    if (filter.gtin) query = query.where('products.gtin', '=', filter.gtin);
    if (filter.cursor) query = query.where('products.id', '>', filter.cursor);
    const rows = await query.orderBy('products.id').limit(filter.limit).execute();
    return rows.map(toProduct);
  }

  private withOwnerRegion() {
    return this.db
      .selectFrom('products')
      .innerJoin('subjects', 'subjects.id', 'products.owner_subject_id')
      .selectAll('products')
      .select('subjects.region_code as owner_region_code');
  }
}

function toProduct(row: ProductTable): Product {
  return {
    id: row.id,
    ownerSubjectId: row.owner_subject_id,
    gtin: row.gtin,
    localCode: row.local_code,
    name: row.name,
    spec: row.spec,
    productClass: row.product_class as ProductClass,
    category: row.category,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
