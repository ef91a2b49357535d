/**
 * The Pulumi names of what each grant registers, on both stacks, and the refusal of two grants whose
 * resources would get one URN. Pure.
 *
 * Pulumi identifies a resource by its URN: stack, project, qualified type (each parent's type, then
 * its own, joined by `$`) and name ("a unique name derived from both the logical name of the resource
 * and the type of the resource and, in the case of components, its parents",
 * https://www.pulumi.com/docs/iac/concepts/resources/names/). An update that registers one URN twice
 * fails ("Duplicate resource URN", https://github.com/pulumi/pulumi/issues/15782) when it reaches the
 * second, after what was registered before it exists. A grant's resources are named after its key, so
 * two keys can give one name: only resources of one qualified type clash. Pod Identity's
 * `<key>-source` (a `PodIdentitySourceRole`) of key `a-chained` and irsa-chained's
 * `<key>-chained-source` (a `ChainedSourceRole`) of key `a` share the name `a-chained-source` and not
 * the type: two URNs, no clash. Where one qualified type holds a name with a part other than the key
 * (a namespace, a ServiceAccount, a bucket), two keys can clash: {@link refuseResourceNameClashes}.
 *
 * The catalogues below mirror the components' naming (BucketAccessBinding, BucketAccessGrant and their
 * children); tests/stacks/grantResourceNames.test.ts compares them with what the real programs register.
 * Physical names are checked where they are decided: account A's source roles
 * (accountAGrantsLinks.ts), account B's role and bucket names and the source role names it hands over
 * (accountBGrantsConfig.ts). The Kubernetes objects' names cannot clash across grants: the
 * ServiceAccount and its `<name>-aws-config` ConfigMap are a ServiceAccount each grant binds alone, the
 * probe's Deployment `<key>-reader` and Job `<key>-check-<hash>` end in fixed, different words.
 */
import { InputError } from "../components/errors";
import { Mechanism } from "../components/mechanism";
import { GRANT_CLUSTER_KEY } from "./grantsMode";

/** A part of a name after the key: fixed text, or a value of the grant's. */
export type NamePart = string | { value: "namespace" | "name" | "bucket" };

/** One name a grant's resources get: the resource's qualified type, and its name as the key plus `parts`. */
export interface NameScheme {
  /** The qualified type: the parents' types and the resource's own, `$`-joined (the URN's type part). */
  type: string;
  /** What follows the key in the name. */
  parts: readonly NamePart[];
}

const BINDING = "cross-account-irsa:index:BucketAccessBinding";
const GRANT = "cross-account-irsa:index:BucketAccessGrant";
const ix = (name: string) => `cross-account-irsa:index:${name}`;
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const under = (...types: string[]) => types.join("$");
const scheme = (type: string, ...parts: NamePart[]): NameScheme => ({ type, parts });
const NAMESPACE = { value: "namespace" } as const;
const SA_NAME = { value: "name" } as const;
const BUCKET = { value: "bucket" } as const;

