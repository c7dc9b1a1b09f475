/**
 * Recursive-descent parser for Apache RocketMQ's SQL92 selector grammar (SelectorParser.jj), 5.x flavour:
 *
 *   selector   := or                                  (then stops: like Apache, whatever follows is not read)
 *   or         := and ( OR and )*
 *   and        := equality ( AND equality )*
 *   equality   := comparison ( "=" comparison | "<>" comparison | IS NULL | IS NOT NULL )*
 *   comparison := unary ( (">" | ">=" | "<" | "<=") unary
 *                       | [NOT] (CONTAINS | STARTSWITH | ENDSWITH) string
 *                       | [NOT] BETWEEN unary AND unary
 *                       | [NOT] IN "(" string ( "," string )* ")" )*
 *   unary      := "+" unary | "-" unary | NOT unary | primary
 *   primary    := literal | ID | "(" or ")"
 *
 * NOT binds tighter than comparisons (`NOT a = 'x'` is `(NOT a) = 'x'`), exactly as in Apache.
 * Recursion is bounded by MAX_FILTER_NESTING_DEPTH, checked before descending.
 */
import { MAX_FILTER_NESTING_DEPTH } from "../common/limits.js";
import { javaDouble, javaInt, javaLong } from "./java-value.js";
import {
  asBoolean,
  constantNode,
  createBetween,
  createEqual,
  createIn,
  createIsNull,
  createNot,
  createNotBetween,
  createOrdering,
  createStringMatch,
  fail,
  makeNode,
  type OrderingOp,
  type Sql92Node,
  type StringOp,
} from "./sql92-ast.js";
import {
  decodeStringLiteral,
  quoteImage,
  Sql92Lexer,
  Sql92SyntaxError,
  type Token,
  type TokenKind,
} from "./sql92-lexer.js";

const LONG_MAX = 2n ** 63n - 1n;
const INT_MAX = 2n ** 31n - 1n;
const ORDERING: ReadonlySet<TokenKind> = new Set<TokenKind>([">", ">=", "<", "<="]);
const STRING_OPS: ReadonlySet<TokenKind> = new Set<TokenKind>(["CONTAINS", "STARTSWITH", "ENDSWITH"]);
const AFTER_NOT: ReadonlySet<TokenKind> = new Set<TokenKind>(["BETWEEN", "IN", ...STRING_OPS]);

/** Parses `text` into a boolean expression tree; throws Sql92SyntaxError (internal to lib/filter). */
export function parseSql92(text: string): Sql92Node {
  const parser = new Parser(text);
  const first = parser.lexer.peek();
  return asBoolean(parser.parseOr(), first);
}

class Parser {
  readonly lexer: Sql92Lexer;
  private readonly text: string;
  private nesting = 0;

  constructor(text: string) {
    this.text = text;
    this.lexer = new Sql92Lexer(text);
  }

  private unexpected(t: Token, expecting: string): never {
    const image = t.kind === "EOF" ? "<EOF>" : quoteImage(t.image);
    throw new Sql92SyntaxError(
      `Encountered ${image} at line ${t.line}, column ${t.column}. Was expecting ${expecting}.`,
    );
  }

  private expect(kind: TokenKind, expecting = `"${kind}"`): Token {
    const t = this.lexer.peek();
    if (t.kind !== kind) this.unexpected(t, expecting);
    return this.lexer.next();
  }

  /** Source text from `from` up to the last consumed token. */
  private sourceFrom(from: Token): string {
    return this.text.slice(from.start, this.lexer.peek().start).trimEnd();
  }

  private enter(at: Token): void {
    if (++this.nesting > MAX_FILTER_NESTING_DEPTH)
      fail(at, `Expression nests deeper than ${MAX_FILTER_NESTING_DEPTH} levels`);
  }

  parseOr(): Sql92Node {
    return this.parseChain("OR", "or", () => this.parseAnd());
  }

  private parseAnd(): Sql92Node {
    return this.parseChain("AND", "and", () => this.parseEquality());
  }

  private parseChain(keyword: TokenKind, type: "and" | "or", operand: () => Sql92Node): Sql92Node {
    const first = this.lexer.peek();
    const left = operand();
    if (this.lexer.peek().kind !== keyword) return left;
    const operands = [asBoolean(left, first)];
    while (this.lexer.peek().kind === keyword) {
      const op = this.lexer.next();
      operands.push(asBoolean(operand(), op));
    }
    return makeNode({ type, operands }, this.sourceFrom(first), first);
  }

  private parseEquality(): Sql92Node {
    const first = this.lexer.peek();
    let left = this.parseComparison();
    for (;;) {
      const op = this.lexer.peek();
      if (op.kind === "=" || op.kind === "<>") {
        this.lexer.next();
        const right = this.parseComparison();
        const equal = createEqual(left, right, op, this.sourceFrom(first));
        left = op.kind === "=" ? equal : createNot(equal, op, equal.source);
      } else if (op.kind === "IS") {
        this.lexer.next();
        const negated = this.lexer.peek().kind === "NOT";
        if (negated) this.lexer.next();
        this.expect("NULL", negated ? '"NULL"' : '"NULL" or "NOT"');
        const isNull = createIsNull(left, op, this.sourceFrom(first));
        left = negated ? createNot(isNull, op, isNull.source) : isNull;
      } else {
        return left;
      }
    }
  }

