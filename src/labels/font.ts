/**
 * The font the label sheet writes its text in. Labels carry Chinese product, company and place names, so the default
 * is a CJK font that comes with `npm install`: Noto Sans Hans Regular (SIL Open Font License 1.1) from the
 * @embedpdf/fonts-sc package: one OpenType file with Latin, every CJK Unified Ideograph and Extension A character
 * (all of GB 18030's BMP hanzi) and some two hundred supplementary-plane characters met in names. Nothing is vendored
 * into the repository, and a PDF embeds only the glyphs it uses.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';
import { invalid } from '../domain/errors.js';

export const DEFAULT_FONT_PACKAGE = '@embedpdf/fonts-sc';
export const DEFAULT_FONT_FILE = 'NotoSansHans-Regular.otf';

export interface LabelFont {
  readonly data: Buffer;
  has(codePoint: number): boolean;
  /** Advance width of `text` set at `sizePt`, in points. */
  width(text: string, sizePt: number): number;
}

let defaultFont: LabelFont | undefined;

/** The package exports only its JavaScript entry, so the font file is found from there. */
export function defaultFontPath(): string {
  const entry = createRequire(import.meta.url).resolve(DEFAULT_FONT_PACKAGE);
  return join(dirname(dirname(entry)), 'fonts', DEFAULT_FONT_FILE);
}

function open(data: Buffer): LabelFont {
  let font: fontkit.Font | fontkit.FontCollection;
  try {
    font = fontkit.create(data);
  } catch {
    throw invalid('label.font.invalid', 'The label font is not a TrueType or OpenType font', [
      { pointer: '/font', message: 'not a TrueType or OpenType font' },
    ]);
  }
  if (!('hasGlyphForCodePoint' in font)) {
    throw invalid('label.font.invalid', 'The label font must be a single font, not a collection', [
      { pointer: '/font', message: 'font collections are not supported' },
    ]);
  }
  const single = font;
  return {
    data,
    has: (codePoint) => single.hasGlyphForCodePoint(codePoint),
    width: (text, sizePt) => (single.layout(text).advanceWidth / single.unitsPerEm) * sizePt,
  };
}

/** The font for a sheet: the one given, or the default, parsed once per process since it is 8 MB. */
export function labelFont(data?: Uint8Array): LabelFont {
  if (data) return open(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  defaultFont ??= open(readFileSync(defaultFontPath()));
  return defaultFont;
}

/** The first character of `text` the font cannot draw, so that a label never prints a blank box for a name. */
export function firstMissingCharacter(font: LabelFont, text: string): string | undefined {
  for (const ch of text) {
    const codePoint = ch.codePointAt(0)!;
    if (/\s/u.test(ch)) continue;
    if (!font.has(codePoint)) return ch;
  }
  return undefined;
}