/** What an account-a binding registers (grants mode: the ServiceAccount created, the stack's OIDC provider adopted). */
export const BINDING_NAME_SCHEMES = {
  always: [scheme(BINDING), scheme(under(BINDING, "kubernetes:core/v1:ServiceAccount"))],
  [Mechanism.Irsa]: [],
  [Mechanism.PodIdentity]: [
    scheme(under(BINDING, ix("PodIdentitySourceRole")), "-source"),
    scheme(under(BINDING, ix("PodIdentitySourceRole"), ROLE), "-source"),
    scheme(under(BINDING, ix("CrossAccountPodIdentity")), "-pod-identity"),
    scheme(under(BINDING, ix("CrossAccountPodIdentity"), ROLE_POLICY), "-pod-identity-assume-target"),
    scheme(
      under(BINDING, ix("CrossAccountPodIdentity"), "aws:eks/podIdentityAssociation:PodIdentityAssociation"),
      "-pod-identity-",
      NAMESPACE,
      "-",
      SA_NAME,
    ),
  ],
  [Mechanism.IrsaChained]: [
    scheme(under(BINDING, ix("ClusterOidcProvider")), "-oidc"),
    scheme(under(BINDING, ix("ClusterOidcProvider"), OIDC), "-oidc-existing"),
    scheme(under(BINDING, ix("ChainedSourceRole")), "-chained-source"),
    scheme(under(BINDING, ix("ChainedSourceRole"), ROLE), "-chained-source"),
    scheme(under(BINDING, ix("ChainedSourceRole"), ROLE_POLICY), "-chained-source-assume-target-role"),
    scheme(under(BINDING, ix("ChainedProfileConfigMap")), "-profile"),
    scheme(under(BINDING, ix("ChainedProfileConfigMap"), "kubernetes:core/v1:ConfigMap"), "-profile"),
  ],
  probe: [
    scheme(under(BINDING, ix("AccessCheckJob")), "-access-check"),
    scheme(under(BINDING, ix("AccessCheckJob"), "kubernetes:batch/v1:Job"), "-access-check"),
    scheme(under(BINDING, ix("S3ReaderDeployment")), "-reader"),
    scheme(under(BINDING, ix("S3ReaderDeployment"), "kubernetes:apps/v1:Deployment"), "-reader"),
  ],
} satisfies Record<Mechanism | "always" | "probe", readonly NameScheme[]>;

const SECURE_BUCKET = under(GRANT, ix("SecureBucket"));

