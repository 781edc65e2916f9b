/**
 * Replies, job records and registry data come from other machines; printed
 * raw, a statusmsg or output value with terminal control sequences could
 * retitle the window, clear the screen, hide text or (on some terminals)
 * write to files. Everything the CLI writes passes through here: control
 * characters (C0 but newline and tab, DEL, C1) are shown as visible `\u00XX`
 * escapes. The only escape sequences let through are the CLI's own colours
 * (SGR 0, 1, 31-33), which can at worst colour text.
 */

const ownColour = /^\u001b\[(?:0|1|3[1-3])m/;
// eslint-disable-next-line no-control-regex
const control = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function visible(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `text` with every control character but newline, tab and the CLI's own colour codes made visible. */
export function terminalSafe(text: string): string {
  if (!control.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\u001b') {
      const own = ownColour.exec(text.slice(i, i + 5));
      if (own) {
        out += own[0];
        i += own[0].length - 1;
        continue;
      }
    }
    out += control.test(c) ? visible(c) : c;
  }
  return out;
}
