import type { Kysely } from 'kysely';

/**
 * `events.trace_facts`: what the trace needs of an event (the things it names by role, canonical, with quantities;
 * its ILMD lot; the GLNs of its places), written at capture so that a trace reads neither bodies nor canonicalises
 * identifiers again. Events stored before have none and are traced from their bodies, as before.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('trace_facts', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('trace_facts').execute();
}
