import { userInfo } from 'node:os';
import { writeFileSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { systemPrincipal, USER_ROLES, type UserRole } from '../access/principal.js';
import { ConfigError, loadConfig } from '../config.js';
import { scanCode, SCHEMES } from '../codes/registry.js';
import { UnknownSchemeError } from '../codes/scan.js';
import { KeyStore } from '../crypto/key-store.js';
import { LOG_ED25519_KEY_FILE, LOG_SM2_KEY_FILE, LogSigningKeys } from '../crypto/signing-keys.js';
import { isDomainError, notFound } from '../domain/errors.js';
import { MINTED_SCHEMES, type LabelFormat, type MintedScheme } from '../issuance/issuance.service.js';
import { MAX_LABELS, SYMBOLOGIES, type Symbology } from '../labels/index.js';
import { PRODUCT_CLASSES, SUBJECT_ROLES, type ProductClass, type SubjectRole } from '../domain/master-data.js';
import { createPlatform, migrateOnly, VERSION, type Platform } from '../platform.js';
import { openLogVerifier, type VerifyReport } from '../log/verify.service.js';
import { spreadsheetOf } from '../trace/impact.service.js';
import { dossierXlsx } from '../recall/recall-dossier.service.js';
import { serve } from './serve.js';

const cliActor = () => systemPrincipal(`cli:${safeUser()}`);

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Runs `work` against the configured database as the CLI principal, then closes it. */
async function withPlatform<T>(work: (platform: Platform) => Promise<T>): Promise<T> {
  const platform = await createPlatform(loadConfig());
  try {
    return await work(platform);
  } finally {
    await platform.close();
  }
}

const print = (value: unknown): void => {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
};

const list = (choices: readonly string[]) => (value: string) => {
  const items = value.split(',').map((v) => v.trim()).filter(Boolean);
  const bad = items.filter((v) => !choices.includes(v));
  if (bad.length) throw new InvalidArgumentError(`unknown value(s) ${bad.join(', ')}; choose from ${choices.join(', ')}`);
  return items;
};
const oneOf = (choices: readonly string[]) => (value: string) => {
  if (!choices.includes(value)) throw new InvalidArgumentError(`choose one of ${choices.join(', ')}`);
  return value;
};

const positiveInteger = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
};

const nonNegativeInteger = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('a whole number of at least 0');
  return n;
};

/** RFC 4180: quoted when it holds a comma, quote or line break. */
const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** Work (rows) from which `zhuisu verify` shows its progress even when stderr is not a terminal. */
const LARGE_VERIFICATION = 500_000;

/** A verification report as people read it: what was checked, then each problem on one line naming its row. */
function describeReport(report: VerifyReport): string {
  const c = report.checked;
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const lines = [
    `${report.database}, log ${report.origin}: ${plural(report.treeSize, 'leaf', 'leaves')}`,
    `checked ${plural(c.leaves, 'leaf', 'leaves')}, ${plural(c.nodes, 'stored node')}, ${plural(c.roots, 'root')}, ${plural(c.checkpoints, 'checkpoint')}, ` +
      `${plural(c.events, 'event')}, ${plural(c.corrections, 'correction')}, ${plural(c.audits, 'audit entry', 'audit entries')}`,
  ];
  for (const note of report.notes) lines.push(`note: ${note}`);
  if (report.ok) return `${lines.join('\n')}\nok: the log and the records it covers hold\n`;
  lines.push(`FAILED: ${plural(report.problemCount, 'problem')}`);
  for (const p of report.problems) {
    const row = Object.entries(p.row).map(([k, v]) => `${k}=${v}`).join(' ');
    lines.push(`  ${p.table} ${row}: [${p.code}] ${p.message}`);
  }
  for (const [code, n] of Object.entries(report.omitted)) lines.push(`  … and ${plural(n, 'more problem')} of kind ${code} (--max-problems, --json)`);
  return `${lines.join('\n')}\n`;
}

