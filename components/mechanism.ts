/**
 * The mechanisms by which a pod in account A reaches a role in account B: the one list of them.
 * Everything that differs between mechanisms is found from a `Mechanism` value through an
 * exhaustive table (`Record<Mechanism, ...>`) or switch (ending in {@link assertNever}), so a new
 * member is a compile error wherever it is not handled. No parameter defaults to a mechanism.
 *
 * Pure: no Pulumi or AWS package is imported.
 */

/** The mechanisms, as a Pulumi-style enum object (the values are what config and args take). */
export const Mechanism = {
  /** IAM roles for service accounts: an IAM OIDC provider in B for A's issuer, a role in B trusting exact `sub` and `aud`. */
  Irsa: "irsa",
  /** EKS Pod Identity cross-account: a source role in A, a target role in B, an association with `targetRoleArn`. */
  PodIdentity: "pod-identity",
  /**
   * IRSA with role chaining: an IRSA source role in A (A's own OIDC provider), chained through an SDK
   * config profile into a role in B that trusts the source role.
   */
  IrsaChained: "irsa-chained",
} as const;

/** A mechanism's name, as config and args take it. */
export type Mechanism = (typeof Mechanism)[keyof typeof Mechanism];

/** Every mechanism, in the order errors and help list them. */
export const MECHANISMS: readonly Mechanism[] = Object.values(Mechanism);

/** Whether `value` names a mechanism (exactly: no case folding, no trimming). */
export function isMechanism(value: unknown): value is Mechanism {
  return typeof value === "string" && (MECHANISMS as readonly string[]).includes(value);
}

/** The end of an exhaustive switch over a union: reached only when a member is not handled. */
export function assertNever(value: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}

/**
 * The rule a mechanism's name follows, in the words errors use: `must be "irsa" or "pod-identity"`
 * (every member of {@link MECHANISMS}, in order).
 */
export function mechanismRule(): string {
  const names = MECHANISMS.map((m) => `"${m}"`);
  const last = names[names.length - 1];
  return `must be ${names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${last}` : last}`;
}
