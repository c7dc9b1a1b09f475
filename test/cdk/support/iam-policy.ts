/**
 * A small evaluator for the IAM policies a synthesized template grants, so tests ask "may this role do X to Y?"
 * instead of matching JSON shapes. It covers what the stacks use: Allow/Deny, Action/Resource wildcards (* and ?),
 * and the condition operators StringEquals, StringLike, their ForAllValues: forms and IfExists suffix, with IAM's
 * semantics (a single-valued operator on a missing key is false unless IfExists; ForAllValues over a missing or
 * empty key is true).
 * CloudFormation intrinsics in resources are rendered with fixed pseudo parameters; anything else it does not
 * know makes it throw, so an unexpected policy shape fails the test instead of passing it.
 */

export const PSEUDO: Readonly<Record<string, string>> = {
  "AWS::Partition": "aws",
  "AWS::Region": "us-east-1",
  "AWS::AccountId": "111111111111",
  "AWS::URLSuffix": "amazonaws.com",
};

export interface Statement {
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface Request {
  readonly action: string;
  readonly resource: string;
  /** Condition keys of the request: "dynamodb:LeadingKeys" is multi-valued, "s3:prefix" single. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/** A synthesized template (Template.toJSON()). */
export type TemplateJson = Readonly<Record<string, unknown>>;
type Resource = { Type: string; Properties?: Record<string, unknown> };

function resources(template: TemplateJson): Resource[] {
  return Object.values((template.Resources ?? {}) as Record<string, Resource>);
}

export function render(value: unknown, refs: Readonly<Record<string, string>> = {}): string {
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === "string") {
      const v = PSEUDO[o.Ref] ?? refs[o.Ref];
      if (v === undefined) throw new Error(`cannot render Ref ${o.Ref}`);
      return v;
    }
    if (Array.isArray(o["Fn::GetAtt"])) {
      const [id, attr] = o["Fn::GetAtt"] as [string, string];
      const v = refs[`${id}.${attr}`];
      if (v === undefined) throw new Error(`cannot render Fn::GetAtt ${id}.${attr}`);
      return v;
    }
    if (Array.isArray(o["Fn::Join"])) {
      const [sep, parts] = o["Fn::Join"] as [string, unknown[]];
      return parts.map((p) => render(p, refs)).join(sep);
    }
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

function list<T>(v: T | readonly T[]): readonly T[] {
  return Array.isArray(v) ? (v as readonly T[]) : [v as T];
}

export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, ignoreCase ? "i" : "").test(value);
}

function conditionHolds(
  operator: string,
  key: string,
  expected: readonly string[],
  request: Request,
): boolean {
  const actual = request.context?.[key];
  const forAll = operator.startsWith("ForAllValues:");
  const ifExists = operator.endsWith("IfExists");
  const base = (forAll ? operator.slice("ForAllValues:".length) : operator).replace(/IfExists$/, "");
  const match =
    base === "StringEquals"
      ? (v: string) => expected.includes(v)
      : base === "StringLike"
        ? (v: string) => expected.some((p) => globMatch(p, v))
        : undefined;
  if (match === undefined) throw new Error(`condition operator ${operator} is not modelled`);
  if (forAll) return actual === undefined || list(actual).every(match);
  if (actual === undefined) return ifExists;
  if (Array.isArray(actual)) return false;
  return match(actual as string);
}

function statementApplies(s: Statement, request: Request): boolean {
  if (!list(s.Action).some((a) => globMatch(a, request.action, true))) return false;
  if (!list(s.Resource).some((r) => globMatch(render(r), request.resource))) return false;
  for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      if (!conditionHolds(operator, key, list(expected), request)) return false;
    }
  }
  return true;
}

export function isAllowed(statements: readonly Statement[], request: Request): boolean {
  const applicable = statements.filter((s) => statementApplies(s, request));
  return applicable.some((s) => s.Effect === "Allow") && !applicable.some((s) => s.Effect === "Deny");
}

/** Every statement of every AWS::IAM::Policy attached to the role with this logical id. */
export function roleStatements(template: TemplateJson, roleLogicalId: string): Statement[] {
  const out: Statement[] = [];
  for (const r of resources(template)) {
    if (r.Type !== "AWS::IAM::Policy") continue;
    const roles = (r.Properties?.Roles ?? []) as { Ref?: string }[];
    if (!roles.some((x) => x.Ref === roleLogicalId)) continue;
    const doc = r.Properties?.PolicyDocument as { Statement: Statement[] };
    out.push(...doc.Statement);
  }
  return out;
}

/** Logical id of the task role of the task definition whose container has STRATUS_CONF_brokerName = name. */
export function brokerTaskRoleId(template: TemplateJson, brokerName: string): string {
  for (const r of resources(template)) {
    if (r.Type !== "AWS::ECS::TaskDefinition") continue;
    const containers = (r.Properties?.ContainerDefinitions ?? []) as {
      Environment?: { Name: string; Value: string }[];
    }[];
    const env = containers.flatMap((c) => c.Environment ?? []);
    if (!env.some((e) => e.Name === "STRATUS_CONF_brokerName" && e.Value === brokerName)) continue;
    const arn = r.Properties?.TaskRoleArn as { "Fn::GetAtt": [string, string] };
    return arn["Fn::GetAtt"][0];
  }
  throw new Error(`no task definition for broker ${brokerName}`);
}
