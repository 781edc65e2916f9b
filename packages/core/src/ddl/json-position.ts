/**
 * Locating JSON syntax errors. V8's JSON.parse messages only sometimes carry a
 * position, so on failure the text is re-scanned by this small recursive-descent
 * checker, which reports the offset of the first offending character. It runs
 * only after JSON.parse has already failed.
 */

/** 1-based line and column of a character offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class Stop {
  constructor(readonly offset: number) {}
}

const literals = ['true', 'false', 'null'];
const numberRe = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const stringRe = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** Offset of the first JSON syntax error in `text`, or undefined when it is valid JSON. */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const token = (re: RegExp): void => {
    re.lastIndex = i;
    if (!re.test(text)) throw new Stop(i);
    i = re.lastIndex;
  };
  const expect = (ch: string): void => {
    ws();
    if (text.charAt(i) !== ch) throw new Stop(i);
    i++;
  };
  const sequence = (close: string, item: () => void): void => {
    i++;
    ws();
    if (text.charAt(i) === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      ws();
      const c = text.charAt(i);
      if (c === close) {
        i++;
        return;
      }
      if (c !== ',') throw new Stop(i);
      i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text.charAt(i);
    if (c === '{') {
      sequence('}', () => {
        ws();
        if (text.charAt(i) !== '"') throw new Stop(i);
        token(stringRe);
        expect(':');
        value();
      });
    } else if (c === '[') {
      sequence(']', value);
    } else if (c === '"') {
      token(stringRe);
    } else {
      const lit = literals.find((l) => text.startsWith(l, i));
      if (lit !== undefined) i += lit.length;
      else token(numberRe);
    }
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (err) {
    if (err instanceof Stop) return err.offset;
    throw err;
  }
}
