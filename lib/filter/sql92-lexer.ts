/**
 * Lexer for Apache RocketMQ's SQL92 message selector (protocol §10.9; token rules of Apache's SelectorParser.jj).
 *
 * Tokens (longest match wins; a keyword beats an identifier of the same length; keywords ignore case):
 *   skipped     ' ' \t \n \r \f;  "--" up to and including a line end (without one it is two "-" tokens);
 *               "/*" ... "*\/"
 *   keywords    NOT AND OR BETWEEN IN TRUE FALSE NULL IS CONTAINS STARTSWITH ENDSWITH
 *   DECIMAL     0 | [1-9][0-9]*[lL]?            ("007" is three tokens, as in Apache)
 *   FLOATING    [0-9]+ "." [0-9]* EXP? | "." [0-9]+ EXP? | [0-9]+ EXP      EXP = [eE][+-]?[0-9]+
 *   STRING      ' ( '' | any char but ' )* '
 *   ID          [a-zA-Z_$][a-zA-Z0-9_$]*        (no dots: Apache's ID rule has none)
 *   operators   = <> > >= < <= ( , ) + -
 * Anything else is a lexical error. Tokens are produced on demand, like JavaCC's token manager: text after the
 * point where the parser stops is never examined.
 */

export type TokenKind =
  | "EOF"
  | "NOT"
  | "AND"
  | "OR"
  | "BETWEEN"
  | "IN"
  | "TRUE"
  | "FALSE"
  | "NULL"
  | "IS"
  | "CONTAINS"
  | "STARTSWITH"
  | "ENDSWITH"
  | "DECIMAL_LITERAL"
  | "FLOATING_POINT_LITERAL"
  | "STRING_LITERAL"
  | "ID"
  | "="
  | "<>"
  | ">"
  | ">="
  | "<"
  | "<="
  | "("
  | ","
  | ")"
  | "+"
  | "-";

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token ("" for EOF). */
  readonly image: string;
  /** UTF-16 offset of the first char. */
  readonly start: number;
  /** 1-based line and column of the first char (JavaCC counting: \n, \r and \r\n end a line). */
  readonly line: number;
  readonly column: number;
}

/** A lexical, syntax or construction error, with the position it points at. Never escapes lib/filter. */
export class Sql92SyntaxError extends Error {
  override readonly name = "Sql92SyntaxError";
}

const KEYWORDS: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>(
  (
    [
      "NOT",
      "AND",
      "OR",
      "BETWEEN",
      "IN",
      "TRUE",
      "FALSE",
      "NULL",
      "IS",
      "CONTAINS",
      "STARTSWITH",
      "ENDSWITH",
    ] as const
  ).map((k) => [k, k]),
);

const IDENTIFIER = /[a-zA-Z_$][a-zA-Z0-9_$]*/y;
const FLOATING = /[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+/y;
const DECIMAL = /0|[1-9][0-9]*[lL]?/y;
const LINE_COMMENT = /--[^\n\r]*(?:\r\n|\n|\r)/y;
const OPERATORS: readonly TokenKind[] = ["<>", "<=", ">=", "<", ">", "=", "(", ")", ",", "+", "-"];

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x0c;
}

function stickyMatch(re: RegExp, text: string, pos: number): string | undefined {
  re.lastIndex = pos;
  return re.exec(text)?.[0];
}

/** Quotes a fragment of source for an error message, escaping quotes and control chars, shortening long ones. */
export function quoteImage(image: string): string {
  const short = image.length > 40 ? `${image.slice(0, 37)}...` : image;
  let out = "";
  for (const c of short) {
    const code = c.charCodeAt(0);
    if (c === '"' || c === "\\") out += `\\${c}`;
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += c;
  }
  return `"${out}"`;
}

