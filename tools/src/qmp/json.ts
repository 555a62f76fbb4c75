/**
 * QMP's JSON on the wire (QEMU 7.2 `qobject/json-*.c` behaviour, observed against the real thing;
 * see `tools/test/qmp/qemu-7.2-transcript.json`):
 *
 * - Input is a stream of JSON texts with no framing: `{...}{...}` without newlines is two
 *   messages, and a message may arrive split over many reads. A text ends where its outermost
 *   brace or bracket closes (or where a top-level scalar ends).
 * - A malformed text is answered with `GenericError` "JSON parse error, <reason>" and the stream
 *   goes on with the next text: a stray `}` is "expecting value", an unknown word `xyz` is
 *   "invalid keyword 'xyz'", `{"a" 1}` is "missing : in object pair".
 * - Integers keep their full 64-bit value: those beyond 2^53 are parsed as `bigint`.
 * - Output is QEMU's: `{"key": value, "key2": value}` with a space after `:` and `,`, one message
 *   per line, lines ending in CR LF.
 */

/** A parsed JSON value; integers that do not fit a double exactly are `bigint`. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = Record<string, JsonValue>;

/** One complete text from the stream: its value, or the reason it is not valid JSON. */
export type JsonMessage = { ok: true; value: JsonValue } | { ok: false; reason: string };

/** [E] A single text larger than this, or nested deeper, is refused (bounded memory). */
export const MAX_MESSAGE_BYTES = 1 << 20;
export const MAX_NESTING = 1024;

/**
 * Splits a byte stream into JSON texts. `push` returns the texts completed by the new data; an
 * incomplete text is kept until more data arrives.
 */
export class JsonStreamSplitter {
  private text = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** A top-level scalar (`xyz`, `12`, `true`) being collected. */
  private inScalar = false;
  private tooLarge = false;

  push(chunk: string): JsonMessage[] {
    const out: JsonMessage[] = [];
    for (const ch of chunk) this.step(ch, out);
    return out;
  }

  private step(ch: string, out: JsonMessage[]): void {
    if (this.inScalar) {
      if (/[\s{}[\]",:]/.test(ch)) {
        this.endScalar(out);
        this.step(ch, out);
        return;
      }
      this.append(ch);
      return;
    }
    if (this.depth === 0 && !this.inString) {
      if (/\s/.test(ch)) return;
      if (ch === '{' || ch === '[') {
        this.depth = 1;
        this.append(ch);
        return;
      }
      if (ch === '}' || ch === ']' || ch === ',' || ch === ':') {
        out.push({ ok: false, reason: 'expecting value' });
        return;
      }
      if (ch === '"') {
        this.inString = true;
        this.append(ch);
        return;
      }
      this.inScalar = true;
      this.append(ch);
      return;
    }
    this.append(ch);
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (ch === '\\') this.escaped = true;
      else if (ch === '"') {
        this.inString = false;
        if (this.depth === 0) this.finish(out);
      }
      return;
    }
    if (ch === '"') this.inString = true;
    else if (ch === '{' || ch === '[') {
      this.depth++;
      if (this.depth > MAX_NESTING) this.tooLarge = true;
    } else if (ch === '}' || ch === ']') {
      this.depth--;
      if (this.depth === 0) this.finish(out);
    }
  }

  private append(ch: string): void {
    if (this.tooLarge) return;
    this.text += ch;
    if (this.text.length > MAX_MESSAGE_BYTES) {
      this.tooLarge = true;
      this.text = '';
    }
  }

  private endScalar(out: JsonMessage[]): void {
    this.inScalar = false;
    this.finish(out);
  }

  private finish(out: JsonMessage[]): void {
    const text = this.text;
    const tooLarge = this.tooLarge;
    this.text = '';
    this.tooLarge = false;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    if (tooLarge) out.push({ ok: false, reason: `message exceeds ${MAX_MESSAGE_BYTES} bytes or ${MAX_NESTING} levels of nesting` });
    else out.push(parseJson(text));
  }
}

class JsonSyntax extends Error {}

/** Parses one complete JSON text with QEMU's error wording. */
export function parseJson(text: string): JsonMessage {
  let pos = 0;
  const ws = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const fail = (reason: string): never => {
    throw new JsonSyntax(reason);
  };
  const parseString = (): string => {
    // The splitter guarantees the string is closed; JSON.parse decodes its escapes.
    let end = pos + 1;
    while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    if (end >= text.length) fail('missing closing quote');
    const raw = text.slice(pos, end + 1);
    pos = end + 1;
    try {
      return JSON.parse(raw) as string;
    } catch {
      return fail('invalid escape sequence in string');
    }
  };
  const parseValue = (): JsonValue => {
    ws();
    const ch = text[pos];
    if (ch === undefined) return fail('expecting value');
    if (ch === '{') return parseObject();
    if (ch === '[') return parseArray();
    if (ch === '"') return parseString();
    const word = /^[^\s{}[\]",:]+/.exec(text.slice(pos))?.[0];
    if (word === undefined) return fail('expecting value');
    pos += word.length;
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (/^-?(0|[1-9]\d*)$/.test(word)) {
      const big = BigInt(word);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(word)) return Number(word);
    return fail(`invalid keyword '${word}'`);
  };
  const parseObject = (): JsonObject => {
    pos++;
    const obj: JsonObject = {};
    ws();
    if (text[pos] === '}') {
      pos++;
      return obj;
    }
    for (;;) {
      ws();
      if (text[pos] !== '"') fail('key is not a string in object');
      const key = parseString();
      ws();
      if (text[pos] !== ':') fail('missing : in object pair');
      pos++;
      obj[key] = parseValue();
      ws();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      fail('expected separator in dict');
    }
  };
  const parseArray = (): JsonValue[] => {
    pos++;
    const arr: JsonValue[] = [];
    ws();
    if (text[pos] === ']') {
      pos++;
      return arr;
    }
    for (;;) {
      arr.push(parseValue());
      ws();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return arr;
      }
      fail('expected separator in list');
    }
  };
  try {
    const value = parseValue();
    ws();
    if (pos !== text.length) fail('expecting value');
    return { ok: true, value };
  } catch (e) {
    if (e instanceof JsonSyntax) return { ok: false, reason: e.message };
    throw e;
  }
}

/** Serialises like QEMU's QMP output: `{"a": 1, "b": [1, 2]}`; `bigint` as a plain integer. */
export function formatJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(formatJson).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}: ${formatJson(v)}`)
    .join(', ')}}`;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value !== 'bigint';
}
