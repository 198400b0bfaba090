/**
 * Finds where a JSON text stops being valid JSON. JSON.parse's messages differ between Node
 * versions and some carry no position at all; a config error must name the line and column.
 */

/** The first syntax error of a JSON text: its offset and a short reason. */
export interface JsonSyntaxError {
  readonly offset: number;
  readonly reason: string;
}

class JsonChecker {
  private pos = 0;

  constructor(private readonly text: string) {}

  check(): JsonSyntaxError | undefined {
    try {
      this.ws();
      this.value();
      this.ws();
      if (this.pos < this.text.length) this.fail("Unexpected non-whitespace character after JSON");
      return undefined;
    } catch (e) {
      if (e instanceof Found) return e.error;
      throw e;
    }
  }

  private fail(reason: string, offset = this.pos): never {
    throw new Found({ offset, reason });
  }

  private unexpected(expected: string): never {
    if (this.pos >= this.text.length) this.fail(`Unexpected end of JSON input; expected ${expected}`);
    this.fail(`Unexpected token ${JSON.stringify(this.text[this.pos])}; expected ${expected}`);
  }

  private ws(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  private value(): void {
    const c = this.text[this.pos];
    if (c === "{") this.object();
    else if (c === "[") this.array();
    else if (c === '"') this.string();
    else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) this.number();
    else if (this.text.startsWith("true", this.pos)) this.pos += 4;
    else if (this.text.startsWith("false", this.pos)) this.pos += 5;
    else if (this.text.startsWith("null", this.pos)) this.pos += 4;
    else this.unexpected("a value");
  }

  private object(): void {
    this.members("}", () => {
      if (this.text[this.pos] !== '"') this.unexpected('a double-quoted property name (is there a trailing comma?)');
      this.string();
      this.ws();
      if (this.text[this.pos] !== ":") this.unexpected('":"');
      this.pos++;
      this.ws();
      this.value();
    });
  }

  private array(): void {
    this.members("]", () => this.value());
  }

  /** An object's or an array's members, from its opening bracket to `close`, separated by commas. */
  private members(close: "}" | "]", member: () => void): void {
    this.pos++;
    this.ws();
    if (this.text[this.pos] === close) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      member();
      this.ws();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === close) {
        this.pos++;
        return;
      }
      this.unexpected(`"," or "${close}"`);
    }
  }

  private string(): void {
    const start = this.pos;
    this.pos++;
    for (;;) {
      if (this.pos >= this.text.length) this.fail("Unterminated string", start);
      const c = this.text.charCodeAt(this.pos);
      if (c === 34) {
        this.pos++;
        return;
      }
      if (c < 0x20) this.fail("Bad control character in string (a line break inside quotes?)");
      if (c === 92) {
        const e = this.text[this.pos + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) this.fail("Bad \\u escape in string");
          this.pos += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail("Bad escape in string (write a backslash as \\\\)");
        this.pos += 2;
        continue;
      }
      this.pos++;
    }
  }

  private number(): void {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m || m[0] === "-") this.unexpected("a number");
    this.pos += m[0].length;
  }
}

class Found {
  constructor(readonly error: JsonSyntaxError) {}
}

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  return new JsonChecker(text).check();
}
