/**
 * Text that a test controls (its names, error messages, stdout and stderr), made safe to put on the
 * user's terminal, and the terminal handed back as it was on the way out.
 *
 * A test's output is bytes meant for a pipe: `\x1b[?1049h` (alternate screen), `\x1b[?25l` (hidden
 * cursor), a scroll region, `\x1bc` (reset), an OSC title, mouse reporting or bracketed paste would
 * all act on the terminal if cctrial wrote them raw, wrecking its own display and outliving it. So
 * everything the report prints goes through `neutralizeControls`: SGR colours stay (or go, without
 * colour), every other control character is shown as a visible symbol (`␛[?1049h`), so the user
 * still sees what the test printed. Names on the status line also lose their line breaks
 * (`flattenLine`), and are measured and cut by display columns (CJK and emoji take two).
 */
import stringWidth from 'string-width';

/** C0 controls but tab and newline, CR, DEL and the C1 controls (0x9b is an 8-bit CSI on some terminals). */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const ANY_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
/** An SGR sequence (colours, bold, ...: `ESC [ params m`, the one sequence a report may carry), a CRLF, or another control character. */
const SGR_OR_CONTROL = /\x1b\[[0-9;:]*m|\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const SGR_RESET = '\x1b[0m';

/** `␛` for ESC, `␀` for NUL ... (Unicode's control pictures); `␡` for DEL; `\x9b` for a C1 control. */
function picture(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `\\x${code.toString(16)}`;
}

/**
 * Makes text safe for a terminal: keeps newlines, tabs and (with `colour`) SGR sequences; turns
 * `\r\n` into `\n`; shows every other control character as a visible symbol, so that an escape
 * sequence reads as `␛[?1049h` and does nothing. Without `colour`, SGR sequences are dropped. When an
 * SGR sequence is kept, an SGR reset ends the text, so that a colour the text left on does not
 * bleed into what cctrial prints next. Idempotent.
 */
export function neutralizeControls(text: string, colour: boolean): string {
  if (!CONTROL.test(text)) return text;
  let keptSgr = false;
  const out = text.replace(SGR_OR_CONTROL, (match) => {
    if (match.length === 1) return picture(match);
    if (match === '\r\n') return '\n';
    keptSgr ||= colour;
    return colour ? match : '';
  });
  return keptSgr && !out.endsWith(SGR_RESET) ? out + SGR_RESET : out;
}

/**
 * One line of plain text, for a test's name where it must stay on one row: line breaks become `⏎`,
 * tabs a space, and other control characters (escape sequences included, SGR too) visible symbols.
 */
export function flattenLine(text: string): string {
  if (!/[\x00-\x1f\x7f-\x9f\u2028\u2029]/.test(text)) return text;
  return text
    .replace(/\r\n|[\n\r\u2028\u2029]/g, '⏎')
    .replace(/\t/g, ' ')
    .replace(ANY_CONTROL, picture);
}

/** Columns the text takes on a terminal: SGR sequences take none, CJK and most emoji two. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

const segmenter = new Intl.Segmenter();
/** Code units kept of an overlong text before measuring it: more than any row needs. */
const unitsPerColumn = 16;

/** Pads with spaces to `width` columns. */
export function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** At most `width` columns of plain (flattened) text; a cut one ends with `…`, never splitting a character. */
export function cutEnd(text: string, width: number): string {
  if (width <= 0) return '';
  let long = false;
  if (text.length > width * unitsPerColumn) {
    text = text.slice(0, width * unitsPerColumn);
    long = true;
  }
  if (!long && displayWidth(text) <= width) return text;
  let used = 1;
  let kept = '';
  for (const { segment } of segmenter.segment(text)) {
    const columns = displayWidth(segment);
    if (used + columns > width) break;
    used += columns;
    kept += segment;
  }
  return kept + '…';
}

/** At most `width` columns of plain text, keeping its end; a cut one starts with `…`. */
export function cutStart(text: string, width: number): string {
  if (width <= 0) return '';
  let long = false;
  if (text.length > width * unitsPerColumn) {
    text = text.slice(text.length - width * unitsPerColumn);
    long = true;
  }
  if (!long && displayWidth(text) <= width) return text;
  const segments = Array.from(segmenter.segment(text), ({ segment }) => segment);
  let used = 1;
  let start = segments.length;
  while (start > 0) {
    const columns = displayWidth(segments[start - 1]!);
    if (used + columns > width) break;
    used += columns;
    start--;
  }
  return '…' + segments.slice(start).join('');
}

/**
 * What cctrial writes last on a terminal, however it ends (but for a hangup: nobody reads any more).
 * Each part is a no-op on a terminal already in that state, and none moves the cursor for good:
 * - save the cursor, leave the alternate screen, make the whole screen the scroll region, restore
 *   the cursor: leaving the alternate screen restores the cursor saved on entering it (terminals keep
 *   one saved cursor per screen; on the normal screen it is the one just saved), and DECSTBM homes
 *   the cursor, so that the cursor ends where the normal screen had it;
 * - cursor shown, line wrapping on, insert mode off, normal cursor keys and keypad;
 * - mouse reporting (every protocol), focus events, bracketed paste and synchronized output off;
 * - the ASCII character set in G0, shifted in; SGR reset.
 * cctrial itself only hides the cursor: the rest undoes what anything else that wrote to the
 * terminal may have left (a test's output never reaches it raw; see neutralizeControls).
 */
export const RESTORE_TERMINAL = [
  '\x1b7\x1b[?1049l\x1b[r\x1b8',
  '\x1b[?25h',
  '\x1b[?7h',
  '\x1b[4l',
  '\x1b[?1l\x1b>',
  ...[1000, 1001, 1002, 1003, 1005, 1006, 1015, 1016, 1004, 2004, 2026].map((mode) => `\x1b[?${mode}l`),
  '\x1b(B\x0f',
  SGR_RESET,
].join('');
