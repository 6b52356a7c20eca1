import { createHash } from 'node:crypto';
import { openNote, parseCheckpoint, parseVerifierKey, verifierFromKey } from '../crypto/signed-note.js';
import { parseEntry } from '../log/entries.js';
import { leafHash, verifyInclusion } from '../log/merkle.js';

/**
 * A resolver answer as it travels between platforms and reaches the consumer page, and how an asker checks one it
 * fetched: the checkpoint is signed by the answering platform, every step's leaf is in the tree the checkpoint
 * commits to, and, when the platform asked passed on another's answer, the asked platform vouches for the answering
 * platform's key with its own signature.
 */

export interface ResolvedPlatform {
  /** The origin of its transparency log, which names it. */
  origin: string;
  level: string;
  regionCode: string | null;
}

/** One platform the answer passed: the one that answered (`local`), then each that fetched it from a member or its upstream. */
export interface RouteHop extends ResolvedPlatform {
  source: 'local' | 'member' | 'upstream';
}

export interface ResolvedStep {
  eventID: string;
  eventTime: string;
  bizStep: string | null;
  disposition: string | null;
  place: { gln: string; name: string | null; regionCode: string | null } | null;
  subject: { name: string; regionCode: string } | null;
  /** The certificates the event cites (EPCIS 2.0 certificationInfo): URIs or certificate numbers. */
  certificationInfo: string[];
  /** The event's leaf in the answering platform's log and the path from it to the checkpoint's root. */
  proof: { leafIndex: number; leafHash: string; entry: string; inclusionProof: string[] };
}

export interface Resolution {
  /** The identifier events use: canonical GS1 Digital Link or urn:zhuisu:{scheme}:{code}. */
  code: string;
  /** The code as printed. */
  text: string;
  product: { name: string; gtin: string | null; productClass: string } | null;
  recalled: boolean;
  recalls: { kind: 'recall' | 'stop_trade'; level: number | null; reason: string; status: 'open' | 'closed'; createdAt: string }[];
  /** Oldest first: the events of the code and of what it was made from or packed with. */
  steps: ResolvedStep[];
  /** The answering platform's signed checkpoint and the Ed25519 key it verifies with. */
  checkpoint: { treeSize: number; note: string; verifierKey: string };
  answeredBy: ResolvedPlatform;
  route: RouteHop[];
  /**
   * A signed note by the last platform of the route when it passed on another's answer: it checked the answer and
   * vouches that `verifierKey` is the answering platform's key. Null on an answer given from local data.
   */
  vouch: string | null;
}

export const VOUCH_TYPE = 'zhuisu-resolve-vouch/v1';

/** What a vouch signs: the answering platform, its key, and the checkpoint the answer's proofs lead to. */
export function vouchBody(answer: Pick<Resolution, 'answeredBy' | 'checkpoint'>): string {
  const digest = createHash('sha256').update(answer.checkpoint.note, 'utf8').digest('base64');
  return `${VOUCH_TYPE}\n${answer.answeredBy.origin}\n${answer.checkpoint.verifierKey}\n${digest}\n`;
}

/**
 * Checks an answer fetched from the platform whose log key is `askedKey`. Returns the reason it fails, or undefined
 * when it holds: the checkpoint opens with the asked platform's key (or, for an answer it passed on, with the key it
 * vouched for), names the answering platform, and every step's entry is the leaf its proof places in that tree.
 */
export function answerProblem(answer: Resolution, askedKey: string): string | undefined {
  try {
    const asked = parseVerifierKey(askedKey).name;
    let key = askedKey;
    if (answer.answeredBy.origin !== asked) {
      if (answer.vouch === null) return `the answer is by ${answer.answeredBy.origin}, not by ${asked} who was asked, and nobody vouches for it`;
      if (openNote(answer.vouch, [verifierFromKey(askedKey)]).body !== vouchBody(answer)) return `${asked} vouches for another answer`;
      key = answer.checkpoint.verifierKey;
    }
    if (parseVerifierKey(key).name !== answer.answeredBy.origin) return `the key ${key} is not of ${answer.answeredBy.origin}`;
    const checkpoint = parseCheckpoint(openNote(answer.checkpoint.note, [verifierFromKey(key)]).body);
    if (checkpoint.origin !== answer.answeredBy.origin) return `the checkpoint is of ${checkpoint.origin}, the answer by ${answer.answeredBy.origin}`;
    if (checkpoint.size !== answer.checkpoint.treeSize) return `the checkpoint is of size ${checkpoint.size}, not ${answer.checkpoint.treeSize}`;
    for (const step of answer.steps) {
      const entry = parseEntry(step.proof.entry);
      if (entry?.kind !== 'event' || entry.ref !== step.eventID) return `the leaf of ${step.eventID} names ${step.proof.entry.trim()}`;
      const leaf = leafHash(Buffer.from(step.proof.entry, 'utf8'));
      if (leaf.toString('hex') !== step.proof.leafHash) return `the leaf hash of ${step.eventID} is not the hash of its entry`;
      const path = step.proof.inclusionProof.map((h) => Buffer.from(h, 'hex'));
      if (!verifyInclusion(leaf, step.proof.leafIndex, checkpoint.size, path, checkpoint.rootHash)) return `the inclusion proof of ${step.eventID} does not lead to the checkpoint's root`;
    }
    return undefined;
  } catch (error) {
    return `the answer's signatures cannot be checked: ${(error as Error).message}`;
  }
}