/** What an account-b grant registers (grants mode: one cluster, keyed `cluster`; the stack's OIDC provider adopted). */
export const GRANT_NAME_SCHEMES = {
  always: [scheme(GRANT), scheme(under(GRANT, ROLE))],
  [Mechanism.Irsa]: [
    scheme(under(GRANT, ix("ClusterOidcProvider")), `-oidc-${GRANT_CLUSTER_KEY}`),
    scheme(under(GRANT, ix("ClusterOidcProvider"), OIDC), `-oidc-${GRANT_CLUSTER_KEY}-existing`),
  ],
  [Mechanism.PodIdentity]: [],
  [Mechanism.IrsaChained]: [],
  /** Each bucket's. */
  bucket: [scheme(under(GRANT, ROLE_POLICY), "-s3-", BUCKET)],
  /** Each bucket the grant creates. */
  createdBucket: [
    scheme(SECURE_BUCKET, "-", BUCKET),
    scheme(under(SECURE_BUCKET, "aws:s3/bucket:Bucket"), "-", BUCKET),
    scheme(
      under(SECURE_BUCKET, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"),
      "-",
      BUCKET,
      "-public-access",
    ),
    scheme(
      under(SECURE_BUCKET, "aws:s3/bucketOwnershipControls:BucketOwnershipControls"),
      "-",
      BUCKET,
      "-ownership",
    ),
    scheme(
      under(
        SECURE_BUCKET,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      ),
      "-",
      BUCKET,
      "-encryption",
    ),
    scheme(under(SECURE_BUCKET, "aws:s3/bucketVersioning:BucketVersioning"), "-", BUCKET, "-versioning"),
    scheme(under(SECURE_BUCKET, "aws:s3/bucketPolicy:BucketPolicy"), "-", BUCKET, "-tls-only"),
  ],
  /** Each created bucket's probe object (grants mode writes one: the bucket's `objectKey`). */
  probeObject: [
    scheme(under(SECURE_BUCKET, "aws:s3/bucketObjectv2:BucketObjectv2"), "-", BUCKET, "-object-0"),
  ],
} satisfies Record<Mechanism | "always" | "bucket" | "createdBucket" | "probeObject", readonly NameScheme[]>;

/** The values a scheme's parts name. */
export type NameValues = Partial<Record<"namespace" | "name" | "bucket", string>>;

/** One resource a grant registers: its qualified type and name, and the value it came from, if any. */
export interface GrantResourceName {
  type: string;
  name: string;
  /** The grant value in the name besides the key (`ServiceAccount team-a/reader`, `bucket data`), if any. */
  from?: string;
}

/** The name `scheme` gives the resource of key `key` with `values`. */
export function nameOf(key: string, s: NameScheme, values: NameValues = {}): GrantResourceName {
  const name =
    key +
    s.parts
      .map((p) => {
        if (typeof p === "string") return p;
        const v = values[p.value];
        if (v === undefined) throw new Error(`a ${p.value} is needed for ${s.type}`);
        return v;
      })
      .join("");
  const variable = s.parts.some((p) => typeof p !== "string");
  const from =
    values.bucket !== undefined
      ? `bucket ${values.bucket}`
      : `ServiceAccount ${values.namespace}/${values.name}`;
  return { type: s.type, name, ...(variable ? { from } : {}) };
}

/** What an account-a binding registers, in grants mode. */
export function bindingResourceNames(binding: {
  key: string;
  mechanisms: readonly Mechanism[];
  serviceAccount: { namespace: string; name: string };
  probe: boolean;
}): GrantResourceName[] {
  const schemes = [
    ...BINDING_NAME_SCHEMES.always,
    ...binding.mechanisms.flatMap((m) => BINDING_NAME_SCHEMES[m]),
    ...(binding.probe ? BINDING_NAME_SCHEMES.probe : []),
  ];
  return schemes.map((s) => nameOf(binding.key, s, binding.serviceAccount));
}

/** What an account-b grant registers, in grants mode. */
export function grantResourceNames(grant: {
  key: string;
  mechanisms: readonly Mechanism[];
  buckets: ReadonlyArray<{ name: string; create: boolean; objectKey?: string }>;
}): GrantResourceName[] {
  const own = [...GRANT_NAME_SCHEMES.always, ...grant.mechanisms.flatMap((m) => GRANT_NAME_SCHEMES[m])];
  return [
    ...own.map((s) => nameOf(grant.key, s)),
    ...grant.buckets.flatMap((b) =>
      [
        ...GRANT_NAME_SCHEMES.bucket,
        ...(b.create ? GRANT_NAME_SCHEMES.createdBucket : []),
        ...(b.create && b.objectKey !== undefined ? GRANT_NAME_SCHEMES.probeObject : []),
      ].map((s) => nameOf(grant.key, s, { bucket: b.name })),
    ),
  ];
}

/** The last segment of a qualified type, for messages (`PodIdentityAssociation`). */
const shortType = (type: string) => type.slice(type.lastIndexOf(":") + 1);

/** A grant whose resources {@link resourceNameClaims} checks against the grants before it. */
export interface NamedGrant {
  /** The grant's index in `cross-account-irsa:grants`. */
  index: number;
  key: string;
  names: readonly GrantResourceName[];
}

/**
 * A check to call on each grant in order: a grant whose resource gets a URN an earlier grant's has (one
 * qualified type, one name) is an error on its key (`keyField(i)`), naming the earlier grant's key, the
 * name and the values it came from, before anything registers.
 */
export function resourceNameClaims(keyField: (index: number) => string): (grant: NamedGrant) => void {
  const seen = new Map<string, { index: number; key: string; from?: string }>();
  const withFrom = (from?: string) => (from !== undefined ? ` with ${from}` : "");
  return (g) => {
    for (const r of g.names) {
      const urn = `${r.type}::${r.name}`;
      const other = seen.get(urn);
      if (other !== undefined) {
        throw new InputError(
          keyField(g.index),
          g.key,
          `${r.from !== undefined ? `with ${r.from} ` : ""}names its ${shortType(r.type)} "${r.name}", as ` +
            `${keyField(other.index)} "${other.key}"${withFrom(other.from)} does (one URN: type ${r.type}, name ` +
            `"${r.name}"): Pulumi registers a URN once, and the update would fail half-done; change one of the keys ` +
            "(a key names the grant's resources)",
        );
      }
      seen.set(urn, { index: g.index, key: g.key, ...(r.from !== undefined ? { from: r.from } : {}) });
    }
  };
}

/** {@link resourceNameClaims} over `grants`, in order. */
export function refuseResourceNameClashes(
  grants: readonly NamedGrant[],
  keyField: (index: number) => string,
): void {
  grants.forEach(resourceNameClaims(keyField));
}