export class Sql92Lexer {
  private readonly text: string;
  private pos = 0;
  private readonly lookahead: Token[] = [];
  // Line bookkeeping: the offset `lineCursor` lies on line `line`, which starts at `lineStart`.
  private lineCursor = 0;
  private line = 1;
  private lineStart = 0;

  constructor(text: string) {
    this.text = text;
  }

  /** The k-th token ahead (1 = the next one), lexing on demand. */
  peek(k = 1): Token {
    while (this.lookahead.length < k) this.lookahead.push(this.lex());
    return this.lookahead[k - 1] as Token;
  }

  next(): Token {
    const t = this.peek(1);
    this.lookahead.shift();
    return t;
  }

  /** "line L, column C" of an offset at or after every token lexed so far. */
  where(offset: number): { line: number; column: number } {
    const t = this.text;
    for (; this.lineCursor < offset; this.lineCursor++) {
      const c = t.charCodeAt(this.lineCursor);
      if (c === 0x0a || (c === 0x0d && t.charCodeAt(this.lineCursor + 1) !== 0x0a)) {
        this.line++;
        this.lineStart = this.lineCursor + 1;
      }
    }
    return { line: this.line, column: offset - this.lineStart + 1 };
  }

  private token(kind: TokenKind, start: number, end: number): Token {
    this.pos = end;
    const { line, column } = this.where(start);
    return { kind, image: this.text.slice(start, end), start, line, column };
  }

  private fail(offset: number, what: string): never {
    const { line, column } = this.where(offset);
    throw new Sql92SyntaxError(`Lexical error at line ${line}, column ${column}. ${what}`);
  }

  private skipIgnored(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (isBlank(c)) {
        this.pos++;
      } else if (t.startsWith("--", this.pos)) {
        const comment = stickyMatch(LINE_COMMENT, t, this.pos);
        if (comment === undefined) return; // no line end: not a comment, but two "-" tokens
        this.pos += comment.length;
      } else if (t.startsWith("/*", this.pos)) {
        const end = t.indexOf("*/", this.pos + 2);
        if (end < 0) this.fail(this.pos, `Unterminated comment ${quoteImage(t.slice(this.pos))}.`);
        this.pos = end + 2;
      } else {
        return;
      }
    }
  }

  private lex(): Token {
    this.skipIgnored();
    const t = this.text;
    const start = this.pos;
    if (start >= t.length) return this.token("EOF", start, start);
    const c = t[start] as string;
    const ident = stickyMatch(IDENTIFIER, t, start);
    if (ident !== undefined)
      return this.token(KEYWORDS.get(ident.toUpperCase()) ?? "ID", start, start + ident.length);
    const float = stickyMatch(FLOATING, t, start);
    const decimal = stickyMatch(DECIMAL, t, start);
    if (float !== undefined && float.length > (decimal?.length ?? 0))
      return this.token("FLOATING_POINT_LITERAL", start, start + float.length);
    if (decimal !== undefined) return this.token("DECIMAL_LITERAL", start, start + decimal.length);
    if (c === "'") return this.token("STRING_LITERAL", start, this.stringEnd(start));
    for (const op of OPERATORS) if (t.startsWith(op, start)) return this.token(op, start, start + op.length);
    const code = t.codePointAt(start) ?? 0;
    return this.fail(start, `Encountered: ${quoteImage(String.fromCodePoint(code))} (${code}).`);
  }

  /** Offset just past the closing quote of the string literal opening at `start`. */
  private stringEnd(start: number): number {
    const t = this.text;
    let i = start + 1;
    for (;;) {
      const q = t.indexOf("'", i);
      if (q < 0) this.fail(start, `Unterminated string literal ${quoteImage(t.slice(start))}.`);
      if (t.charCodeAt(q + 1) !== 0x27) return q + 1;
      i = q + 2;
    }
  }
}

/** The value of a STRING_LITERAL image: the quotes stripped and each '' turned into '. */
export function decodeStringLiteral(image: string): string {
  return image.slice(1, -1).replaceAll("''", "'");
}