export function buildCli(): Command {
  const program = new Command('zhuisu')
    .description('zhuisu traceability platform. Configure with PORT, HOST, DATABASE_URL, ZHUISU_KEY_DIR, ZHUISU_ADMIN_TOKEN.')
    .version(VERSION)
    .showHelpAfterError()
    // Usage errors exit 2, apart from the 1 of a refused input: scripts tell "called wrongly" from "data rejected".
    .exitOverride();

  program
    .command('serve')
    .description('run the HTTP server (migrations run first)')
    .option('--port <port>', 'listen port (PORT, default 8080)')
    .option('--host <host>', 'listen address (HOST, default 127.0.0.1)')
    .option('--demo', 'load the demo data into an empty database (ZHUISU_DEMO=1)')
    .option('--level <level>', 'the platform level: enterprise, third-party, city, province, national (ZHUISU_LEVEL)')
    .option('--region <code>', 'the GB/T 2260 region code the platform serves (ZHUISU_REGION)')
    .option('--upstream-url <url>', 'the platform a level up, to forward events to (ZHUISU_UPSTREAM_URL)')
    .option('--upstream-token <key>', 'the API key the upstream issued this platform (ZHUISU_UPSTREAM_TOKEN; prefer the variable: flags show in ps)')
    .option('--upstream-mode <mode>', 'what goes up: full events, or summaries with their hashes (ZHUISU_UPSTREAM_MODE: full or summaries, default full)')
    .action(async (opts: { port?: string; host?: string; demo?: boolean; level?: string; region?: string; upstreamUrl?: string; upstreamToken?: string; upstreamMode?: string }) => {
      // Flags stand in for their variables, so one set of checks reports every bad value.
      const env = {
        ...process.env,
        ...(opts.level !== undefined ? { ZHUISU_LEVEL: opts.level } : {}),
        ...(opts.region !== undefined ? { ZHUISU_REGION: opts.region } : {}),
        ...(opts.upstreamUrl !== undefined ? { ZHUISU_UPSTREAM_URL: opts.upstreamUrl } : {}),
        ...(opts.upstreamToken !== undefined ? { ZHUISU_UPSTREAM_TOKEN: opts.upstreamToken } : {}),
        ...(opts.upstreamMode !== undefined ? { ZHUISU_UPSTREAM_MODE: opts.upstreamMode } : {}),
      };
      const config = loadConfig(env, {
        ...(opts.port ? { port: Number(opts.port) } : {}),
        ...(opts.host ? { host: opts.host } : {}),
        ...(opts.demo ? { demo: true } : {}),
      });
      await serve(config);
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const applied = await migrateOnly(loadConfig());
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    });

  const token = program.command('token').description('API keys');
  token
    .command('create')
    .description('issue an API key for a user and print it once')
    .requiredOption('--user <username-or-id>', 'the user the key acts as')
    .option('--name <name>', 'what the key is for', 'cli')
    .option('--expires <date-time>', 'expiry (RFC 3339)')
    .action(async (opts: { user: string; name: string; expires?: string }) =>
      withPlatform(async ({ services }) => {
        const user = (await services.users.get(cliActor(), opts.user)).id;
        const key = await services.users.createKey(cliActor(), user, { name: opts.name, expiresAt: opts.expires ?? null });
        process.stderr.write('Store this key now; it is not shown again.\n');
        process.stdout.write(key.secret + '\n');
      }),
    );
  token
    .command('list')
    .requiredOption('--user <username-or-id>')
    .action(async (opts: { user: string }) =>
      withPlatform(async ({ services }) => print(await services.users.listKeys(cliActor(), opts.user))),
    );
  token
    .command('revoke <key-id>')
    .action(async (keyId: string) => withPlatform(async ({ services }) => print(await services.users.revokeKey(cliActor(), keyId))));

  const user = program.command('user').description('users');
  user
    .command('create')
    .requiredOption('--username <name>')
    .requiredOption('--role <role>', USER_ROLES.join(' | '), oneOf(USER_ROLES))
    .option('--display-name <name>')
    .option('--subject <id-or-code>', 'for subject roles')
    .option('--region <prefix>', "regulators: GB/T 2260 prefix ('' = nationwide)")
    .option('--departments <list>', 'regulators: comma-separated departments')
    .option('--classes <list>', 'regulators: comma-separated product classes', list(PRODUCT_CLASSES))
    .action(async (opts: { username: string; role: UserRole; displayName?: string; subject?: string; region?: string; departments?: string; classes?: ProductClass[] }) =>
      withPlatform(async ({ services }) => {
        const actor = cliActor();
        const subjectId = opts.subject ? (await services.subjects.get(actor, opts.subject)).id : null;
        print(
          await services.users.create(actor, {
            username: opts.username,
            role: opts.role,
            subjectId,
            ...(opts.displayName ? { displayName: opts.displayName } : {}),
            ...(opts.region !== undefined ? { regionPrefix: opts.region } : {}),
            ...(opts.departments ? { departments: opts.departments.split(',') as never } : {}),
            ...(opts.classes ? { productClasses: opts.classes } : {}),
          }),
        );
      }),
    );
  user
    .command('list')
    .option('--subject <id>')
    .action(async (opts: { subject?: string }) =>
      withPlatform(async ({ services }) => print(await services.users.list(cliActor(), { ...(opts.subject ? { subjectId: opts.subject } : {}), limit: 500 }))),
    );
  user
    .command('password <id-or-username>')
    .description('set a user\'s password for the web pages, read from standard input (one line), never from the command line')
    .action(async (id: string) =>
      withPlatform(async ({ services }) => {
        const password = (await readStandardInput()).replace(/\r?\n$/, '');
        const target = await services.users.get(cliActor(), id);
        await services.users.setPassword(cliActor(), target.id, { password });
        process.stdout.write(`password set for ${target.username}\n`);
      }),
    );
  user
    .command('disable <id>')
    .action(async (id: string) => withPlatform(async ({ services }) => print(await services.users.update(cliActor(), id, { status: 'disabled' }))));

  const subject = program.command('subject').description('subjects (主体)');
  subject
    .command('create')
    .requiredOption('--name <name>')
    .requiredOption('--region <code>', 'GB/T 2260 region code')
    .requiredOption('--roles <list>', SUBJECT_ROLES.join(','), list(SUBJECT_ROLES))
    .option('--code <uscc>', '统一社会信用代码 (organisation)')
    .option('--person-id <id>', '公民身份号码 (natural person; the platform issues the 主体码)')
    .option('--prefixes <list>', 'GS1 company prefixes, comma-separated')
    .option('--address <text>')
    .action(async (opts: { name: string; region: string; roles: SubjectRole[]; code?: string; personId?: string; prefixes?: string; address?: string }) =>
      withPlatform(async ({ services }) =>
        print(
          await services.subjects.register(cliActor(), {
            kind: opts.personId ? 'person' : 'organisation',
            ...(opts.code ? { subjectCode: opts.code } : {}),
            ...(opts.personId ? { personId: opts.personId } : {}),
            name: opts.name,
            roles: opts.roles,
            regionCode: opts.region,
            ...(opts.address ? { address: opts.address } : {}),
            ...(opts.prefixes ? { companyPrefixes: opts.prefixes.split(',') } : {}),
          }),
        ),
      ),
    );
  subject
    .command('list')
    .option('--region <prefix>')
    .option('--query <text>')
    .action(async (opts: { region?: string; query?: string }) =>
      withPlatform(async ({ services }) =>
        print(await services.subjects.list(cliActor(), { ...(opts.region ? { regionPrefix: opts.region } : {}), ...(opts.query ? { query: opts.query } : {}), limit: 500 })),
      ),
    );
  subject.command('show <id-or-code>').action(async (id: string) => withPlatform(async ({ services }) => print(await services.subjects.get(cliActor(), id))));
  subject
    .command('status <id-or-code> <status>')
    .option('--reason <text>')
    .action(async (id: string, status: string, opts: { reason?: string }) =>
      withPlatform(async ({ services }) => print(await services.subjects.setStatus(cliActor(), id, oneOf(['active', 'suspended', 'blacklisted'])(status) as never, opts.reason ?? null))),
    );

  const location = program.command('location').description('locations of subjects');
  location
    .command('create')
    .requiredOption('--subject <id-or-code>')
    .requiredOption('--name <name>')
    .requiredOption('--region <code>')
    .option('--gln <gln>')
    .option('--local-code <code>')
    .option('--kind <kind>')
    .option('--address <text>')
    .action(async (opts: { subject: string; name: string; region: string; gln?: string; localCode?: string; kind?: string; address?: string }) =>
      withPlatform(async ({ services }) =>
        print(await services.subjects.addLocation(cliActor(), opts.subject, { name: opts.name, regionCode: opts.region, gln: opts.gln ?? null, localCode: opts.localCode ?? null, kind: opts.kind ?? null, address: opts.address ?? null })),
      ),
    );
  location
    .command('list')
    .requiredOption('--subject <id-or-code>')
    .action(async (opts: { subject: string }) => withPlatform(async ({ services }) => print(await services.subjects.listLocations(cliActor(), opts.subject, undefined, 500))));

  const product = program.command('product').description('products');
  product
    .command('create')
    .requiredOption('--subject <id-or-code>', 'owner')
    .requiredOption('--name <name>')
    .requiredOption('--class <class>', PRODUCT_CLASSES.join(' | '), oneOf(PRODUCT_CLASSES))
    .option('--gtin <gtin>')
    .option('--local-code <code>')
    .option('--spec <spec>')
    .action(async (opts: { subject: string; name: string; class: ProductClass; gtin?: string; localCode?: string; spec?: string }) =>
      withPlatform(async ({ services }) =>
        print(await services.products.create(cliActor(), opts.subject, { name: opts.name, productClass: opts.class, gtin: opts.gtin ?? null, localCode: opts.localCode ?? null, spec: opts.spec ?? null })),
      ),
    );
  product
    .command('list')
    .option('--subject <id>')
    .action(async (opts: { subject?: string }) =>
      withPlatform(async ({ services }) => print(await services.products.list(cliActor(), { ...(opts.subject ? { ownerSubjectId: opts.subject } : {}), limit: 500 }))),
    );

  const codes = program.command('codes').description('traceability codes: read, issue, print');
  codes
    .command('parse <text>')
    .description('read any scanned code; prints every valid reading as JSON (exit 0), or the reason on stderr (exit 1)')
    .option('--scheme <id>', 'read with this scheme only (see `zhuisu codes schemes`)')
    .action((text: string, opts: { scheme?: string }) => {
      let result;
      try {
        result = scanCode(text, opts.scheme);
      } catch (error) {
        if (error instanceof UnknownSchemeError) throw new CommanderError(2, 'zhuisu.unknownScheme', `error: ${error.message}`);
        throw error;
      }
      if (!result.ok) {
        process.stderr.write(`invalid: ${result.reason}\n`);
        process.exitCode = 1;
        return;
      }
      print({ readings: result.readings });
    });
  codes
    .command('schemes')
    .description('list the code schemes the platform reads')
    .action(() => print(SCHEMES.map(({ id, name, layout }) => ({ id, name, layout }))));
  codes
    .command('issue')
    .description('mint codes for a product and record them as commissioning events')
    .requiredOption('--scheme <scheme>', MINTED_SCHEMES.join(' | '), oneOf(MINTED_SCHEMES))
    .requiredOption('--quantity <n>', 'how many codes', positiveInteger)
    .option('--product <id>', 'the product (required except for SSCCs)')
    .option('--subject <id>', 'the issuing subject when no product says')
    .option('--lot <lot>')
    .option('--expiry <YYYY-MM-DD>')
    .option('--output <file.csv>', 'also write the codes as CSV (code, text, link)')
    .action(async (opts: { scheme: MintedScheme; quantity: number; product?: string; subject?: string; lot?: string; expiry?: string; output?: string }) =>
      withPlatform(async ({ services }) => {
        const issued = await services.issuance.issue(cliActor(), {
          scheme: opts.scheme,
          quantity: opts.quantity,
          ...(opts.product ? { productId: opts.product } : {}),
          ...(opts.subject ? { subjectId: opts.subject } : {}),
          ...(opts.lot ? { lot: opts.lot } : {}),
          ...(opts.expiry ? { expiry: opts.expiry } : {}),
        });
        if (opts.output) {
          const lines = ['code,text,link'];
          for (let cursor: string | undefined = undefined; ; ) {
            const page = await services.issuance.codes(cliActor(), issued.batch.id, cursor, 10_000);
            for (const c of page.items) lines.push([c.code, c.text, c.link].map(csvField).join(','));
            if (!page.nextCursor) break;
            cursor = page.nextCursor;
          }
          writeFileSync(opts.output, lines.join('\n') + '\n');
        }
        print(issued.batch);
      }),
    );

  codes
    .command('labels')
    .description("print a batch's codes: A4 label sheets (PDF) or ZPL for a thermal printer")
    .requiredOption('--batch <id>', 'the issuance or import batch')
    .requiredOption('--output <file>', 'where to write the PDF or ZPL')
    .option('--format <format>', 'pdf | zpl (default: from the file name, else pdf)', oneOf(['pdf', 'zpl']))
    .option('--symbology <symbology>', SYMBOLOGIES.join(' | '), oneOf(SYMBOLOGIES))
    .option('--from <n>', 'position of the first code to print', nonNegativeInteger)
    .option('--count <n>', `how many (at most ${MAX_LABELS.toLocaleString('en')})`, positiveInteger)
    .action(async (opts: { batch: string; output: string; format?: LabelFormat; symbology?: Symbology; from?: number; count?: number }) =>
      withPlatform(async ({ services }) => {
        const format = opts.format ?? (opts.output.toLowerCase().endsWith('.zpl') ? 'zpl' : 'pdf');
        const labels = await services.issuance.labels(cliActor(), opts.batch, {
          format,
          ...(opts.symbology ? { symbology: opts.symbology } : {}),
          ...(opts.from !== undefined ? { from: opts.from } : {}),
          ...(opts.count !== undefined ? { count: opts.count } : {}),
        });
        writeFileSync(opts.output, labels.body);
        process.stderr.write(`${labels.printed} labels written to ${opts.output}\n`);
      }),
    );

  const recall = program.command('recall').description('recalls and stop-trade orders');
  recall
    .command('create <code...>')
    .description('recall (or stop trade of) codes: every subject the goods reached is notified')
    .requiredOption('--reason <reason>')
    .option('--level <n>', '召回级别 1 to 3', positiveInteger)
    .option('--stop-trade', 'a stop-trade order (中止交易) instead of a recall')
    .action(async (codes: string[], opts: { reason: string; level?: number; stopTrade?: boolean }) =>
      withPlatform(async ({ services }) =>
        print(await services.recalls.create(cliActor(), { codes, reason: opts.reason, ...(opts.level ? { level: opts.level } : {}), kind: opts.stopTrade ? 'stop_trade' : 'recall' })),
      ),
    );
  recall.command('list').action(async () => withPlatform(async ({ services }) => print(await services.recalls.list(cliActor(), undefined, 500))));
  recall.command('show <id>').action(async (id: string) => withPlatform(async ({ services }) => print({ ...(await services.recalls.get(cliActor(), id)), progress: await services.recalls.progress(cliActor(), id) })));
  recall
    .command('close <id>')
    .option('--note <note>')
    .action(async (id: string, opts: { note?: string }) => withPlatform(async ({ services }) => print(await services.recalls.close(cliActor(), id, opts.note))));

  program
    .command('trace <code>')
    .description('trace a code backward (where it came from) or forward (where it went); prints the graph as JSON')
    .option('--forward', 'trace forward instead of backward')
    .option('--depth <n>', 'levels to follow', positiveInteger)
    .action(async (code: string, opts: { forward?: boolean; depth?: number }) =>
      withPlatform(async ({ services }) => print(await services.trace.trace(cliActor(), code, opts.forward ? 'forward' : 'backward', opts.depth))),
    );

  const exports = program.command('export').description('export data as spreadsheets or JSON');
  exports
    .command('trace <code...>')
    .description('the impact assessment of one code or a set of lots: every movement of the goods (and, in XLSX, a sheet per holder)')
    .option('--xlsx <file>', 'write an Excel workbook')
    .option('--csv <file>', 'write CSV (UTF-8 with a byte order mark)')
    .option('--depth <n>', 'levels to follow', positiveInteger)
    .option('--proofs', "add a sheet with the transparency log's proof of every movement (XLSX)")
    .action(async (codes: string[], opts: { xlsx?: string; csv?: string; depth?: number; proofs?: boolean }, command: Command) => {
      if (!opts.xlsx && !opts.csv) command.error('error: name the file to write with --xlsx <file> or --csv <file>');
      await withPlatform(async ({ services }) => {
        const assessment = await services.impact.assess(cliActor(), codes, opts.depth, { proofs: opts.proofs === true });
        for (const [format, file] of [['xlsx', opts.xlsx], ['csv', opts.csv]] as const) {
          if (!file) continue;
          writeFileSync(file, (await spreadsheetOf(assessment, format)).body);
          process.stderr.write(`${assessment.movements.length} movements of ${assessment.holders.length} holders written to ${file}\n`);
        }
        for (const w of assessment.warnings) process.stderr.write(`warning: ${w}\n`);
      });
    });
  exports
    .command('recall <id>')
    .description('the recall dossier: the recall, its progress, every notice, its audit records and the movements of the goods; JSON on stdout unless a file is named')
    .option('--xlsx <file>', 'write an Excel workbook')
    .option('--json <file>', 'write the JSON to a file')
    .option('--proofs', "add the transparency log's proof of every movement's event and every audit record, with the checkpoint and its key")
    .action(async (id: string, opts: { xlsx?: string; json?: string; proofs?: boolean }) =>
      withPlatform(async ({ services }) => {
        const dossier = await services.dossiers.dossier(cliActor(), id, { proofs: opts.proofs === true });
        const summary = `recall ${id}: ${dossier.notices.length} notices, ${dossier.movements.movements.length} movements, ${dossier.records.length} records${dossier.proofs ? `, proofs to tree size ${dossier.proofs.treeSize}` : ''}`;
        if (opts.xlsx) {
          writeFileSync(opts.xlsx, await dossierXlsx(dossier));
          process.stderr.write(`${summary} written to ${opts.xlsx}\n`);
        }
        if (opts.json) {
          writeFileSync(opts.json, JSON.stringify(dossier, null, 2) + '\n');
          process.stderr.write(`${summary} written to ${opts.json}\n`);
        }
        if (!opts.xlsx && !opts.json) print(dossier);
        for (const w of dossier.movements.warnings) process.stderr.write(`warning: ${w}\n`);
      }),
    );

  program
    .command('audit')
    .description('print the audit trail, newest first')
    .option('--subject <id>')
    .option('--limit <n>', 'entries', '50')
    .action(async (opts: { subject?: string; limit: string }) =>
      withPlatform(async ({ services }) => print(await services.audit.list(cliActor(), { ...(opts.subject ? { subjectId: opts.subject } : {}), limit: Number(opts.limit) }))),
    );

  program
    .command('verify')
    .description(
      'check the transparency log end to end: the tree rebuilt from every leaf against the stored nodes, roots and signed checkpoints, ' +
        'and every event, correction and audit entry against its leaf. Exit 0 when all holds, 1 on any altered, missing or extra row',
    )
    .option('--json', 'print the report as JSON')
    .option('--max-problems <n>', 'problems listed per kind (all are counted)', positiveInteger, 100)
    .option('--no-progress', 'never show a progress bar')
    .action(async (opts: { json?: boolean; maxProblems: number; progress: boolean }) => {
      const { verifier, close } = await openLogVerifier(loadConfig());
      let bar: SingleBar | undefined;
      let report: VerifyReport;
      try {
        report = await verifier.verify(cliActor(), {
          keepPerCode: opts.maxProblems,
          onProgress: ({ phase, done, total }) => {
            // A bar for a terminal, or for a long run whose log someone may be watching; never for a quick check in a pipe.
            if (!bar && opts.progress && (process.stderr.isTTY || total >= LARGE_VERIFICATION)) {
              bar = new SingleBar(
                { stream: process.stderr, format: 'verifying {phase} [{bar}] {percentage}% | {value}/{total} rows | {eta_formatted} left', noTTYOutput: true, notTTYSchedule: 10_000, etaBuffer: 50 },
                Presets.shades_classic,
              );
              bar.start(total, 0, { phase });
            }
            bar?.update(done, { phase });
          },
        });
      } finally {
        bar?.stop();
        await close();
      }
      if (opts.json) print(report);
      else process.stdout.write(describeReport(report));
      process.exitCode = report.ok ? 0 : 1;
    });

  const keys = program.command('keys').description("the transparency log's signing keys (Ed25519 and SM2) in the key directory (ZHUISU_KEY_DIR)");
  keys
    .command('init')
    .description('create the log signing keys for production; refuses to replace existing ones. Prints the public keys only')
    .action(() => {
      const config = loadConfig();
      const signing = LogSigningKeys.init(new KeyStore(config.keyDir), config.logOrigin);
      process.stdout.write(
        `created the log signing keys in ${config.keyDir} (${LOG_ED25519_KEY_FILE}.key, ${LOG_SM2_KEY_FILE}.key, mode 0600).\n` +
          'Back them up: checkpoints signed with them verify with no other keys.\n' +
          `origin: ${signing.origin}\n` +
          `Ed25519 verifier key: ${signing.ed25519VerifierKey}\n` +
          `SM2 verifier key: ${signing.sm2VerifierKey}\n`,
      );
      // The keys' name is the origin, and the default origin follows PORT: a server on another port would sign under a
      // name these vkeys do not carry.
      if (!process.env.ZHUISU_LOG_ORIGIN?.trim() && !process.env.ZHUISU_PUBLIC_URL?.trim()) {
        process.stderr.write(`warning: the origin ${signing.origin} is derived from PORT; set ZHUISU_LOG_ORIGIN (or ZHUISU_PUBLIC_URL) for production\n`);
      }
    });
  keys
    .command('show')
    .description('print the public keys the log signs its checkpoints with (never the secrets)')
    .option('--json', 'print them as /.well-known/zhuisu/keys does')
    .action((opts: { json?: boolean }) => {
      const config = loadConfig();
      const store = new KeyStore(config.keyDir);
      // Opening would create missing keys; showing must not.
      if (!store.has(LOG_ED25519_KEY_FILE) || !store.has(LOG_SM2_KEY_FILE)) {
        throw notFound('signing-keys-missing', `there are no log signing keys in ${config.keyDir}; create them with \`zhuisu keys init\``);
      }
      const published = LogSigningKeys.open(store, config.logOrigin).describe();
      if (opts.json) return print(published);
      process.stdout.write(`origin: ${published.origin}\nkey directory: ${config.keyDir}\n`);
      for (const key of published.keys) process.stdout.write(`${key.algorithm} (key ID ${key.keyId}): ${key.verifierKey}\n`);
    });

  return program;
}


/** Entry point: readable messages for every expected failure, a stack only for bugs. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (isDomainError(error)) {
      process.stderr.write(`error: ${error.message}\n`);
      for (const d of error.details) process.stderr.write(`  ${d.pointer ?? ''} ${d.message}\n`);
      process.exitCode = 1;
    } else if (error instanceof CommanderError) {
      // Help and version are answers, not errors; everything else commander reports is a usage error.
      if (error.code === 'zhuisu.unknownScheme') process.stderr.write(`${error.message}\n`);
      process.exitCode = error.exitCode === 0 ? 0 : 2;
    } else if (error instanceof ConfigError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      throw error;
    }
  }
}

async function readStandardInput(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password (then Enter, Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
