/**
 * A large answer as UTF-8 JSON bytes, for routes whose answers run to hundreds of KiB (a forward trace of a farm lot:
 * 250 KiB). JSON.stringify builds its text as a chain of pieces that must be joined into one string before it can be
 * encoded, and for text with Chinese in it that costs several times the stringify itself; the same object written as
 * runs of a few dozen array elements, each encoded on its own, costs a third as much in all. The bytes are exactly
 * JSON.stringify's text.
 */
export function jsonBytes(value: unknown): Buffer {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return Buffer.from(JSON.stringify(value) ?? 'null');
  }
  const parts: Buffer[] = [];
  let text = '{';
  let first = true;
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    text += `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!Array.isArray(member) || member.length <= RUN) {
      text += JSON.stringify(member);
      continue;
    }
    parts.push(Buffer.from(text));
    // Each run is encoded with its brackets, which become the list's own bracket or the comma between runs.
    for (let i = 0; i < member.length; i += RUN) {
      const run = Buffer.from(JSON.stringify(member.slice(i, i + RUN)));
      if (i > 0) run[0] = COMMA;
      parts.push(i + RUN < member.length ? run.subarray(0, run.length - 1) : run);
    }
    text = '';
  }
  parts.push(Buffer.from(`${text}}`));
  return Buffer.concat(parts);
}

/** Array elements per run: a few KiB of text each, measured fastest between 8 and 128. */
const RUN = 32;
const COMMA = 0x2c;
