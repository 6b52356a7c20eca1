import { formatNote, openNote, parseNote, verifierFromKey } from '../crypto/signed-note.js';
import { invalid } from '../domain/errors.js';
import { MAX_PROOF_LINES } from './witness.service.js';

/**
 * The log's side of c2sp.org/tlog-witness: asking a witness (another platform, usually the one a level up) to cosign
 * this platform's latest checkpoint. The caller brings the checkpoint, the size the witness last cosigned (0 when
 * unknown: the witness answers a conflict naming its size) and the consistency proof between the two.
 */

export interface AddCheckpointOptions {
  /** The witness platform's base address, e.g. `https://trace.province.example`. */
  witnessUrl: string;
  /** An API key issued to this platform by the witness platform. */
  apiKey: string;
  /** This platform's checkpoint, the signed note as `/log/checkpoint` serves it. */
  checkpoint: string;
  /** The size of the checkpoint the witness last cosigned for this log. */
  oldSize: number;
  /** The consistency proof from `oldSize` to the checkpoint's size (empty from 0). */
  proof: readonly Uint8Array[];
  /** The witness's cosignature vkey: when given, only cosignatures that verify with it are returned. */
  witnessKey?: string;
  /** Milliseconds before giving up on the witness; 30 s by default. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type AddCheckpointResult =
  | {
      ok: true;
      /** The cosignature lines, each ending in a newline: appended to the checkpoint they make the cosigned note. */
      cosignatures: string[];
    }
  /** The witness last cosigned a different size: resubmit from `witnessSize` with the proof from there. */
  | { ok: false; failure: 'conflict'; witnessSize: number; message: string }
  /** The witness refused the request itself: unknown log, signature not accepted, bad key, malformed request. */
  | { ok: false; failure: 'refused'; status: number; code: string | null; message: string }
  /** The witness saw this checkpoint contradict one it cosigned and raised an alarm. */
  | { ok: false; failure: 'fork'; status: number; code: string | null; alarmId: string | null; message: string }
  /** No usable answer: the witness could not be reached, failed, or answered what the protocol does not allow. */
  | { ok: false; failure: 'unavailable'; status: number | null; message: string };

const DEFAULT_TIMEOUT_MS = 30_000;

/** POSTs add-checkpoint to the witness and reads its answer as the spec defines it. Never throws for the witness's sake. */
export async function addCheckpointToWitness(options: AddCheckpointOptions): Promise<AddCheckpointResult> {
  const body = requestBody(options);
  const url = `${options.witnessUrl.replace(/\/+$/, '')}/log/witness/add-checkpoint`;
  let response: Response;
  let text: string;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'text/plain; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    return { ok: false, failure: 'unavailable', status: null, message: `the witness at ${url} did not answer: ${(error as Error).message}` };
  }
  const type = response.headers.get('content-type') ?? '';
  if (response.ok) return cosignaturesIn(text, options);
  const problem = problemIn(type, text);
  const message = problem?.detail ?? `the witness answered ${response.status}`;
  if (response.status === 409 && /^text\/x\.tlog\.size\b/.test(type)) {
    const size = /^(0|[1-9][0-9]*)\n$/.exec(text);
    if (!size || !Number.isSafeInteger(Number(size[1]))) return { ok: false, failure: 'unavailable', status: response.status, message: 'the witness answered a conflict without a tree size' };
    return { ok: false, failure: 'conflict', witnessSize: Number(size[1]), message: `the witness last cosigned size ${size[1]}` };
  }
  // A same-size second root is a 409 with a problem, a proof that does not verify a 422: both are the witness's alarm.
  if (response.status === 422 || (response.status === 409 && problem?.code === 'witness-fork')) {
    const alarmId = problem?.errors?.find((e) => typeof e.alarmId === 'string')?.alarmId as string | undefined;
    return { ok: false, failure: 'fork', status: response.status, code: problem?.code ?? null, alarmId: alarmId ?? null, message };
  }
  if (response.status >= 400 && response.status < 500) return { ok: false, failure: 'refused', status: response.status, code: problem?.code ?? null, message };
  return { ok: false, failure: 'unavailable', status: response.status, message };
}

/** `old <size>`, the proof hashes in base64 one a line, a blank line, the checkpoint. */
function requestBody({ checkpoint, oldSize, proof }: AddCheckpointOptions): string {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) throw invalid('witness-request-malformed', `the old size ${oldSize} is not a tree size`);
  if (proof.length > MAX_PROOF_LINES) throw invalid('witness-request-malformed', `a consistency proof has at most ${MAX_PROOF_LINES} hashes, not ${proof.length}`);
  if (proof.some((hash) => hash.length !== 32)) throw invalid('witness-request-malformed', 'a consistency proof is made of 32-byte hashes');
  parseNote(checkpoint);
  return `old ${oldSize}\n${proof.map((hash) => `${Buffer.from(hash).toString('base64')}\n`).join('')}\n${checkpoint}`;
}

/**
 * The lines of a 200 answer: note signature lines, read as the spec suggests, appended to the checkpoint and opened
 * with the witness's key when the caller knows it. Lines by other keys are left out, as a client must ignore them.
 */
function cosignaturesIn(text: string, options: AddCheckpointOptions): AddCheckpointResult {
  const { body } = parseNote(options.checkpoint);
  const cosigned = `${body}\n${text}`;
  try {
    const { signatures } = parseNote(cosigned);
    if (!options.witnessKey) return { ok: true, cosignatures: linesOf(body, signatures) };
    const { verified } = openNote(cosigned, [verifierFromKey(options.witnessKey)]);
    return { ok: true, cosignatures: linesOf(body, verified) };
  } catch (error) {
    return { ok: false, failure: 'unavailable', status: 200, message: `the witness answered no usable cosignature: ${(error as Error).message}` };
  }
}

function linesOf(body: string, signatures: Parameters<typeof formatNote>[1]): string[] {
  return formatNote(body, signatures)
    .slice(body.length + 1)
    .split(/(?<=\n)/);
}

interface ProblemBody {
  code?: string;
  detail?: string;
  errors?: { [key: string]: unknown }[];
}

function problemIn(type: string, text: string): ProblemBody | undefined {
  if (!/^application\/(problem\+)?json\b/.test(type)) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as ProblemBody) : undefined;
  } catch {
    return undefined;
  }
}
