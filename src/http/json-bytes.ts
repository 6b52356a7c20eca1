/**
 * A large answer as UTF-8 JSON bytes, for routes whose answers run to hundreds of KiB (a forward trace of a farm lot:
 * 250 KiB). JSON.stringify builds its text as a chain of pieces that must be joined into one string before it can be
 * encoded, and for text with Chinese in it that costs several times the stringify itself; the same object written as
 * runs of a few dozen array elements costs a third as much in all. The runs are measured, then encoded once each
 * into one buffer of the exact size. The bytes are exactly JSON.stringify's text.
 */
export function jsonBytes(value: unknown): Buffer {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return Buffer.from(JSON.stringify(value) ?? 'null');
  }
  const texts: string[] = [];
  /** Runs after a list's first: written over the `]` before them, their `[` made a comma. */
  const continuing = new Set<number>();
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
    texts.push(text);
    for (let i = 0; i < member.length; i += RUN) {
      if (i > 0) continuing.add(texts.length);
      texts.push(JSON.stringify(member.slice(i, i + RUN)));
    }
    text = '';
  }
  texts.push(`${text}}`);
  let size = -continuing.size;
  for (const t of texts) size += Buffer.byteLength(t);
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  texts.forEach((t, i) => {
    const start = continuing.has(i) ? at - 1 : at;
    at = start + bytes.write(t, start);
    if (continuing.has(i)) bytes[start] = COMMA;
  });
  return bytes;
}

/** Array elements per run: a few KiB of text each, measured fastest between 8 and 128. */
const RUN = 32;
const COMMA = 0x2c;