  private parseComparison(): Sql92Node {
    const first = this.lexer.peek();
    let left = this.parseUnary();
    for (;;) {
      const op = this.lexer.peek();
      if (ORDERING.has(op.kind)) {
        this.lexer.next();
        const right = this.parseUnary();
        left = createOrdering(op.kind as OrderingOp, left, right, op, this.sourceFrom(first));
        continue;
      }
      const negated = op.kind === "NOT";
      const kind = negated ? this.lexer.peek(2).kind : op.kind;
      if (negated && !AFTER_NOT.has(kind)) this.unexpected(op, "an operator or the end of the expression");
      if (!AFTER_NOT.has(kind)) return left;
      this.lexer.next();
      if (negated) this.lexer.next();
      left = this.parsePredicateTail(kind, left, negated, op, first);
    }
  }

  /** The part after [NOT] BETWEEN / IN / CONTAINS / STARTSWITH / ENDSWITH. */
  private parsePredicateTail(kind: TokenKind, left: Sql92Node, negated: boolean, op: Token, first: Token) {
    if (kind === "BETWEEN") {
      const low = this.parseUnary();
      this.expect("AND");
      const high = this.parseUnary();
      const source = this.sourceFrom(first);
      return negated
        ? createNotBetween(left, low, high, op, source)
        : createBetween(left, low, high, op, source);
    }
    if (kind === "IN") {
      const values = this.parseStringList();
      return createIn(left, values, negated, op, this.sourceFrom(first));
    }
    const search = decodeStringLiteral(this.expect("STRING_LITERAL", "a string literal").image);
    return createStringMatch(kind as StringOp, left, search, negated, op, this.sourceFrom(first));
  }

  private parseStringList(): string[] {
    this.expect("(");
    const values = [decodeStringLiteral(this.expect("STRING_LITERAL", "a string literal").image)];
    while (this.lexer.peek().kind === ",") {
      this.lexer.next();
      values.push(decodeStringLiteral(this.expect("STRING_LITERAL", "a string literal").image));
    }
    this.expect(")", '"," or ")"');
    return values;
  }

  private parseUnary(): Sql92Node {
    const op = this.lexer.peek();
    if (op.kind !== "+" && op.kind !== "-" && op.kind !== "NOT") return this.parsePrimary();
    this.enter(op);
    this.lexer.next();
    const operand = this.parseUnary();
    this.nesting--;
    if (op.kind === "+") return operand;
    const source = this.sourceFrom(op);
    if (op.kind === "-") return makeNode({ type: "negate", operand }, source, op);
    return createNot(asBoolean(operand, op), op, source);
  }

  private parsePrimary(): Sql92Node {
    const t = this.lexer.peek();
    switch (t.kind) {
      case "STRING_LITERAL":
        return constantNode(decodeStringLiteral(this.lexer.next().image), t);
      case "DECIMAL_LITERAL":
        return constantNode(decimalValue(this.lexer.next()), t);
      case "FLOATING_POINT_LITERAL":
        return constantNode(floatValue(this.lexer.next()), t);
      case "TRUE":
      case "FALSE":
      case "NULL":
        this.lexer.next();
        return constantNode(t.kind === "NULL" ? null : t.kind === "TRUE", t);
      case "ID":
        this.lexer.next();
        return makeNode({ type: "property", name: t.image }, t.image, t);
      case "(": {
        this.enter(t);
        this.lexer.next();
        const inner = this.parseOr();
        this.expect(")", '")" or an operator');
        this.nesting--;
        return inner;
      }
      default:
        return this.unexpected(t, 'a property, a literal, "(", "NOT", "+" or "-"');
    }
  }
}

/** ConstantExpression.createFromDecimal: an int if it fits, else a long; beyond a long it is an error. */
function decimalValue(t: Token) {
  const digits = /[lL]$/.test(t.image) ? t.image.slice(0, -1) : t.image;
  const v = BigInt(digits);
  if (v > LONG_MAX) fail(t, `Number ${quoteImage(t.image)} does not fit in a long`);
  return v <= INT_MAX ? javaInt(Number(v)) : javaLong(v);
}

/**
 * ConstantExpression.createFloat: a double; beyond Double.MAX_VALUE (Infinity) it is an error. Apache also refuses
 * values below Double.MIN_VALUE (so `0.0` itself, apache/rocketmq#10862, an acknowledged bug); Stratus accepts them.
 */
function floatValue(t: Token) {
  const v = Number(t.image);
  if (!Number.isFinite(v)) fail(t, `${quoteImage(t.image)} is greater than ${Number.MAX_VALUE}`);
  return javaDouble(v);
}
