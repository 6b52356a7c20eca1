import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration once released; add a new one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('subjects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_code', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('address', 'text')
    .addColumn('contact', 'text')
    .addColumn('licences', 'text', (c) => c.notNull())
    .addColumn('person_id_cipher', 'text')
    .addColumn('person_id_index', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('subjects_region_idx').on('subjects').column('region_code').execute();

  await db.schema
    .createTable('subject_company_prefixes')
    .addColumn('prefix', 'text', (c) => c.primaryKey())
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .execute();
  await db.schema
    .createIndex('subject_company_prefixes_subject_idx')
    .on('subject_company_prefixes')
    .column('subject_id')
    .execute();

  await db.schema
    .createTable('locations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('gln', 'text', (c) => c.unique())
    .addColumn('local_code', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text')
    .addColumn('address', 'text')
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('locations_subject_local_code_key', ['subject_id', 'local_code'])
    .execute();
  await db.schema.createIndex('locations_region_idx').on('locations').column('region_code').execute();

  await db.schema
    .createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('gtin', 'text', (c) => c.unique())
    .addColumn('local_code', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('spec', 'text')
    .addColumn('product_class', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('products_owner_local_code_key', ['owner_subject_id', 'local_code'])
    .execute();
  await db.schema.createIndex('products_owner_idx').on('products').column('owner_subject_id').execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.references('subjects.id'))
    .addColumn('region_prefix', 'text')
    .addColumn('departments', 'text', (c) => c.notNull())
    .addColumn('product_classes', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_subject_idx').on('users').column('subject_id').execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_keys_user_idx').on('api_keys').column('user_id').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'text')
    .addColumn('actor_key_id', 'text')
    .addColumn('on_behalf_of', 'text')
    .addColumn('subject_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('changes', 'text')
    .addColumn('address', 'text')
    .addColumn('request_id', 'text')
    .execute();
  await db.schema.createIndex('audit_log_subject_idx').on('audit_log').columns(['subject_id', 'id']).execute();
  await db.schema.createIndex('audit_log_target_idx').on('audit_log').columns(['target_type', 'target_id']).execute();

  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'counters',
    'audit_log',
    'api_keys',
    'users',
    'products',
    'locations',
    'subject_company_prefixes',
    'subjects',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
